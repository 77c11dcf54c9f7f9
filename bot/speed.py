"""Fixes for costs the profile found in Rasa 3.6 and rasa-sdk 3.6, applied by `python -m bot.privacy.launch`.

Each fix replaces one Rasa function with one that gives the same result faster; none changes what the assistant
says or does. Measured with `python -m bench.profile` and `make bench` (figures in docs/scale-out.md, "Speed").

In Rasa (`rasa run`, and `rasa train` / `rasa test` when started by the launcher too):
- action_validation: Rasa checks every action-server reply with `jsonschema.validate()`, which first checks the
  schema itself against the JSON Schema meta-schema, on every call (52% of the server's time before), then
  tries each event against all ~25 event shapes. Build the check once; try each event's own shape only.
- domain_is_empty: for every message Rasa compares the whole domain, turned into a dict, with an empty one
  built from scratch. The domain does not change while the server runs: remember the answer.
- event_types: `Event.resolve_by_type` walks every Event subclass for every event it reads. Remember them.
- action_connections: Rasa opens a new HTTP session, so a new connection, for every action call. Keep one
  session per event loop and reuse its connections.
- form_checks_once: when a form starts, Rasa calls the form's check (validate_<form>) on the action server,
  and when that changes nothing, calls it again at once with the same conversation. Ask once: the first
  "opt me out" turn makes 2 action calls instead of 3.
- rule_matching: to predict each action RulePolicy checks every rule (137 of ours) against each turn of the
  conversation, parsing the rule's JSON key, reversing its list of states and turning lists into tuples every
  time (7% of the server's time). Do that once per rule; the checks are Rasa's own.
- slow_sends_give_way: Rasa's messages take places oldest first, a message about danger now before all
  (bot/oldest_first.py; that order is behaviour, installed by bot.privacy.launch whatever PDA_RASA_FIXES says).
  While a channel sends its replies to an outside service (Twilio, Meta), the message gives up its place so
  another can use the CPU meanwhile.
- memory_after_load: loading the model frees ~110 MB that glibc keeps for the process; hand it back to the
  system once the model is loaded (`malloc_trim`): 1007 -> 884 MB.
- training_without_cache (`rasa train`, `rasa test nlu`): Rasa fingerprints every component's input and output
  (each training example with all its features) to fill a training cache: 30% of the training's Python time.
  `bot.training` decides itself when to train and always trains everything: train without the cache.
- rasa_without_jax: TensorFlow imports JAX when it is installed, for TFLite conversion only (inside a
  try/except ImportError). Rasa never converts to TFLite: hiding JAX saves ~60 MB of the server's memory.

In the action server (`rasa_sdk`):
- actions_without_tensorflow: spaCy (used for log redaction) imports thinc, which imports TensorFlow whenever it
  is installed: 3 s and ~400 MB in a process that never uses it. Hide TensorFlow before spaCy is imported.

PDA_RASA_FIXES=none turns them all off (to measure Rasa as it comes, or to rule them out after an upgrade);
a comma-separated list applies only those. The default is all of them.

Each fix is guarded: it was written for the Rasa and rasa-sdk versions in WRITTEN_FOR, and PATCHES records a hash
of the source of every Rasa function or class it replaces or wraps. At start each fix checks both; on any
difference it is skipped with one warning naming what changed, never applied blind. After an upgrade,
tests/test_speed.py fails on each function whose source changed: read the new code, check the fix still gives
Rasa's results (the tests beside it), then record the new hash (`python -m bot.speed --hashes` prints them).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import importlib.metadata
import inspect
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


def _reply_validator(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A check of an action-server reply that accepts and rejects exactly what `jsonschema.validate(reply,
    schema)` does, faster. Rasa's schema says each event must match exactly one of ~25 event shapes (`oneOf`),
    told apart by the constant in `event`; jsonschema tries every shape for every event. This checks each event
    against its own shape only (no other shape can match it: their constants differ), and asks the full
    schema whenever that check fails, so that the error, if any, is Rasa's own."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    cls = validator_for(schema)
    cls.check_schema(schema)  # once, not on every reply
    full = cls(schema)
    items = schema["properties"]["events"]["items"]
    shapes = items.get("oneOf", [])
    base = {k: v for k, v in items.items() if k != "oneOf"}
    by_type = {}
    for shape in shapes:
        constant = shape.get("properties", {}).get("event", {}).get("const")
        if isinstance(constant, str):
            by_type[constant] = cls({"allOf": [base, shape]})
    if len(by_type) != len(shapes):  # not the schema this was written for: use the full check only
        return full.validate
    outer = cls({**schema, "properties": {**schema["properties"], "events": {"type": "array"}}})

    def validate(reply: dict[str, Any]) -> None:
        try:
            outer.validate(reply)
            for event in reply.get("events") or []:
                shape = by_type.get(event.get("event")) if isinstance(event, dict) else None
                if shape is None:
                    raise ValidationError("no such event")
                shape.validate(event)
        except ValidationError:
            full.validate(reply)  # raises Rasa's own error (and would accept what the full schema accepts)

    return validate


def action_validation() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    cache: dict[str, Any] = {}

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        validate = cache.get("validate")
        if validate is None:
            validate = cache["validate"] = _reply_validator(self.action_response_format_spec())
        try:
            validate(result)
            return True
        except ValidationError as e:  # the same message Rasa gives
            e.message += (
                ". Failed to validate Action server response from API, make sure your response from the "
                "Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def domain_is_empty() -> None:
    from rasa.shared.core.domain import Domain

    original = Domain.is_empty

    def is_empty(self: Domain) -> bool:
        known = self.__dict__.get("_pda_is_empty")
        if known is None:
            known = self.__dict__["_pda_is_empty"] = original(self)
        return known

    Domain.is_empty = is_empty  # type: ignore[method-assign]


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


def rule_matching() -> None:
    import json

    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.constants import PREVIOUS_ACTION

    matches = RulePolicy._does_rule_match_state
    reversed_states: dict[str, list[dict[str, Any]]] = {}  # rule key -> its states, newest first

    def states_of(key: str) -> list[dict[str, Any]]:
        found = reversed_states.get(key)
        if found is None:  # lists as tuples, as _does_rule_match_state compares them
            found = reversed_states[key] = [
                {kind: {k: tuple(v) if isinstance(v, list) else v for k, v in sub.items()} for kind, sub in s.items()}
                for s in reversed(json.loads(key))
            ]
        return found

    def _get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[dict[str, Any]]) -> set[str]:
        possible = list(lookup)
        for turn, state in enumerate(reversed(states)):
            conversation_started = bool(state.get(PREVIOUS_ACTION))
            still = []
            for key in possible:  # the tests of RulePolicy._is_rule_applicable, in its order
                rule = states_of(key)
                if turn >= len(rule):
                    still.append(key)
                    continue
                rule_started = bool(rule[turn].get(PREVIOUS_ACTION))
                if rule_started != conversation_started:
                    continue
                if not rule_started or matches(rule[turn], state):
                    still.append(key)
            possible = still
        return set(possible)

    RulePolicy._get_possible_keys = _get_possible_keys  # type: ignore[method-assign]


def form_checks_once() -> None:
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.events import ActiveLoop

    do = FormAction.do

    async def do_after_one_check(
        self: FormAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any, events_so_far: list[Any]
    ) -> list[Any]:
        just_activated = any(isinstance(e, ActiveLoop) and e.name == self.name() for e in events_so_far)
        nothing_changed = all(isinstance(e, ActiveLoop) for e in events_so_far)
        if just_activated and nothing_changed and self.get_slot_to_fill(tracker) is None:
            # Activation has just sent this same conversation to the form's check, which changed nothing:
            # Rasa's `do` would send it again (the same request, so the same empty answer) before asking.
            return await self.request_next_slot(tracker, domain, output_channel, nlg, events_so_far)
        return await do(self, output_channel, nlg, tracker, domain, events_so_far)

    FormAction.do = do_after_one_check  # type: ignore[method-assign]


class _Borrowed:
    """`async with` on a shared session: hands it out and leaves it open for the next call."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: object) -> bool:
        return False


