"""The benchmark's own parts: statistics, the load generator (against a fake REST server on loopback), memory
readings, the report and the candidate speed-ups. No timing is asserted here beyond "it stops by itself"."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest
from aiohttp import web

from bench import report
from bench.load import Script, Turn, percentile, run_level
from bench.procs import descendants, rss_kib, tree_rss_mb
from bench.scenarios import FAMILY_COUNT, families_csv, family, our_script
from bench.stock import stock_script


def test_percentile_interpolates_between_ranks():
    assert percentile([], 50) is None
    assert percentile([7.0], 99) == 7.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([5, 1, 3], 0) == 1 and percentile([5, 1, 3], 100) == 5
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


class FakeRasa:
    """A REST webhook on loopback: echoes, fails on 'fail', answers 'stall' slowly, and counts what it saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.seen.append((body["sender"], body["message"]))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if body["message"] == "fail":
                return web.Response(status=500, text="boom")
            if body["message"] == "stall":
                await asyncio.sleep(5)
            return web.json_response(
                [{"recipient_id": body["sender"], "text": f"you said {body['message']}"}]
            )
        finally:
            self.in_flight -= 1


async def _with_fake(test):  # type: ignore[no-untyped-def]
    return await _with_fake_server(FakeRasa(), test)


async def _with_fake_server(fake: FakeRasa, test):  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        return await test(fake, f"http://127.0.0.1:{port}/webhooks/rest/webhook")
    finally:
        await runner.cleanup()


def test_a_level_runs_its_conversations_with_the_asked_concurrency_in_order():
    script = Script("echo", (Turn("one", ("said one",)), Turn("two", ("said two",)), Turn("three")))

    async def test(fake, url):  # type: ignore[no-untyped-def]
        result = await run_level(
            url, 4, lambda i: script, max_conversations=10, max_seconds=30, sender_prefix="t"
        )
        return fake, result

    fake, result = asyncio.run(_with_fake(test))
    summary = result.summary()
    assert summary["messages"] == 30 and summary["conversations"] == 10
    assert summary["errors"] == 0 and summary["unexpected"] == 0
    assert fake.max_in_flight == 4
    for sender in {s for s, _ in fake.seen}:
        assert [m for s, m in fake.seen if s == sender] == ["one", "two", "three"]  # turns in order
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] <= summary["max_ms"]
    assert summary["throughput_msg_s"] > 0 and summary["kinds"] == {"echo": 10}


def test_failures_and_wrong_replies_are_counted_and_a_failed_conversation_stops():
    scripts = {
        0: Script("bad", (Turn("fail"), Turn("never sent"))),
        1: Script("odd", (Turn("hello", ("something else",)), Turn("bye"))),
    }

    async def test(fake, url):  # type: ignore[no-untyped-def]
        return fake, await run_level(url, 1, lambda i: scripts[i % 2], max_conversations=4, max_seconds=30)

    fake, result = asyncio.run(_with_fake(test))
    assert result.errors == 2 and result.unexpected == 2
    assert "never sent" not in [m for _, m in fake.seen]
    assert result.conversations == 2  # the two "odd" ones finished; the failed ones did not
    assert any("HTTP 500" in s for s in result.error_samples)


def test_a_level_stops_by_itself_when_its_time_is_up():
    stall = Script("stall", (Turn("stall"),))

    async def test(fake, url):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        result = await run_level(
            url, 2, lambda i: stall, max_conversations=1000, max_seconds=0.5, request_timeout_s=1, grace_s=1
        )
        return result, time.monotonic() - started

    result, took = asyncio.run(_with_fake(test))
    assert took < 10
    assert result.errors >= 2 and result.messages == 0


def test_memory_of_this_process_tree_is_read_from_proc():
    assert os.getpid() in descendants(os.getpid())
    assert rss_kib(os.getpid()) > 10_000
    assert tree_rss_mb(os.getpid()) >= rss_kib(os.getpid()) * 1024 / 1e6
    assert rss_kib(2**22 + 12345) == 0  # no such process


