"""`python -m bench` (make bench): our assistant against the stock `rasa init` bot, at 1-40 concurrent users.

The servers start one after the other (each timed to ready on its own), on free loopback ports, and stay up:
ours, the stock bot, and the scaled deployment when asked (with --also-without-fixes, ours without bot/speed.py
too). After a short warm-up (not counted), each concurrency level runs on each server in turn while the others
sit idle, so the figures compared are measured minutes apart, and before each level the bench waits for the
rest of the machine to be quiet. The machine's own speed drifts by up to a third within minutes (one model
measured 70.6 then 47.7 msg/s at 20 users, two minutes apart), so `--rounds 3` runs every level three times,
the servers taking turns in alternating order, and reports the median round and the median of the rounds'
ratios. Memory is sampled throughout and the CPU time of every process noted per level. Prints a table and
writes results/bench.json and results/bench.png. Nothing here asserts a time: the figures are for people to
read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import report
from bench.load import Script, run_level
from bench.ours import prepare_records, snapshot_model, start_ours, train_timed
from bench.procs import (
    HOST,
    RssSampler,
    cpu_seconds,
    free_port,
    machine_busy_seconds,
    tree_rss_mb,
    wait_until_quiet,
)
from bench.scenarios import our_script
from bench.stock import ensure_stock, start_stock, stock_script
from bot.content.loader import REPO_ROOT

LEVELS = (1, 5, 10, 20, 40)
BENCH_REDIS_DB = 13


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--levels", default=",".join(map(str, LEVELS)), help="concurrent conversations, e.g. 1,5,20"
    )
    p.add_argument("--per-user", type=int, default=4, help="conversations per simulated user at each level")
    p.add_argument("--level-seconds", type=float, default=60, help="no new conversation after this long")
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run each level this many times, the servers taking turns in alternating order (ours, stock, then "
        "stock, ours); figures are the median round's, ratios the median of each round's",
    )
    p.add_argument("--only", choices=["ours", "stock"], help="run one side only (no ratios)")
    p.add_argument(
        "--scaled",
        action="store_true",
        default=os.environ.get("SCALED") == "1",
        help="also run the scaled deployment (2 Rasa + 2 action servers + nginx, PostgreSQL, Redis)",
    )
    p.add_argument("--rasa-instances", type=int, default=2, help="Rasa instances in the scaled run")
    p.add_argument(
        "--postgres", action="store_true", help="records on PostgreSQL for ours (default: temp SQLite)"
    )
    p.add_argument(
        "--no-train",
        action="store_true",
        help="serve models/assistant.tar.gz and reuse the last training figure instead of timing one",
    )
    p.add_argument(
        "--config", default="config.yml", help="pipeline to train ours with (to compare pipelines)"
    )
    p.add_argument(
        "--retrain-stock", action="store_true", help="make the stock bot again (times its training)"
    )
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for our servers, e.g. TF_INTRA_OP_PARALLELISM_THREADS=1 (repeatable)",
    )
    p.add_argument(
        "--also-without-fixes",
        action="store_true",
        help="also run our assistant without the Rasa fixes of bot/speed.py (ours_without_fixes), in the same run",
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=90,
        metavar="SECONDS",
        help="before each level, wait up to this long for other processes to leave the CPU (0: never)",
    )
    p.add_argument("--out", default="results/bench.json")
    p.add_argument(
        "--doc",
        default=None,
        metavar="GUIDE",
        help="also put the printed figures into this guide's results section (make bench: docs/scale-out.md)",
    )
    p.add_argument("--png", default="results/bench.png")
    return p


def _env_pairs(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--env takes KEY=VALUE, not {pair!r}")
        env[key] = value
    return env


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _wait(urls: list[str], processes: list, timeout_s: float = 300) -> bool:
    from bot.server import wait_until_up

    deadline = time.monotonic() + timeout_s
    return all(wait_until_up(u, processes, max(1.0, deadline - time.monotonic())) for u in urls)


@dataclass
class Target:
    """One assistant under test, started and ready; levels are appended as they are measured."""

    name: str
    url: str
    scripts: Callable[[int], Script]
    rasa_pids: list[int]
    groups: dict[str, list[int]]  # CPU accounting: "rasa", "actions", "nginx"
    warmup: list[int]
    info: dict[str, Any]
    stop: Callable[[], None]
    levels: list[dict[str, Any]] = field(default_factory=list)

    def pids(self) -> list[int]:
        return [p for pids in self.groups.values() for p in pids]


class Runner:
    def __init__(self, args: argparse.Namespace, run_id: str, logs: Path) -> None:
        self.args = args
        self.run_id = run_id
        self.logs = logs
        self.levels = [int(x) for x in args.levels.split(",") if x.strip()]
        if not self.levels or any(c < 1 for c in self.levels):
            raise SystemExit("--levels must be positive numbers, e.g. 1,5,10,20,40")
        if args.rounds < 1:
            raise SystemExit("--rounds must be 1 or more")
        self.next_conversation = 0  # conversation numbers (and so bench families) are never reused in a run

    # ------------------------------------------------------------------------------------------ measuring

    def measure(self, targets: list[Target]) -> None:
        """Warm every target up, then each level on each target in turn (ours, stock, ... at 1 user, then at 5
        users, ...): figures compared with each other are measured minutes apart, not a run apart. With --rounds,
        each level runs that many times, in alternating order, so a drift in the machine's speed falls on every
        target alike. Only the target being driven is busy; the others sit idle. Memory is sampled throughout."""
        for target in targets:
            for index in target.warmup:  # one conversation of each kind, one at a time, not counted
                asyncio.run(
                    run_level(
                        target.url,
                        1,
                        self._numbered(target.scripts, self.next_conversation + index),
                        max_conversations=1,
                        max_seconds=120,
                        request_timeout_s=120,
                        sender_prefix=f"warm-{self.run_id}-{target.name}-{index}",
                    )
                )
            self.next_conversation += max(target.warmup, default=0) + 1
            target.info["rss_idle_mb"] = round(sum(tree_rss_mb(p) for p in target.rasa_pids), 1)
        samplers = [RssSampler(t.rasa_pids) for t in targets]
        for sampler in samplers:
            sampler.__enter__()
        try:
            for concurrency in self.levels:
                rounds: dict[str, list[dict[str, Any]]] = {target.name: [] for target in targets}
                for turn in range(self.args.rounds):
                    for target in targets if turn % 2 == 0 else targets[::-1]:
                        rounds[target.name].append(self._level(target, concurrency, turn))
                for target in targets:
                    target.levels.append(report.median_round(rounds[target.name]))
        finally:
            for target, sampler in zip(targets, samplers, strict=True):
                sampler.__exit__(None, None, None)
                target.info["rss_peak_mb"] = round(sampler.peak_mb, 1)
                target.info["rss_after_mb"] = round(sum(tree_rss_mb(p) for p in target.rasa_pids), 1)

    @staticmethod
    def _numbered(scripts: Callable[[int], Script], base: int) -> Callable[[int], Script]:
        return lambda i: scripts(base + i)

    def _level(self, target: Target, concurrency: int, turn: int = 0) -> dict[str, Any]:
        count = max(self.args.per_user * concurrency, 10)
        print(
            f"  {target.name}: {concurrency} concurrent conversations (up to {count}, "
            f"{self.args.level_seconds:.0f} s)"
            + (f", round {turn + 1} of {self.args.rounds}" if self.args.rounds > 1 else "")
            + "...",
            flush=True,
        )
        waited, busy = wait_until_quiet(target.pids(), self.args.quiet_wait)

        def cpu() -> dict[str, float]:
            used = {k: sum(cpu_seconds(p) for p in pids) for k, pids in target.groups.items() if pids}
            used["load_generator"] = cpu_seconds(os.getpid(), tree=False)
            used["machine"] = machine_busy_seconds()
            return used

        before = cpu()
        result = asyncio.run(
            run_level(
                target.url,
                concurrency,
                self._numbered(target.scripts, self.next_conversation),
                max_conversations=count,
                max_seconds=self.args.level_seconds,
                # unique in the run: a round that reused a sender would continue an earlier conversation
                sender_prefix=f"bench-{self.run_id}-{target.name}-{concurrency}-{self.next_conversation}",
            )
        )
        self.next_conversation += count
        summary = result.summary()
        spent = {k: v - before[k] for k, v in cpu().items()}
        machine = spent.pop("machine")
        # what the rest of the machine used meanwhile: other people's work distorts the figures
        # (in the scaled run this includes PostgreSQL and Redis, which are not our children)
        spent["others"] = max(0.0, machine - sum(spent.values()))
        summary["others_cpu_pct"] = round(100 * spent["others"] / (result.wall_s * (os.cpu_count() or 1)), 1)
        summary["cpu_s"] = {k: round(v, 1) for k, v in spent.items()}
        summary["cpu_ms_per_msg"] = {
            k: round(1000 * v / max(1, result.messages), 1) for k, v in spent.items()
        }
        summary["waited_for_quiet_s"] = round(waited, 1)
        summary["others_busy_before_pct"] = round(100 * busy, 1)
        return summary

    # ------------------------------------------------------------------------------------------- starting

    def ours(
        self, name: str, model: Path, database_url: str, training: dict[str, Any], fixes: bool = True
    ) -> Target | dict[str, Any]:
        from bot.server import stop

        rasa_port, actions_port = free_port(), free_port()
        extra = _env_pairs(self.args.env) | ({} if fixes else {"PDA_RASA_FIXES": "none"})
        started = time.monotonic()
        processes = start_ours(rasa_port, actions_port, model, database_url, extra, self.logs / f"{name}.log")
        ok = _wait(
            [f"http://{HOST}:{actions_port}/health", f"http://{HOST}:{rasa_port}/webhooks/rest/"], processes
        )
        ready_s = time.monotonic() - started
        if not ok:
            stop(processes)
            return {"error": f"did not start; see {self.logs / f'{name}.log'}"}
        what = "as the product runs it" if fixes else "without the Rasa fixes of bot/speed.py"
        return Target(
            name=name,
            url=f"http://{HOST}:{rasa_port}/webhooks/rest/webhook",
            scripts=our_script,
            rasa_pids=[processes[1].pid],
            groups={"rasa": [processes[1].pid], "actions": [processes[0].pid]},
            warmup=[0, 5, 8, 9],
            info={
                "description": f"our assistant, 1 Rasa + 1 action server, {what}",
                "ready_s": round(ready_s, 1),
                "rss_actions_mb": round(tree_rss_mb(processes[0].pid), 1),
                "env": extra,
                **training,
            },
            stop=lambda: stop(processes),
        )

    def stock(self) -> Target | dict[str, Any]:
        from bot.server import stop

        project = ensure_stock(force=self.args.retrain_stock, log=self.logs / "stock-init.log")
        port = free_port()
        started = time.monotonic()
        process = start_stock(project, port, log=self.logs / "stock.log")
        ok = _wait([f"http://{HOST}:{port}/webhooks/rest/"], [process])
        ready_s = time.monotonic() - started
        if not ok:
            stop([process])
            return {"error": f"did not start; see {self.logs / 'stock.log'}"}
        return Target(
            name="stock",
            url=f"http://{HOST}:{port}/webhooks/rest/webhook",
            scripts=stock_script,
            rasa_pids=[process.pid],
            groups={"rasa": [process.pid]},
            warmup=[0, 1, 2, 3],
            info={
                "description": "stock `rasa init --no-prompt` bot (1 Rasa, no action server)",
                "ready_s": round(ready_s, 1),
                "training_s": project.training_s,
                "training_cached": project.cached,
                "trained_at": project.trained_at,
            },
            stop=lambda: stop([process]),
        )

    def scaled(self, model: Path, work: Path) -> Target | dict[str, Any]:
        from bot import scaled
        from bot.records.db import dispose_engine

        user, why = scaled.find_postgres_user()
        problem = (
            (None if user else f"PostgreSQL: {why}")
            or scaled.redis_problem(scaled.Redis(lock_db=BENCH_REDIS_DB))
            or (None if scaled.nginx_binary() else "nginx is not installed")
        )
        if problem:
            return {"error": f"scaled run skipped: {problem}"}
        pg = scaled.Postgres(user=user or "postgres", schema=f"bench_{self.run_id}")
        redis = scaled.Redis(lock_db=BENCH_REDIS_DB, lock_prefix=f"bench{self.run_id}")
        n = self.args.rasa_instances
        layout = scaled.Layout(
            rasa_ports=[free_port() for _ in range(n)],
            action_ports=[free_port() for _ in range(n)],
            public_port=free_port(),
            actions_port=free_port(),
        )
        deployment = scaled.Deployment(
            pg, redis, layout, self.logs / "scaled", model=model, extra_env=_env_pairs(self.args.env)
        )

        def stop() -> None:
            deployment.stop()
            dispose_engine(pg.records_url())
            scaled.drop_schema(pg)
            scaled.clear_locks(redis)

        scaled.prepare_database(pg)
        prepare_records(pg.records_url(), work)
        started = time.monotonic()
        deployment.start()
        ok = deployment.wait_until_up()
        ready_s = time.monotonic() - started
        if not ok:
            stop()
            return {"error": f"did not start ({deployment.dead()}); see {self.logs / 'scaled'}"}
        rasa = [deployment.processes[f"rasa-{i + 1}"].pid for i in range(n)]
        actions = [deployment.processes[f"actions-{i + 1}"].pid for i in range(n)]
        return Target(
            name="scaled",
            url=deployment.public_url,
            scripts=our_script,
            rasa_pids=rasa,
            groups={"rasa": rasa, "actions": actions, "nginx": [deployment.processes["nginx"].pid]},
            warmup=[0, 5, 8, 9],
            info={
                "description": f"scaled: {n} Rasa + {n} action servers behind nginx, PostgreSQL + Redis",
                "ready_s": round(ready_s, 1),
                "rss_actions_mb": round(sum(tree_rss_mb(p) for p in actions), 1),
            },
            stop=stop,
        )


def _previous_training(results_dir: Path, config: str) -> tuple[float | None, str | None]:
    """Our training time from the newest earlier run that timed one with the same pipeline (for runs that do
    not train)."""
    import json

    for path in sorted(results_dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            earlier = json.loads(path.read_text())
            run = earlier["runs"]["ours"]
            if earlier["settings"]["config"] != config:
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if run.get("training_s") is not None and not run.get("training_cached"):
            return run["training_s"], path.name
    return None, None


def main(argv: list[str] | None = None) -> int:
    from bot import env as bot_env

    bot_env.apply()
    args = _parser().parse_args(argv)
    run_id = uuid.uuid4().hex[:8]
    logs = REPO_ROOT / "var" / "bench" / run_id
    logs.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pda-bench-"))
    out, png = REPO_ROOT / args.out, REPO_ROOT / args.png
    runner = Runner(args, run_id, logs)
    results: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%d %H:%M"),
        "rasa_version": version("rasa"),
        "machine": {"cpus": os.cpu_count(), "loadavg_at_start": _loadavg()},
        "settings": {
            "levels": runner.levels,
            "per_user": args.per_user,
            "rounds": args.rounds,
            "level_seconds": args.level_seconds,
            "config": args.config,
            "env": _env_pairs(args.env),
            "also_without_fixes": args.also_without_fixes,
            "quiet_wait_s": args.quiet_wait,
            "records": "postgresql" if args.postgres else "sqlite",
        },
        "runs": {},
        "logs": str(logs),
    }
    print(f"Benchmark {run_id}: logs in {logs}", flush=True)
    pg = None
    targets: list[Target] = []
    runs = results["runs"]

    def started(name: str, target: Target | dict[str, Any]) -> None:
        if isinstance(target, Target):
            targets.append(target)
            print(f"  {name} ready in {target.info['ready_s']:.1f} s", flush=True)
        else:
            runs[name] = target

    try:
        if args.only != "stock" or args.scaled:
            if args.no_train:
                model = snapshot_model(work / "assistant.tar.gz")
                seconds, source = _previous_training(REPO_ROOT / "results", args.config)
                training = {"training_s": seconds, "training_cached": True, "training_from": source}
            else:
                print("Training our model (timed)...", flush=True)
                model, seconds = train_timed(work / "model", REPO_ROOT / args.config, logs / "train.log")
                training = {"training_s": round(seconds, 1), "training_cached": False}
            if args.postgres:
                from bot import scaled

                user, why = scaled.find_postgres_user()
                if user is None:
                    print(f"PostgreSQL is not answering: {why}", file=sys.stderr)
                    return 1
                pg = scaled.Postgres(user=user, schema=f"bench_ours_{run_id}")
                scaled.ensure_schema(pg)
                database_url = pg.records_url()
            else:
                database_url = f"sqlite:///{work / 'records.db'}"
            print("Preparing the records database...", flush=True)
            prepare_records(database_url, work)
        # Each server is started alone (its time to ready is its own), then all are measured level by level.
        print("Starting the servers...", flush=True)
        if args.only != "stock":
            started("ours", runner.ours("ours", model, database_url, training))
            if args.also_without_fixes:
                started("ours_without_fixes", runner.ours("ours_without_fixes", model, database_url, training, False))
        if args.only != "ours":
            started("stock", runner.stock())
        if args.scaled:
            started("scaled", runner.scaled(model, work))
        runner.measure(targets)
    except KeyboardInterrupt:
        print("Interrupted; writing what was measured.", file=sys.stderr)
    finally:
        for target in targets:
            target.stop()
            runs[target.name] = {**target.info, "levels": target.levels}
        if pg is not None:
            from bot import scaled
            from bot.records.db import dispose_engine

            dispose_engine(pg.records_url())
            scaled.drop_schema(pg)
        shutil.rmtree(work, ignore_errors=True)

    results["machine"]["loadavg_at_end"] = _loadavg()
    if runs.get("ours", {}).get("levels") and runs.get("stock", {}).get("levels"):
        results["ours_vs_stock"] = report.ratios(runs["ours"], runs["stock"])
        results["targets"] = report.target_check(runs["ours"], runs["stock"])
    for name in ("ours_without_fixes", "scaled"):
        if runs.get(name, {}).get("levels") and runs.get("stock", {}).get("levels"):
            results[f"{name}_vs_stock"] = report.ratios(runs[name], runs["stock"])
    for name, run in runs.items():
        if "error" in run:
            print(f"{name}: {run['error']}", file=sys.stderr)
    printed = report.table(results)
    print(printed)
    report.write_json(results, out)
    if args.doc and any(run.get("levels") for run in runs.values()):
        from bot.doc_results import update

        update(REPO_ROOT / args.doc, "make bench", printed.strip("\n"))
    if any(run.get("levels") for run in runs.values()):
        report.plot(results, png)
    print(f"\nWrote {out} and {png}.")
    return 1 if any("error" in run for run in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