def action_connections() -> None:
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.session
    sessions: dict[tuple, Any] = {}

    def session(self: EndpointConfig) -> Any:
        key = (
            id(asyncio.get_running_loop()),
            tuple(sorted((self.headers or {}).items())),
            tuple(sorted((self.basic_auth or {}).items())),
        )
        shared = sessions.get(key)
        if shared is None or shared.closed:
            shared = sessions[key] = original(self)
        return _Borrowed(shared)

    EndpointConfig.session = session  # type: ignore[method-assign]


def slow_sends_give_way() -> None:
    from rasa.core.processor import MessageProcessor

    from bot.oldest_first import GATE, io_free_output

    send_bot_messages = MessageProcessor._send_bot_messages

    async def gated_send_bot_messages(events: Any, tracker: Any, output_channel: Any) -> None:
        if io_free_output(output_channel):
            await send_bot_messages(events, tracker, output_channel)
        else:  # Twilio or Meta may be slow: let another message in meanwhile
            await GATE.io(lambda: send_bot_messages(events, tracker, output_channel))

    MessageProcessor._send_bot_messages = staticmethod(gated_send_bot_messages)  # type: ignore[method-assign]


def memory_after_load() -> None:
    import ctypes
    import gc

    from rasa.core import agent

    load_agent = agent.load_agent

    async def load_agent_then_trim(*args: Any, **kwargs: Any) -> Any:
        loaded = await load_agent(*args, **kwargs)
        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand the memory freed while loading back to the system
        except (OSError, AttributeError):  # not glibc: nothing to do
            pass
        return loaded

    agent.load_agent = load_agent_then_trim


