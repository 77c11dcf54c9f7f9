"""The Welsh variants of the topic answers in data/responses/topics.yml.

Each `utter_topic/<id>` response gets, beside its English variants, the same variants in Welsh (the page under
content/cy/topics/), each with a Rasa conditional-response condition on the `language` slot:

    - condition: [{type: slot, name: language, value: cy}]
      channel: sms            # and whatsapp: the short answer and its link
      text: ...
    - condition: [{type: slot, name: language, value: cy}]
      text: ...               # every other channel: the web answer, with its related-topic buttons in Welsh

Rasa prefers a variant whose condition holds, and among those one for the channel in use, so a conversation in Welsh
gets the Welsh answer and every other conversation the English one. A topic with no Welsh page yet gets no Welsh
variants (it is answered in English); `python -m bot content status` lists it as missing.
"""

from __future__ import annotations

from typing import Any

from bot.content.loader import Content
from bot.content.models import Topic
from bot.content.render import sms_answer, web_answer

LANGUAGE_SLOT = "language"
WELSH = "cy"


def welsh_condition() -> list[dict[str, str]]:
    """A new copy for each variant, so the YAML shows it in full rather than as an anchor and aliases."""
    return [{"type": "slot", "name": LANGUAGE_SLOT, "value": WELSH}]


def welsh_buttons(topic: Topic, content: Content) -> list[dict[str, str]]:
    """The related-topic buttons of the web answer, titled with the Welsh pages' titles."""
    from bot.content.build import MAX_RELATED, topic_payload

    return [{"title": content.title(r, WELSH), "payload": topic_payload(r)} for r in topic.related[:MAX_RELATED]]


def welsh_variations(topic: Topic, content: Content) -> list[dict[str, Any]]:
    """The Welsh variants of one topic's response (none if it has no Welsh page yet)."""
    from bot.content.build import TEXT_CHANNELS, _Literal

    if topic.id not in content.topics_cy:
        return []
    short = sms_answer(topic, content, WELSH)
    variations: list[dict[str, Any]] = [
        {"condition": welsh_condition(), "channel": channel, "text": _Literal(short)} for channel in TEXT_CHANNELS
    ]
    web: dict[str, Any] = {"condition": welsh_condition(), "text": _Literal(web_answer(topic, content, WELSH))}
    buttons = welsh_buttons(topic, content)
    if buttons:
        web["buttons"] = buttons
    variations.append(web)
    return variations
