"""bot/oldest_first.py: messages get places oldest first, urgent ones first of all, and nothing gets stuck."""

from __future__ import annotations

import asyncio

import pytest

from bot.oldest_first import DEFAULT_CAPACITY, OldestFirst, _capacity_from_env


async def _message(gate: OldestFirst, name: str, log: list[str], release: asyncio.Event, urgent: bool = False):
    async with gate.message(urgent=urgent):
        log.append(f"start {name}")
        await release.wait()
        log.append(f"end {name}")


def test_capacity_is_a_positive_number(monkeypatch):
    with pytest.raises(ValueError):
        OldestFirst(capacity=0)
    for value, expected in (("6", 6), ("0", 1), ("-3", 1), ("lots", DEFAULT_CAPACITY), ("", DEFAULT_CAPACITY)):
        monkeypatch.setenv("PDA_MESSAGES_AT_ONCE", value)
        assert _capacity_from_env() == expected
    monkeypatch.delenv("PDA_MESSAGES_AT_ONCE")
    assert _capacity_from_env() == DEFAULT_CAPACITY


def test_the_oldest_waiting_message_goes_next_and_an_urgent_one_before_it():
    async def run():
        gate = OldestFirst(capacity=1)
        log: list[str] = []
        go = {name: asyncio.Event() for name in "ABCD"}
        tasks = []
        for name in "ABC":
            tasks.append(asyncio.create_task(_message(gate, name, log, go[name])))
            await asyncio.sleep(0.01)  # A, B, C arrive in this order
        tasks.append(asyncio.create_task(_message(gate, "D", log, go["D"], urgent=True)))
        await asyncio.sleep(0.01)
        assert log == ["start A"] and gate.waiting == 3 and gate.held == 1
        for event in go.values():
            event.set()
        await asyncio.gather(*tasks)
        assert log == ["start A", "end A", "start D", "end D", "start B", "end B", "start C", "end C"]
        assert gate.held == 0 and gate.waiting == 0 and gate.overflows == 0

    asyncio.run(run())


def test_two_places_let_two_messages_run_together():
    async def run():
        gate = OldestFirst(capacity=2)
        log: list[str] = []
        go = asyncio.Event()
        tasks = [asyncio.create_task(_message(gate, n, log, go)) for n in "ABC"]
        await asyncio.sleep(0.01)
        assert log == ["start A", "start B"] and gate.held == 2 and gate.waiting == 1
        go.set()
        await asyncio.gather(*tasks)
        assert gate.held == 0

    asyncio.run(run())


def test_a_message_that_waits_too_long_goes_on_without_a_place():
    async def run():
        gate = OldestFirst(capacity=1, max_wait_s=0.05)
        log: list[str] = []
        stuck, go = asyncio.Event(), asyncio.Event()
        holder = asyncio.create_task(_message(gate, "A", log, stuck))  # never lets go by itself
        await asyncio.sleep(0.01)
        go.set()
        await asyncio.wait_for(_message(gate, "B", log, go), timeout=2)
        assert log == ["start A", "start B", "end B"] and gate.overflows == 1
        stuck.set()
        await holder
        assert gate.held == 0 and gate.waiting == 0

    asyncio.run(run())


def test_a_cancelled_waiter_leaves_no_place_taken():
    async def run():
        gate = OldestFirst(capacity=1)
        log: list[str] = []
        go = asyncio.Event()
        first = asyncio.create_task(_message(gate, "A", log, go))
        await asyncio.sleep(0.01)
        waiter = asyncio.create_task(_message(gate, "B", log, go))
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        go.set()
        await first
        assert gate.held == 0 and gate.waiting == 0
        await _message(gate, "C", log, go)  # the place is free again
        assert log == ["start A", "end A", "start C", "end C"]

    asyncio.run(run())


def test_a_place_handed_to_a_waiter_as_it_is_cancelled_is_passed_on():
    async def run():
        gate = OldestFirst(capacity=1)
        log: list[str] = []
        go_a, go = asyncio.Event(), asyncio.Event()
        go.set()
        first = asyncio.create_task(_message(gate, "A", log, go_a))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(_message(gate, "B", log, go))
        third = asyncio.create_task(_message(gate, "C", log, go))
        await asyncio.sleep(0.01)
        go_a.set()
        second.cancel()  # A hands its place to B in the same step as B is cancelled
        await first
        with pytest.raises(asyncio.CancelledError):
            await second
        await asyncio.wait_for(third, timeout=1)
        assert "start C" in log and "start B" not in log
        assert gate.held == 0 and gate.overflows == 0

    asyncio.run(run())