def training_without_cache() -> None:
    from rasa.engine.graph import GraphNodeHook
    from rasa.engine.training import graph_trainer

    class NoCache(GraphNodeHook):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def on_before_node(self, *args: Any, **kwargs: Any) -> dict:
            return {}

        def on_after_node(self, *args: Any, **kwargs: Any) -> None:
            return None

    train = graph_trainer.GraphTrainer.train

    def train_everything(self: Any, model_configuration: Any, importer: Any, output_filename: Any,
                         force_retraining: bool = False, is_finetuning: bool = False) -> Any:
        return train(self, model_configuration, importer, output_filename, True, is_finetuning)

    graph_trainer.TrainingHook = NoCache  # type: ignore[misc,assignment]
    graph_trainer.GraphTrainer.train = train_everything  # type: ignore[method-assign]


def rasa_without_jax() -> None:
    if "tensorflow" in sys.modules or "jax" in sys.modules:
        raise RuntimeError("too late to hide JAX: TensorFlow or JAX is already imported")
    sys.modules["jax"] = None  # type: ignore[assignment]  # `import jax` now raises ImportError


def actions_without_tensorflow() -> None:
    if "spacy" in sys.modules or "tensorflow" in sys.modules:
        raise RuntimeError("too late to hide TensorFlow: spaCy or TensorFlow is already imported")
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # `import tensorflow` now raises ImportError


FIXES: dict[str, Callable[[], None]] = {  # applied in this order
    "rasa_without_jax": rasa_without_jax,  # first: the others import Rasa, which imports TensorFlow
    "action_validation": action_validation,
    "event_types": event_types,
    "domain_is_empty": domain_is_empty,
    "action_connections": action_connections,
    "form_checks_once": form_checks_once,
    "rule_matching": rule_matching,
    "slow_sends_give_way": slow_sends_give_way,
    "training_without_cache": training_without_cache,
    "memory_after_load": memory_after_load,
    "actions_without_tensorflow": actions_without_tensorflow,
}
# the module (as run by bot.privacy.launch) each fix belongs in
WHERE = {
    "action_validation": "rasa",
    "event_types": "rasa",
    "domain_is_empty": "rasa",
    "action_connections": "rasa",
    "form_checks_once": "rasa",
    "rule_matching": "rasa",
    "slow_sends_give_way": "rasa",
    "training_without_cache": "rasa",
    "memory_after_load": "rasa",
    "rasa_without_jax": "rasa",
    "actions_without_tensorflow": "rasa_sdk",
}


