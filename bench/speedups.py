"""Candidate speed-ups for the Rasa server, to measure before they are proposed for the product code.

    python -m bench.speedups MODULE [ARGS...]     (in place of python -m bot.privacy.launch MODULE [ARGS...])

applies the patches named in PDA_BENCH_SPEEDUPS (comma-separated, or `all`), then runs bot.privacy.launch as
usual. `python -m bench --speedups all` starts our Rasa server this way. None of this is used by `make run`:
each patch is a measured proposal (see docs/scale-out.md, "Speed").

- action_validation: Rasa validates every action server reply with jsonschema.validate(), which checks the
  schema itself against the JSON Schema meta-schema on every call (jsonschema 4.17). Build the validator once.
- event_types: Event.resolve_by_type walks every Event subclass for every event it deserialises. Remember
  them.
- redaction_memo: the tracker store redacts every text of the conversation again at every save. Remember the
  redaction of a text, keyed by a keyed hash (the raw text is not kept in memory).
- payloads: the related-topic buttons' payloads ('/show_topic{"topic_id": ...}') look like slot placeholders
  to Rasa's response interpolator, which logs a large ERROR with the traceback on every topic answer. Leave
  payloads alone (the content build could instead write them with doubled braces, which Rasa turns back).
- action_connections: Rasa opens a new HTTP client session, and so a new connection, for every call to the
  action server. Keep one session per event loop and reuse its connections.
- actions_without_tensorflow (action server): spaCy (for log redaction) imports thinc, which imports
  TensorFlow whenever it is installed: 3 s and ~400 MB in a process that never uses it. Hide TensorFlow
  from the action server before anything imports spaCy.

The first five apply in the Rasa server (`python -m bench.speedups rasa run ...`), the last in the action
server (`python -m bench.speedups rasa_sdk ...`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

ALL = (
    "action_validation",
    "event_types",
    "redaction_memo",
    "payloads",
    "action_connections",
    "actions_without_tensorflow",
)


def action_validation() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    cache: dict[str, Any] = {}

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        validator = cache.get("validator")
        if validator is None:
            schema = self.action_response_format_spec()
            cls = validator_for(schema)
            cls.check_schema(schema)  # once, not on every reply
            validator = cache["validator"] = cls(schema)
        try:
            validator.validate(result)
            return True
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, make sure your response from the "
                "Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def event_types() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    known: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        found = known.get(type_name)
        if found is None:
            found = original(type_name, default)
            if found is not None and found is not default:
                known[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


class _Memo:
    """A bounded memo of a pure text function, keyed by a keyed BLAKE2 hash of the text."""

    def __init__(self, function: Callable[[str], Any], size: int = 20_000, freeze: bool = False) -> None:
        self.function = function
        self.size = size
        self.freeze = freeze
        self.key = secrets.token_bytes(32)
        self.values: OrderedDict[bytes, Any] = OrderedDict()

    def __call__(self, text: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(text, str) or args or kwargs:
            return self.function(text, *args, **kwargs)
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self.key, digest_size=16).digest()
        if digest in self.values:
            self.values.move_to_end(digest)
            value = self.values[digest]
        else:
            value = self.function(text)
            self.values[digest] = tuple(value) if self.freeze else value
            if len(self.values) > self.size:
                self.values.popitem(last=False)
        return list(value) if self.freeze else value


def redaction_memo() -> None:
    import bot.nlp.redact as redact_module
    import bot.privacy.tracker_store as store_module

    redact = _Memo(redact_module.redact)
    find_pii = _Memo(redact_module.find_pii, freeze=True)
    for module in (redact_module, store_module):
        if hasattr(module, "redact"):
            module.redact = redact
        if hasattr(module, "find_pii"):
            module.find_pii = find_pii


def payloads() -> None:
    import rasa.core.nlg.interpolator as interpolator
    import rasa.core.nlg.response as response

    original = interpolator.interpolate_text

    def interpolate_text(text: str, values: dict[str, Any]) -> str:
        if text.startswith("/"):  # an intent payload, never a template
            return text
        return original(text, values)

    interpolator.interpolate_text = interpolate_text
    if hasattr(response, "interpolate_text"):
        response.interpolate_text = interpolate_text


class _Borrowed:
    """`async with` on a shared session: hands it out and leaves it open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: object) -> bool:
        return False


def action_connections() -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.session
    sessions: dict[tuple, Any] = {}

    def session(self: EndpointConfig) -> Any:
        key = (
            id(asyncio.get_running_loop()),
            tuple(sorted(self.headers.items())),
            tuple(sorted(self.basic_auth.items())),
        )
        shared = sessions.get(key)
        if shared is None or shared.closed:
            shared = sessions[key] = original(self)
        return _Borrowed(shared)

    EndpointConfig.session = session  # type: ignore[method-assign]


def actions_without_tensorflow() -> None:
    if "spacy" in sys.modules or "tensorflow" in sys.modules:
        raise RuntimeError("too late: spaCy or TensorFlow is already imported")
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # `import tensorflow` raises ImportError


PATCHES: dict[str, Callable[[], None]] = {
    "action_validation": action_validation,
    "event_types": event_types,
    "redaction_memo": redaction_memo,
    "payloads": payloads,
    "action_connections": action_connections,
    "actions_without_tensorflow": actions_without_tensorflow,
}
# which process each patch belongs in: the module bot.privacy.launch runs
WHERE = {name: "rasa" for name in PATCHES} | {"actions_without_tensorflow": "rasa_sdk"}


def wanted(value: str | None) -> list[str]:
    names = [n.strip() for n in (value or "").split(",") if n.strip()]
    if names == ["all"]:
        return list(ALL)
    unknown = [n for n in names if n not in PATCHES]
    if unknown:
        raise SystemExit(f"unknown speed-up(s): {', '.join(unknown)}; known: {', '.join(ALL)}")
    return names


def apply(names: list[str], module: str) -> list[str]:
    """Apply the named patches that belong in a process running `module` (rasa, rasa_sdk); returns them."""
    applied = [name for name in names if WHERE[name] == module]
    for name in applied:
        PATCHES[name]()
    return applied


def main(argv: list[str]) -> None:
    apply(wanted(os.environ.get("PDA_BENCH_SPEEDUPS")), argv[0] if argv else "")
    from bot.privacy.launch import main as launch

    launch(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
