"""Where our Rasa server spends its time under load: `python -m bench.profile` (pyinstrument).

Starts the action server and the Rasa server as bench does, but the Rasa server runs inside this module's
child mode, which profiles its main thread (where Rasa runs the pipeline, the policies and the tracker store)
from SIGUSR1 to SIGUSR2 only: start-up and warm-up are left out. Writes results/profile-rasa.html, .txt and
.pyisession (`python -m pyinstrument --load results/profile-rasa.pyisession` renders it again).

    python -m bench.profile [--users 5] [--conversations 60] [--env KEY=VALUE ...]

`--env PDA_RASA_FIXES=none` profiles Rasa without the fixes of bot/speed.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.content.loader import REPO_ROOT


def child(out: Path, argv: list[str]) -> None:
    """Run `python -m bot.privacy.launch <argv>`, profiled from SIGUSR1 (start) to SIGUSR2 (stop)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")

    def start(*_: object) -> None:
        profiler.start()

    def finish(*_: object) -> None:
        session = profiler.stop()
        from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer

        out.with_suffix(".html").write_text(HTMLRenderer().render(session), encoding="utf-8")
        session.save(out.with_suffix(".pyisession"))
        text = ConsoleRenderer(
            unicode=False,
            color=False,
            show_all=True,
            time="percent_of_total",
            processor_options={"filter_threshold": 0.005},
        ).render(session)
        out.with_suffix(".txt").write_text(text, encoding="utf-8")

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, finish)
    from bot.privacy.launch import main

    main(argv)


def _profile_under_load(url: str, rasa: subprocess.Popen, out: Path, users: int, conversations: int) -> int:
    from bench.load import run_level
    from bench.scenarios import our_script

    for index in (0, 5, 8, 9):
        asyncio.run(
            run_level(
                url,
                1,
                lambda i, n=index: our_script(n),
                max_conversations=1,
                max_seconds=60,
                sender_prefix=f"warm-{index}-{time.time()}",
            )
        )
    rasa.send_signal(signal.SIGUSR1)
    time.sleep(0.5)
    result = asyncio.run(
        run_level(
            url,
            users,
            lambda i: our_script(100 + i),
            max_conversations=conversations,
            max_seconds=120,
            sender_prefix=f"profile-{time.time()}",
        )
    )
    rasa.send_signal(signal.SIGUSR2)
    deadline = time.monotonic() + 60
    while not out.with_suffix(".txt").exists():
        if time.monotonic() > deadline:
            print("the profile was not written", file=sys.stderr)
            return 1
        time.sleep(0.5)
    time.sleep(1)
    summary = result.summary()
    print(
        f"{summary['messages']} messages at {users} users: {summary['throughput_msg_s']} msg/s, "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, errors {summary['errors']}"
    )
    print(f"Profile: {out.with_suffix('.html')}, .txt and .pyisession")
    return 0


def _scaled(out: Path, model: Path, work: Path, env: dict[str, str], users: int, conversations: int) -> int:
    """One Rasa instance + one action server on the scaled configuration (PostgreSQL, Redis, nginx)."""
    import uuid

    from bench.ours import prepare_records
    from bench.procs import free_port
    from bot import scaled

    user, why = scaled.find_postgres_user()
    if user is None:
        print(f"PostgreSQL is not answering: {why}", file=sys.stderr)
        return 1
    tag = uuid.uuid4().hex[:8]
    pg = scaled.Postgres(user=user, schema=f"profile_{tag}")
    redis = scaled.Redis(lock_db=13, lock_prefix=f"profile{tag}")
    layout = scaled.Layout(
        rasa_ports=[free_port()],
        action_ports=[free_port()],
        public_port=free_port(),
        actions_port=free_port(),
    )
    deployment = scaled.Deployment(
        pg,
        redis,
        layout,
        work / "scaled",
        model=model,
        rasa_launcher="bench.profile",
        extra_env={**env, "PDA_PROFILE_OUT": str(out)},
    )
    try:
        scaled.prepare_database(pg)
        prepare_records(pg.records_url(), work)
        deployment.start()
        if not deployment.wait_until_up():
            print(f"the deployment did not start; see {work / 'scaled'}", file=sys.stderr)
            return 1
        return _profile_under_load(
            deployment.rasa_url(0), deployment.processes["rasa-1"], out, users, conversations
        )
    finally:
        deployment.stop()
        from bot.records.db import dispose_engine

        dispose_engine(pg.records_url())
        scaled.drop_schema(pg)
        scaled.clear_locks(redis)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(Path(argv[1]), argv[2:])
        return 0
    if os.environ.get("PDA_PROFILE_OUT"):  # started by bot.scaled.Deployment(rasa_launcher="bench.profile")
        child(Path(os.environ["PDA_PROFILE_OUT"]), argv)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="profile a Rasa instance of the scaled configuration (PostgreSQL, Redis, nginx)",
    )
    parser.add_argument("--out", default="results/profile-rasa")
    args = parser.parse_args(argv)

    from bench.__main__ import _env_pairs, _wait
    from bench.ours import _env, _with_model, prepare_records, snapshot_model
    from bench.procs import HOST, free_port
    from bot import env as bot_env
    from bot.server import action_server_command, rasa_server_command, runtime_endpoints, stop

    bot_env.apply()
    work = Path(tempfile.mkdtemp(prefix="pda-profile-"))
    out = (REPO_ROOT / args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in (out.with_suffix(".txt"), out.with_suffix(".html"), out.with_suffix(".pyisession")):
        old.unlink(missing_ok=True)
    model = snapshot_model(work / "assistant.tar.gz")
    if args.scaled:
        return _scaled(out, model, work, _env_pairs(args.env), args.users, args.conversations)
    database_url = f"sqlite:///{work / 'records.db'}"
    prepare_records(database_url, work)
    rasa_port, actions_port = free_port(), free_port()
    env = _env({"DATABASE_URL": database_url, **_env_pairs(args.env)})
    rasa_command = _with_model(rasa_server_command(rasa_port, runtime_endpoints(actions_port)), model)
    rasa_command = [sys.executable, "-m", "bench.profile", "--child", str(out), *rasa_command[3:]]
    log = open(work / "servers.log", "ab")  # noqa: SIM115
    processes = [
        subprocess.Popen(action_server_command(actions_port), cwd=REPO_ROOT, env=env, stdout=log, stderr=log),
        subprocess.Popen(rasa_command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log),
    ]
    try:
        if not _wait(
            [f"http://{HOST}:{actions_port}/health", f"http://{HOST}:{rasa_port}/webhooks/rest/"], processes
        ):
            print(f"servers did not start; see {work / 'servers.log'}", file=sys.stderr)
            return 1
        return _profile_under_load(
            f"http://{HOST}:{rasa_port}/webhooks/rest/webhook",
            processes[1],
            out,
            args.users,
            args.conversations,
        )
    finally:
        stop(processes)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