def test_io_gives_the_place_up_and_takes_it_back():
    async def run():
        gate = OldestFirst(capacity=1)
        log: list[str] = []
        sent, go = asyncio.Event(), asyncio.Event()
        go.set()

        async def slow_send() -> str:
            log.append("sending")
            await sent.wait()
            return "sent"

        async def with_io():
            async with gate.message():
                log.append("start A")
                assert await gate.io(slow_send) == "sent"
                log.append("end A")

        first = asyncio.create_task(with_io())
        await asyncio.sleep(0.01)
        await _message(gate, "B", log, go)  # gets in while A waits for the channel
        sent.set()
        await first
        assert log == ["start A", "sending", "start B", "end B", "end A"]
        assert gate.held == 0

    asyncio.run(run())


def test_io_outside_a_message_and_nested_messages_need_no_place():
    async def run():
        gate = OldestFirst(capacity=1)

        async def value() -> int:
            return 7

        assert await gate.io(value) == 7 and gate.held == 0
        async with gate.message():
            async with gate.message():  # Rasa handling a message from inside one: no deadlock
                assert gate.held == 1
        assert gate.held == 0

    asyncio.run(run())


def test_an_error_during_io_still_takes_the_place_back_and_frees_it_at_the_end():
    async def run():
        gate = OldestFirst(capacity=1)

        async def fails() -> None:
            raise OSError("connection reset")

        async with gate.message():
            with pytest.raises(OSError):
                await gate.io(fails)
            assert gate.held == 1
        assert gate.held == 0

    asyncio.run(run())


@pytest.fixture
def rasa_handle_message(monkeypatch):
    """Rasa's MessageProcessor.handle_message replaced, for one test, by a stand-in that logs and waits."""
    from rasa.core.processor import MessageProcessor

    from bot import oldest_first

    monkeypatch.setattr(oldest_first, "GATE", OldestFirst(capacity=1))
    log: list[str] = []
    release = asyncio.Event()

    async def handle_message(self, message):  # stands in for Rasa's work on a message
        log.append(f"start {message.text}")
        if message.text == "opt me out":
            await release.wait()
        log.append(f"end {message.text}")

    monkeypatch.setattr(MessageProcessor, "handle_message", handle_message)
    return log, release


def test_a_crisis_message_goes_before_waiting_ones_even_with_every_rasa_fix_off(rasa_handle_message, monkeypatch):
    """The order is installed by the launcher for every Rasa server, PDA_RASA_FIXES=none included."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.processor import MessageProcessor

    from bot.privacy import launch

    log, release = rasa_handle_message
    monkeypatch.setenv("PDA_RASA_FIXES", "none")
    monkeypatch.setattr(launch.runpy, "run_module", lambda *a, **k: None)  # everything but Rasa's own start
    monkeypatch.setattr(launch.logs, "install", lambda: None)
    launch.main(["rasa", "run"])
    processor = object.__new__(MessageProcessor)

    async def run():
        def send(text):
            return asyncio.create_task(processor.handle_message(UserMessage(text, CollectingOutputChannel())))

        first = send("opt me out")
        await asyncio.sleep(0.01)
        waiting = [send("what is data linking")]
        await asyncio.sleep(0.01)
        waiting.append(send("he's going to hurt the kids tonight"))
        await asyncio.sleep(0.01)
        assert log == ["start opt me out"]
        release.set()
        await asyncio.gather(first, *waiting)
        assert log == [
            "start opt me out", "end opt me out",
            "start he's going to hurt the kids tonight", "end he's going to hurt the kids tonight",
            "start what is data linking", "end what is data linking",
        ]

    asyncio.run(run())


def test_the_order_is_installed_once_and_refuses_a_handle_message_it_was_not_written_for(monkeypatch):
    from rasa.core.processor import MessageProcessor

    from bot import oldest_first

    async def handle_message(self, message):
        return None

    monkeypatch.setattr(MessageProcessor, "handle_message", handle_message)
    oldest_first.install()
    wrapped = MessageProcessor.handle_message
    assert wrapped is not handle_message
    oldest_first.install()
    assert MessageProcessor.handle_message is wrapped  # not wrapped twice

    async def handle_message_v4(self, message, deadline):
        return None

    monkeypatch.setattr(MessageProcessor, "handle_message", handle_message_v4)
    with pytest.raises(RuntimeError, match="handle_message"):
        oldest_first.install()
