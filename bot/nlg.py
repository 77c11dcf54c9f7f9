"""The 999 line on top of an answer when a message may say someone is in danger now (the crisis detector's
*possible* band, bot/nlp/crisis_model.py).

Rasa's own response generator, with one addition: when the parent's last message is in the possible band, the first
reply to it that comes from a response starts with the text of `utter_danger_line` ("If a child is in danger now,
call 999 ..."; built from content/helplines.yml by bot/content/build.py). The parent still gets the answer they
asked for. Set in endpoints.yml as `nlg: type: bot.nlg.DangerLineNLG`, Rasa's way to plug in a response generator.

It also says, once a conversation, that the other language is there: the first reply in Welsh ends with, in Welsh,
"this service is in English too: type English"; in a council in Wales (content/council.yml `nation: wales`) the
first reply in English ends with, in Welsh, "this service is in Welsh too: type Cymraeg". Once: the notice is left
out when any earlier reply of the conversation carried it, or said the language had just been switched (that reply
says how to switch back). The words are in content/messages/<lang>/language.yml.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.content import messages
from bot.content.loader import content
from bot.nlp.crisis_model import CRISIS_KEY, POSSIBLE

DANGER_LINE = "utter_danger_line"
# Replies that stay as they are: the crisis replies go out alone and short (an SMS of one segment).
NO_NOTICE = frozenset({DANGER_LINE, "utter_crisis", "utter_crisis_child"})
LANGUAGE_SLOT = "language"


def needs_danger_line(tracker: DialogueStateTracker, line: str) -> bool:
    """The last message is in the possible band and no reply to it has carried the line yet."""
    crisis = (tracker.latest_message.parse_data or {}).get(CRISIS_KEY) if tracker.latest_message else None
    if not isinstance(crisis, dict) or crisis.get("band") != POSSIBLE:
        return False
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and line in (event.text or ""):
            return False
        if isinstance(event, UserUttered):
            return True
    return False


def _said_before(tracker: DialogueStateTracker, texts: list[str]) -> bool:
    return any(isinstance(e, BotUttered) and any(t in (e.text or "") for t in texts) for e in tracker.events)


def language_notice(tracker: DialogueStateTracker, nation: str, channel: str) -> str | None:
    """The line saying the other language is there, if this reply should carry it (see the module's docstring)."""
    language = tracker.get_slot(LANGUAGE_SLOT) if LANGUAGE_SLOT in tracker.slots else None
    if language == "cy":
        key = "english_available"
    elif nation == "wales":
        key = "welsh_available"
    else:
        return None
    switched = "cy" if key == "english_available" else "en"  # the confirmation of a switch says how to go back
    if _said_before(tracker, messages.variants(f"language.{key}", "cy")
                    + messages.variants("language.switched", switched)):
        return None
    return messages.say(f"language.{key}", "cy", channel)


class DangerLineNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(self, utter_action: str, tracker: DialogueStateTracker, output_channel: str,
                       **kwargs: Any) -> dict[str, Any] | None:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response is None or not response.get("text") or utter_action == DANGER_LINE:
            return response
        line = ((await super().generate(DANGER_LINE, tracker, output_channel)) or {}).get("text")
        if line and line not in response["text"] and needs_danger_line(tracker, line):
            response["text"] = f"{line}\n\n{response['text']}"
        if utter_action not in NO_NOTICE:
            channel = output_channel if output_channel in messages.TEXT_CHANNELS else "web"
            notice = language_notice(tracker, content().nation, channel)
            if notice:
                response["text"] = f"{response['text']}\n\n{notice}"
        return response
