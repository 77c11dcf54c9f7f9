"""A kind answer, within seconds, whatever part of the assistant fails.

Every channel (REST, web chat, SMS, WhatsApp) hands Rasa each message through `guard(on_new_message)`. The guard
watches the turn and sends the response `utter_fault` (content/messages/en/faults.yml: this cannot be done now,
the answers so far are kept, the council's phone and hours, 999) in the channel's own form when

- a custom action failed (the reply goes at once, and what Rasa says after it in that turn is held back): the
  action server is down, paused past the action timeout (endpoints.yml
  `action_endpoint.timeout`, bot/action_timeout.py), answered an error (the records database cannot be reached),
  or sent something Rasa could not read. Rasa catches these itself, logs "Encountered an exception while running
  action ..." and carries on without the action's events, so the parent would get nothing, or half a turn;
- the turn raised (the conversation store or lock store cannot be reached);
- the turn has said nothing and is still running after `REPLY_WITHIN_S` (it goes on in the background; what it
  says later is sent as usual on the channels that can, and a confirmation is only ever said after its
  transaction committed). A turn that has started answering is waited for: it is slow in sending (Twilio or Meta
  being tried again), and a kind reply on top would contradict the answer on its way;
- the turn finished and said nothing.

Nothing of Rasa is changed: the guard wraps the `on_new_message` Rasa gives each input channel, and notices a
failed action through a handler on Rasa's own log record. The failed action's events are dropped by Rasa, so the
conversation stays where it was: the parent can send the same answer again once the part is back.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.content.loader import REPO_ROOT

logger = logging.getLogger(__name__)

FAULT_RESPONSE = "utter_fault"
RESPONSES_FILE = REPO_ROOT / "data" / "responses" / "messages.yml"
REPLY_WITHIN_S = 8.0  # above the action timeout (5 s), below the 10 s a parent is promised
RASA_ACTION_FAILED = "Encountered an exception while running action"  # rasa.core.processor's log message
SILENT_COMMANDS = ("/session_start", "/restart")  # turns that may rightly say nothing


@dataclass
class Turn:
    sent: int = 0
    failed_action: str | None = None
    failed: asyncio.Event = field(default_factory=asyncio.Event)


_TURN: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("pda_turn", default=None)


class _FailedActions(logging.Handler):
    """Marks the running turn when Rasa logs that a custom action failed (the record is Rasa's own)."""

    def emit(self, record: logging.LogRecord) -> None:
        turn = _TURN.get()
        if turn is None or record.levelno < logging.ERROR:
            return
        message = record.getMessage()
        if message.startswith(RASA_ACTION_FAILED):
            turn.failed_action = message.split("'")[1] if message.count("'") >= 2 else "unknown"
            turn.failed.set()  # the guard answers now, not after whatever else the turn tries


_HANDLER = _FailedActions()


def _watch_rasa_log() -> None:
    processor_log = logging.getLogger("rasa.core.processor")
    if _HANDLER not in processor_log.handlers:
        processor_log.addHandler(_HANDLER)


@functools.lru_cache(maxsize=1)
def _fault_nlg() -> Any:
    """Rasa's own response generator over the built fault responses (it picks the variant for each channel)."""
    import yaml
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    responses = yaml.safe_load(RESPONSES_FILE.read_text(encoding="utf-8"))["responses"]
    return TemplatedNaturalLanguageGenerator(responses)


def fault_message(channel: str) -> dict[str, Any]:
    """The kind reply as Rasa renders it for `channel` (sms and whatsapp get the short text)."""
    message = _fault_nlg().generate_from_slots(FAULT_RESPONSE, {}, channel)
    if not message:  # never: the build makes it; say something rather than nothing
        raise RuntimeError(f"{FAULT_RESPONSE} is missing from {RESPONSES_FILE}")
    return message


def _watch_sends(output: OutputChannel, turn: Turn) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """Count what the turn sends, and hold back what it says after an action failed: Rasa then goes on from a turn
    with the action's events missing, so its next guess ("Sorry, I did not understand") would only confuse; the
    kind reply is sent instead. Every channel makes a new output channel object for each message. Returns the
    channel's own send."""
    send = output.send_response

    async def watched(recipient_id: str, message: dict[str, Any]) -> None:
        if turn.failed_action:
            logger.info("Held back a message after action %s failed (sender %s)", turn.failed_action, recipient_id)
            return
        turn.sent += 1
        await send(recipient_id, message)

    output.send_response = watched  # type: ignore[method-assign]
    return send


def _log_late_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("A turn that was answered kindly failed later", exc_info=task.exception())


def _says_nothing_rightly(message: UserMessage) -> bool:
    text = (message.text or "").strip()
    return any(text.startswith(command) for command in SILENT_COMMANDS)


def guard(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], reply_within_s: float = REPLY_WITHIN_S
) -> Callable[[UserMessage], Awaitable[None]]:
    """`on_new_message`, answering kindly when the turn fails, errs, takes too long or says nothing."""
    _watch_rasa_log()

    async def guarded(message: UserMessage) -> None:
        turn = Turn()
        output = message.output_channel
        send = _watch_sends(output, turn)
        started = time.monotonic()
        token = _TURN.set(turn)
        why = None
        try:
            task = asyncio.ensure_future(on_new_message(message))  # the task sees `turn` (a copy of the context)
        finally:
            _TURN.reset(token)
        failed = asyncio.ensure_future(turn.failed.wait())
        try:
            done, _ = await asyncio.wait({task, failed}, timeout=reply_within_s, return_when=asyncio.FIRST_COMPLETED)
            if not done and turn.sent == 0:
                why = f"no reply after {reply_within_s:.0f} s"
            elif not done:  # already answering, only slowly (e.g. Twilio or Meta being tried again): let it finish
                await asyncio.wait({task, failed}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                task.result()
        except Exception as error:  # the conversation or lock store is down, or anything else
            why = f"the turn failed ({type(error).__name__})"
            logger.error("A turn failed (sender %s)", message.sender_id, exc_info=True)
        finally:
            failed.cancel()
        if not task.done():  # answered now; the turn goes on in the background
            task.add_done_callback(_log_late_failure)
        if why is None and turn.failed_action:
            why = f"action {turn.failed_action} failed"
        if why is None and turn.sent == 0 and not _says_nothing_rightly(message):
            why = "the turn said nothing"
        if why is None:
            return
        logger.warning(
            "Sent the kind fault reply on %s (sender %s, %.1f s): %s",
            output.name(), message.sender_id, time.monotonic() - started, why,
        )
        try:
            await send(message.sender_id, fault_message(output.name()))
        except Exception:
            logger.exception("Could not send the kind fault reply either (sender %s)", message.sender_id)

    return guarded
