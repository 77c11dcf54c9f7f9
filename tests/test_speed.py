"""bot/speed.py: each fix gives the same results as the Rasa code it replaces, and is applied only to the Rasa code
it was written for."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from jsonschema import ValidationError

from bot import speed
from bot.content.loader import REPO_ROOT


def test_wanted_names_all_none_and_lists():
    assert speed.wanted(None) == list(speed.FIXES)
    assert speed.wanted("event_types,rasa_without_jax") == ["event_types", "rasa_without_jax"]
    assert speed.wanted("all") == list(speed.FIXES)
    assert speed.wanted("none") == []
    assert speed.wanted("event_types, action_validation") == ["event_types", "action_validation"]
    with pytest.raises(SystemExit, match="unknown fix"):
        speed.wanted("event_types,make_it_fast")


def test_only_the_fixes_for_the_module_are_applied(monkeypatch):
    called = []
    monkeypatch.setattr(speed, "FIXES", {name: (lambda n=name: called.append(n)) for name in speed.FIXES})
    assert speed.apply("rasa", "all") == [
        "rasa_without_jax", "action_validation", "event_types", "domain_is_empty", "action_connections",
        "form_checks_once", "rule_matching", "slow_sends_give_way",
        "training_without_cache", "memory_after_load",
    ]
    assert speed.apply("rasa_sdk", "all") == ["actions_without_tensorflow"]
    assert speed.apply("bot.channels.webserver", "all") == []
    assert speed.apply("rasa", "none") == []
    assert called == [
        "rasa_without_jax", "action_validation", "event_types", "domain_is_empty", "action_connections",
        "form_checks_once", "rule_matching", "slow_sends_give_way",
        "training_without_cache", "memory_after_load", "actions_without_tensorflow",
    ]


@pytest.fixture
def patched(monkeypatch):
    """Apply a Rasa-server fix for one test and undo it afterwards."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.actions.forms import FormAction
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setattr(MessageProcessor, "handle_message", MessageProcessor.handle_message)
    monkeypatch.setattr(MessageProcessor, "_send_bot_messages", MessageProcessor._send_bot_messages)
    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    monkeypatch.setattr(FormAction, "do", FormAction.do)
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", RulePolicy._get_possible_keys)
    return lambda name: speed.FIXES[name]()


def _remote_action():
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    return RemoteAction("action_x", EndpointConfig("http://127.0.0.1:9/webhook"))


VALID = [
    {"events": [{"event": "slot", "name": "verified", "value": True}], "responses": [{"text": "hi"}]},
    {"events": [], "responses": []},
    {},
    {
        "events": [
            {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}},
            {"event": "active_loop", "name": None, "timestamp": None},
            {"event": "followup", "name": "action_listen"},
        ]
    },
]
INVALID = [
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"name": "x"}]},
    {"events": [{"event": "slot", "name": "verified"}]},  # a slot event needs a value
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": 5}]},
    {"events": ["slot"]},
    {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "user", "text": 5}]},  # the second is bad
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "yesterday"}]},
]


def test_action_validation_accepts_and_rejects_as_rasa_does(patched):
    action = _remote_action()
    rasa_verdicts = []
    for reply in [*VALID, *INVALID]:
        try:
            rasa_verdicts.append(action._validate_action_result(reply))
        except ValidationError:
            rasa_verdicts.append(False)
    patched("action_validation")
    for reply, verdict in zip([*VALID, *INVALID], rasa_verdicts, strict=True):
        if verdict:
            assert action._validate_action_result(reply) is True
        else:
            with pytest.raises(ValidationError, match="Failed to validate Action server response"):
                action._validate_action_result(reply)
    assert rasa_verdicts == [True] * len(VALID) + [False] * len(INVALID)  # the cases are what they say


def test_domain_is_empty_gives_rasas_answer(patched, monkeypatch):
    from rasa.shared.core.domain import Domain

    monkeypatch.setattr(Domain, "is_empty", Domain.is_empty)
    ours, empty = Domain.load(str(REPO_ROOT / "domain.yml")), Domain.empty()
    before = (ours.is_empty(), empty.is_empty())
    patched("domain_is_empty")
    assert (ours.is_empty(), empty.is_empty()) == (ours.is_empty(), empty.is_empty()) == before == (False, True)