def test_our_scenarios_mix_and_families_are_unique(tmp_path):
    kinds = [our_script(i).kind for i in range(100)]
    assert {k: kinds.count(k) for k in set(kinds)} == {"topic": 50, "opt_out": 30, "status": 10, "crisis": 10}
    references = {family(i)[0] for i in range(FAMILY_COUNT)}
    assert len(references) == FAMILY_COUNT
    opt_out = our_script(5)
    assert opt_out.turns[-1].expect == ("your reference is",)
    lines = families_csv(tmp_path / "f.csv", 3).read_text().splitlines()
    assert lines[0] == "family_reference,child_date_of_birth" and len(lines) == 4
    assert {stock_script(i).kind for i in range(4)} == {
        "mood_great",
        "mood_sad",
        "mood_unhappy",
        "bot_challenge",
    }


def test_the_bench_families_import_into_the_records_database(records_db, tmp_path):
    from bot.records import service
    from bot.records.db import session_scope

    with session_scope() as session:
        service.import_families(session, families_csv(tmp_path / "f.csv", 20), actor="test")
    reference, born = family(7)
    with session_scope() as session:
        result = service.verify_identity(
            session,
            reference_text=reference.replace("-", " ").lower(),
            dob_text=f"{born.day}/{born.month}/{born.year}",
            conversation_id="bench-test",
            channel="rest",
        )
    assert result.status == "verified"


def _run(name: str, throughput: list[float], p95: list[float], **extra) -> dict:
    levels = [
        {
            "concurrency": c,
            "messages": 10,
            "conversations": 2,
            "throughput_msg_s": t,
            "p50_ms": p / 2,
            "p95_ms": p,
            "p99_ms": p,
            "errors": 0,
            "unexpected": 0,
        }
        for c, t, p in zip((1, 20), throughput, p95, strict=True)
    ]
    return {"description": name, "levels": levels, **extra}