# What the fixes were written for: the installed packages' versions...
WRITTEN_FOR = {"rasa": "3.6.21", "rasa-sdk": "3.6.2"}
# ...and, for each fix, the Rasa code it replaces or wraps ("module:attribute.path") with the first 16 hex digits of
# the sha256 of its source (source_hash). The two fixes that only hide a package from an import patch no code.
PATCHES: dict[str, dict[str, str]] = {
    "rasa_without_jax": {},
    "action_validation": {"rasa.core.actions.action:RemoteAction._validate_action_result": "f8cdb4be68123961"},
    "event_types": {"rasa.shared.core.events:Event.resolve_by_type": "b5cf570fa7f286c7"},
    "domain_is_empty": {"rasa.shared.core.domain:Domain.is_empty": "884be90ef485f1d2"},
    "action_connections": {"rasa.utils.endpoints:EndpointConfig.session": "e55aa13d9d4fb4bc"},
    "form_checks_once": {"rasa.core.actions.forms:FormAction.do": "b3ff652bb26791a2"},
    "rule_matching": {
        "rasa.core.policies.rule_policy:RulePolicy._get_possible_keys": "2915fd81711e194c",
        "rasa.core.policies.rule_policy:RulePolicy._is_rule_applicable": "64a108b016b46e57",
        "rasa.core.policies.rule_policy:RulePolicy._does_rule_match_state": "d3109c1a97de319c",
    },
    "slow_sends_give_way": {"rasa.core.processor:MessageProcessor._send_bot_messages": "154f44b4e1d3a0d1"},
    "training_without_cache": {
        "rasa.engine.training.graph_trainer:GraphTrainer.train": "61837cd6d73a6cab",
        "rasa.engine.training.graph_trainer:TrainingHook": "2f73b837731d8ff4",
    },
    "memory_after_load": {"rasa.core.agent:load_agent": "abc2a4cb13cbbd2b"},
    "actions_without_tensorflow": {},
}


def resolve(target: str) -> Any:
    """The object a PATCHES key names: "module:Class.attribute"."""
    module_name, _, path = target.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in path.split("."):
        found = inspect.getattr_static(found, part)
        if isinstance(found, staticmethod | classmethod):
            found = found.__func__
    return found


def source_hash(target: str) -> str:
    return hashlib.sha256(inspect.getsource(resolve(target)).encode("utf-8")).hexdigest()[:16]


def mismatch(name: str) -> str | None:
    """Why fix `name` must not be applied here (another Rasa, rasa-sdk or patched code), or None."""
    for package, version in WRITTEN_FOR.items():
        try:
            found = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found = "not installed"
        if found != version:
            return f"written for {package} {version}, found {found}"
    for target, recorded in PATCHES[name].items():
        try:
            now = source_hash(target)
        except (ImportError, AttributeError, OSError, TypeError) as e:
            return f"{target} is not there as it was ({type(e).__name__}: {e})"
        if now != recorded:
            return f"{target} is not the code it was written for (source hash {now}, written for {recorded})"
    return None


def wanted(value: str | None) -> list[str]:
    """The fixes named by PDA_RASA_FIXES: unset, empty or `all` for all, `none` for none, or a list."""
    value = (value or "all").strip()
    if value == "all":
        return list(FIXES)
    if value == "none":
        return []
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIXES]
    if unknown:
        raise SystemExit(f"PDA_RASA_FIXES: unknown fix(es) {', '.join(unknown)}; known: {', '.join(FIXES)}")
    return names


def apply(module: str, value: str | None = None) -> list[str]:
    """Apply the wanted fixes that belong in a process running `module`; returns their names."""
    names = wanted(os.environ.get("PDA_RASA_FIXES") if value is None else value)
    applied = []
    for name in FIXES:  # in FIXES order
        if name not in names or WHERE[name] != module:
            continue
        problem = mismatch(name)
        if problem is not None:
            logger.warning("Rasa fix %s skipped, not applied: %s (bot/speed.py)", name, problem)
            continue
        FIXES[name]()
        applied.append(name)
    return applied


if __name__ == "__main__":
    if sys.argv[1:] != ["--hashes"]:
        raise SystemExit("usage: python -m bot.speed --hashes   (the source hash of each patched Rasa function)")
    for fix, targets in PATCHES.items():
        for target in targets:
            print(f"{fix}\t{target}\t{source_hash(target)}")