def test_event_types_resolve_to_the_same_classes(patched):
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    names = sorted({cls.type_name for cls in all_subclasses(Event) if getattr(cls, "type_name", None)})
    before = {name: Event.resolve_by_type(name) for name in names}
    patched("event_types")
    for _ in range(2):  # the first call fills the memory, the second reads it
        assert {name: Event.resolve_by_type(name) for name in names} == before
    assert Event.resolve_by_type("no_such_event", default=dict) is dict
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def _trained_model():
    """The model `make test` trains before the tests run."""
    from bot.training import MODEL_PATH

    if not MODEL_PATH.exists():
        pytest.skip("no trained model: run `python -m bot train`")
    return MODEL_PATH


def _rule_lookup() -> dict:
    """The rules of the trained model (`make test` trains it before the tests run)."""
    import json
    import tarfile

    model = _trained_model()
    with tarfile.open(model) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("train_RulePolicy0/rule_policy.json"))
        return json.load(archive.extractfile(member))["lookup"]


def _conversations(rule_keys: list[str]) -> list[list[dict]]:
    """Conversation states around each rule: the rule itself, after another rule, with its last intent changed,
    cut short, and starting without a previous action."""
    import json

    def as_state(state: dict) -> dict:  # the featurizer gives tuples where the JSON of a rule has lists
        return {kind: {k: tuple(v) if isinstance(v, list) else v for k, v in sub.items()}
                for kind, sub in state.items()}

    rules = [[as_state(s) for s in json.loads(key)] for key in rule_keys]
    found = []
    for i, states in enumerate(rules):
        other = rules[(i * 7 + 3) % len(rules)]
        changed = [dict(s) for s in states]
        if "user" in changed[-1]:
            changed[-1] = {**changed[-1], "user": {**changed[-1]["user"], "intent": "greet"}}
        found += [states, other + states, changed, states[:-1] or states, [{**states[0], "prev_action": {}}]]
    return found


def test_rule_matching_finds_the_same_rules(patched):
    import json

    from rasa.core.policies.rule_policy import RulePolicy

    lookup = _rule_lookup()
    policy = RulePolicy.__new__(RulePolicy)  # _get_possible_keys reads nothing from the instance
    tables = [lookup[name] for name in ("rules", "rules_for_loop_unhappy_path") if lookup.get(name)]
    listen_greet = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}
    starts = {json.dumps(states): "utter_x" for states in (  # conversation starts: their slots are not compared
        [{"slots": {"verified": [1.0]}}, listen_greet], [{}, listen_greet], [{"slots": {"verified": [1.0]}}])}
    tables.append({**starts, **dict(list(tables[0].items())[:20])})
    cases = [(table, states) for table in tables for states in _conversations(list(table))]
    before = [policy._get_possible_keys(table, states) for table, states in cases]
    patched("rule_matching")
    after = [policy._get_possible_keys(table, states) for table, states in cases]
    assert after == before
    assert sum(1 for keys in before if keys) > len(cases) / 3 and any(not keys for keys in before)  # real cases


async def _start_form(form_name: str, check_reply: dict) -> tuple[list, list[str]]:
    """Run a form's first step against a stand-in action server on loopback; returns the events and the
    actions the server was asked to run."""
    from aiohttp import web
    from rasa.core.actions.forms import FormAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    asked: list[str] = []

    async def webhook(request: web.Request) -> web.Response:
        asked.append((await request.json())["next_action"])
        return web.json_response(check_reply)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        domain = Domain.load(str(REPO_ROOT / "domain.yml"))
        tracker = DialogueStateTracker.from_events(
            "parent",
            [ActionExecuted("action_listen"), UserUttered("opt me out", {"name": "opt_out", "confidence": 1.0})],
            domain.slots,
        )
        form = FormAction(form_name, EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        events = await form.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                tracker, domain)
    finally:
        await runner.cleanup()
    return events, asked


def test_form_checks_once_gives_rasas_events_with_one_call(patched):
    no_change = {"events": [], "responses": []}
    fills = {"events": [{"event": "slot", "name": "identity_reference", "value": "sealed"}], "responses": []}
    before = {reply: asyncio.run(_start_form("identity_form", body)) for reply, body in
              (("no_change", no_change), ("fills", fills))}
    patched("form_checks_once")
    after = {reply: asyncio.run(_start_form("identity_form", body)) for reply, body in
             (("no_change", no_change), ("fills", fills))}
    assert before["no_change"][1] == ["validate_identity_form"] * 2  # Rasa asks twice when nothing changed
    assert after["no_change"][1] == ["validate_identity_form"]
    assert before["fills"][1] == after["fills"][1] == ["validate_identity_form"]
    for reply in before:
        assert after[reply][0] == before[reply][0]
    assert any(getattr(e, "key", None) == "requested_slot" for e in after["no_change"][0])  # it asks the next