def test_report_ratios_targets_table_json_and_png(tmp_path):
    ours = _run("ours", [20, 64], [100, 400], rss_peak_mb=950, ready_s=14, training_s=100)
    stock = _run("stock", [40, 32], [50, 800])
    rows = report.ratios(ours, stock)
    assert rows == [
        {"concurrency": 1, "throughput_ratio": 0.5, "p95_ratio": 2.0},
        {"concurrency": 20, "throughput_ratio": 2.0, "p95_ratio": 0.5},
    ]
    checks = report.target_check(ours, stock)
    assert all(c["met"] for c in checks.values())
    assert report.target_check({**ours, "ready_s": 25}, stock)["ready_s"]["met"] is False
    results = {"runs": {"ours": ours, "stock": stock}, "ours_vs_stock": rows, "targets": checks}
    text = report.table(results)
    assert "ours / stock" in text and "2.00x" in text and "NOT met" not in text
    report.write_json(results, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["ours_vs_stock"] == rows
    report.plot(results, tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _round(throughput: float, p95: float, errors: int = 0) -> dict:
    return {"concurrency": 20, "messages": 240, "conversations": 60, "throughput_msg_s": throughput,
            "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95, "errors": errors, "unexpected": 0}


def test_rounds_report_the_median_round_and_the_median_of_paired_ratios():
    # Round 2 ran while the machine was slow for both servers: paired ratios see through it, one pass would not.
    ours = report.median_round([_round(70, 300), _round(40, 600, errors=1), _round(60, 400)])
    stock = report.median_round([_round(35, 600), _round(20, 1200), _round(40, 500)])
    assert ours["throughput_msg_s"] == 60 and ours["p95_ms"] == 400  # the median round, whole
    assert ours["errors"] == 1  # a failure in another round is still counted
    assert [r["throughput_msg_s"] for r in ours["rounds"]] == [70, 40, 60]  # in the order run
    [row] = report.ratios({"levels": [ours]}, {"levels": [stock]})
    assert row["throughput_ratio_rounds"] == [2.0, 2.0, 1.5]
    assert row["throughput_ratio"] == 2.0  # not 60/35 from the two median rounds
    assert row["p95_ratio_rounds"] == [0.5, 0.5, 0.8] and row["p95_ratio"] == 0.5
    text = report.table({"runs": {"ours": {"levels": [ours]}, "stock": {"levels": [stock]}},
                         "ours_vs_stock": [row]})
    assert "median of 3 rounds: 2.00x, 2.00x, 1.50x" in text
    assert "msg/s 70.0, 40.0, 60.0" in text
    # an even count takes the lower middle round; one round is left as it was
    assert report.median_round([_round(50, 1), _round(30, 2)])["throughput_msg_s"] == 30
    single = _round(50, 1)
    assert report.median_round([single]) is single


def test_rounds_take_turns_in_alternating_order(tmp_path):
    from bench.__main__ import Runner, Target, _parser

    runner = Runner(_parser().parse_args(["--levels", "1,20", "--rounds", "3"]), "t", tmp_path)
    order: list[tuple[int, str, int]] = []

    def level(target, concurrency, turn=0):  # type: ignore[no-untyped-def]
        order.append((concurrency, target.name, turn))
        return _round(10.0 + turn, 100)

    runner._level = level  # type: ignore[method-assign]
    targets = [Target(name, "http://127.0.0.1:1/", our_script, [os.getpid()], {}, [], {}, lambda: None)
               for name in ("ours", "stock")]
    runner.measure(targets)
    assert order == [(c, name, turn) for c in (1, 20) for turn, names in
                     enumerate((("ours", "stock"), ("stock", "ours"), ("ours", "stock"))) for name in names]
    assert [len(lv["rounds"]) for lv in targets[0].levels] == [3, 3]
    assert targets[0].levels[0]["throughput_msg_s"] == 11.0
    with pytest.raises(SystemExit):
        Runner(_parser().parse_args(["--rounds", "0"]), "t", tmp_path)


def test_every_round_holds_new_conversations(tmp_path):
    """Against the fake server on loopback, run by the bench's own level loop: a second round must not send as
    the first round's parents, or the server would carry on their conversations (the first real --rounds run
    counted 432 unexpected replies that way)."""
    import threading

    from bench.__main__ import Runner, Target, _parser

    fake, ready, stop = FakeRasa(), threading.Event(), threading.Event()
    url: list[str] = []

    def serve() -> None:
        async def main() -> None:
            async def test(_fake, address):  # type: ignore[no-untyped-def]
                url.append(address)
                ready.set()
                while not stop.is_set():
                    await asyncio.sleep(0.01)

            await _with_fake_server(fake, test)

        asyncio.run(main())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        args = _parser().parse_args(["--levels", "2", "--per-user", "1", "--rounds", "2", "--quiet-wait", "0"])
        runner = Runner(args, "t", tmp_path)
        target = Target("ours", url[0], lambda i: Script("hi", (Turn(f"hello {i}", ("you said",)),)),
                        [os.getpid()], {}, [], {}, lambda: None)
        runner.measure([target])
    finally:
        stop.set()
        thread.join(10)
    senders = [sender for sender, _ in fake.seen]
    assert len(senders) == 20 and len(set(senders)) == 20  # 10 conversations a round, none shared
    [level] = target.levels
    assert level["unexpected"] == 0 and level["errors"] == 0 and len(level["rounds"]) == 2


def test_the_nlu_bench_runs_each_model_in_turns_and_counts_the_sentence_model(tmp_path):
    """`python -m bench.nlu` on the model `make test` trained, and a copy of it, in a child process (it applies the
    Rasa fixes of bot/speed.py, which must not leak into this one)."""
    import re
    import shutil
    import subprocess
    import sys

    from bench.nlu import bench_messages
    from bot.nlp.components import worth_meaning
    from bot.training import MODEL_PATH

    if not MODEL_PATH.exists():
        pytest.skip("no trained model: run `python -m bot train`")
    copy = shutil.copy2(MODEL_PATH, tmp_path / "copy.tar.gz")
    texts = bench_messages(20)
    assert texts[:2] == [t.text for t in our_script(0).turns][:2] and len(texts) == 80
    done = subprocess.run([sys.executable, "-m", "bench.nlu", str(MODEL_PATH), str(copy), "--limit", "20",
                           "--rounds", "2"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = re.findall(r"^  (.+): median ([\d.]+) \(rounds ([\d., ]+)\); sentence model ran on (\d+) of 80$",
                       done.stdout, re.M)
    assert [line[0] for line in lines] == [str(MODEL_PATH), str(copy)]
    for _, median, rounds, ran in lines:
        assert float(median) > 0 and len(rounds.split(", ")) == 2
        # only messages worth reading for meaning, and the same ones for the same model
        assert 0 < int(ran) <= sum(map(worth_meaning, texts))
    assert lines[0][3] == lines[1][3]
    bad = subprocess.run([sys.executable, "-m", "bench.nlu", str(tmp_path / "none.tar.gz")], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "no such model" in bad.stderr