def test_action_connections_reuse_one_session_and_replace_a_closed_one(patched):
    from rasa.utils.endpoints import EndpointConfig

    patched("action_connections")
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def run():
        async with endpoint.session() as first:
            pass
        assert not first.closed  # left open for the next call
        async with endpoint.copy().session() as second:
            assert second is first
        other_headers = EndpointConfig("http://127.0.0.1:9/webhook", headers={"X-A": "1"})
        async with other_headers.session() as other:
            assert other is not first  # different headers: a session of its own
        await other.close()
        await first.close()
        async with endpoint.session() as third:
            assert third is not first and not third.closed
        await third.close()

    asyncio.run(run())


def test_slow_sends_give_way_lets_another_message_in_while_a_reply_goes_to_an_outside_channel(patched, monkeypatch):
    """With the crisis-first order in place (bot/oldest_first.py), a message sending to an outside channel (Twilio,
    Meta) gives up its place while it waits, so a newer one can run meanwhile."""
    from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import oldest_first

    monkeypatch.setattr(oldest_first, "GATE", oldest_first.OldestFirst(capacity=1))
    log: list[str] = []
    release = asyncio.Event()

    class SlowChannel(OutputChannel):  # like Twilio: sending waits for an outside service
        async def send_text_message(self, recipient_id, text, **kwargs):
            log.append(f"sending {text}")
            await release.wait()

    async def handle_message(self, message):  # stands in for Rasa's work on a message
        log.append(f"start {message.text}")
        if isinstance(message.output_channel, SlowChannel):
            tracker = DialogueStateTracker("sms-user", slots=[])
            await MessageProcessor._send_bot_messages([BotUttered("reply")], tracker, message.output_channel)
        log.append(f"end {message.text}")

    monkeypatch.setattr(MessageProcessor, "handle_message", handle_message)
    oldest_first.install()
    patched("slow_sends_give_way")
    processor = object.__new__(MessageProcessor)

    async def run():
        def send(text, channel=None):
            message = UserMessage(text, channel or CollectingOutputChannel())
            return asyncio.create_task(processor.handle_message(message))

        sms = send("sms", SlowChannel())
        await asyncio.sleep(0.01)
        await asyncio.wait_for(send("hi"), timeout=1)  # gets in while the SMS reply is being sent
        release.set()
        await sms
        assert log == ["start sms", "sending reply", "start hi", "end hi", "end sms"]
        assert oldest_first.GATE.held == 0

    asyncio.run(run())


@pytest.mark.parametrize("fix", [name for name, targets in speed.PATCHES.items() if targets])
def test_each_patched_rasa_function_is_the_code_its_fix_was_written_for(fix):
    """Fails when an upgrade changes the source of a Rasa function a fix replaces or wraps: read the new code,
    check the fix still gives Rasa's results, then record the new hash (`python -m bot.speed --hashes`)."""
    for target, recorded in speed.PATCHES[fix].items():
        assert speed.source_hash(target) == recorded, f"{fix}: the source of {target} changed"
    assert speed.mismatch(fix) is None


def test_every_fix_says_what_it_patches():
    assert set(speed.PATCHES) == set(speed.FIXES) == set(speed.WHERE)


def test_a_fix_for_other_rasa_code_is_skipped_with_one_warning_and_not_applied(monkeypatch, caplog):
    called = []
    monkeypatch.setattr(speed, "FIXES", {name: (lambda n=name: called.append(n)) for name in speed.FIXES})
    changed = dict(speed.PATCHES)
    changed["event_types"] = {"rasa.shared.core.events:Event.resolve_by_type": "0000000000000000"}
    changed["domain_is_empty"] = {"rasa.shared.core.domain:Domain.no_such_method": "0000000000000000"}
    monkeypatch.setattr(speed, "PATCHES", changed)
    with caplog.at_level("WARNING", logger="bot.speed"):
        applied = speed.apply("rasa", "event_types,domain_is_empty,rule_matching")
    assert applied == called == ["rule_matching"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.speed"]
    assert len(warnings) == 2
    assert "event_types skipped" in warnings[0] and "Event.resolve_by_type" in warnings[0]
    assert "domain_is_empty skipped" in warnings[1] and "no_such_method" in warnings[1]


def test_another_rasa_or_rasa_sdk_version_skips_every_fix(monkeypatch, caplog):
    called = []
    monkeypatch.setattr(speed, "FIXES", {name: (lambda n=name: called.append(n)) for name in speed.FIXES})
    monkeypatch.setattr(speed, "WRITTEN_FOR", {**speed.WRITTEN_FOR, "rasa-sdk": "3.5.0"})
    with caplog.at_level("WARNING", logger="bot.speed"):
        assert speed.apply("rasa_sdk", "all") == []
        assert speed.apply("rasa", "rasa_without_jax") == []
    assert called == []
    assert [("written for rasa-sdk 3.5.0" in r.getMessage()) for r in caplog.records] == [True, True]


def test_training_without_cache_trains_everything_and_fingerprints_nothing(monkeypatch):
    from rasa.engine.training import graph_trainer

    calls = []
    monkeypatch.setattr(graph_trainer, "TrainingHook", graph_trainer.TrainingHook)
    monkeypatch.setattr(graph_trainer.GraphTrainer, "train", lambda self, *args: calls.append(args) or "model")
    speed.training_without_cache()
    trainer = object.__new__(graph_trainer.GraphTrainer)
    assert trainer.train("config", "importer", "out.tar.gz") == "model"
    assert calls == [("config", "importer", "out.tar.gz", True, False)]  # forced: no fingerprint run
    hook = graph_trainer.TrainingHook(cache=None, model_storage=None, pruned_schema=None)
    assert hook.on_before_node("node", None, {}, {"training_data": object()}) == {}
    assert hook.on_after_node("node", None, {}, object(), {}) is None  # nothing fingerprinted or cached


def test_memory_after_load_returns_the_loaded_agent(monkeypatch):
    from rasa.core import agent

    async def load_agent(model_path=None, **kwargs):
        return ("agent", model_path, kwargs)

    monkeypatch.setattr(agent, "load_agent", load_agent)
    speed.memory_after_load()
    assert agent.load_agent is not load_agent
    loaded = asyncio.run(agent.load_agent(model_path="models/x.tar.gz", endpoints=None))
    assert loaded == ("agent", "models/x.tar.gz", {"endpoints": None})


def test_action_server_runs_without_tensorflow():
    code = (
        "import sys; from bot import speed; speed.apply('rasa_sdk', 'all');"
        "import spacy, actions.actions; spacy.blank('en')('ok');"
        "print('tensorflow' in sys.modules and sys.modules['tensorflow'] is not None)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
    with pytest.raises(RuntimeError, match="too late"):
        speed.actions_without_tensorflow()  # this test process has spaCy already


def test_rasa_runs_tensorflow_without_jax():
    code = (
        "import sys; from bot import speed; speed.apply('rasa', 'event_types,rasa_without_jax,action_validation');"
        "import tensorflow as tf, tensorflow.lite.python.util, rasa.core.agent;"
        "assert int(tf.constant(2) + 1) == 3;"
        "print(sorted(m for m in ('jax', 'jaxlib') if sys.modules.get(m) is not None))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
    import tensorflow  # noqa: F401

    with pytest.raises(RuntimeError, match="too late"):
        speed.rasa_without_jax()  # this test process has TensorFlow already


def test_the_domain_goes_only_to_the_form_checks(tmp_path, monkeypatch):
    """endpoints.yml turns on Rasa's selective domain: action calls no longer carry every response, except to
    the form checks (validate_*), which read the forms' slots from it."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    from bot import server

    monkeypatch.setattr(server, "RUNTIME_DIR", tmp_path)
    endpoint = read_endpoint_config(str(server.runtime_endpoints(5999)), "action_endpoint")
    assert endpoint.url == "http://127.0.0.1:5999/webhook"
    domain = Domain.load(str(REPO_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("parent", [], domain.slots)
    calls = {name: RemoteAction(name, endpoint)._action_call_format(tracker, domain)
             for name in ("action_start_task", "action_submit_task", "validate_identity_form")}
    assert "domain" not in calls["action_start_task"] and "domain" not in calls["action_submit_task"]
    assert "identity_form" in calls["validate_identity_form"]["domain"]["forms"]
