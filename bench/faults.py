"""`make faults`: what the assistant survives. The real servers on loopback, a group of parents talking, and one
fault injected at a time.

    python -m bench.faults [--hold 30] [--only actions_paused,actions_killed] [--write-docs]

Starts the action server and the Rasa server as `make run` does, under the same supervisor (bot/supervisor.py),
with conversations in a SQLite store, the lock store on a redis-server of its own (a free port), and the records in
SQLite or in PostgreSQL (schema `pda_faults` on 127.0.0.1:5432) reached through a TCP proxy this command starts and
stops. Nothing shared is stopped: PostgreSQL and the machine's Redis keep running for everyone else; "PostgreSQL
down" is the proxy refusing and cutting every connection, as a stopped server would.

Parents (threads on the REST channel) keep running three scripts: a topic question, the identity check with a status
report, and an opt-out to the end. A parent given the kind reply waits a second and sends the same message again,
as the reply asks. Each fault: load for a few seconds, inject, hold, take the fault away, then wait until a new
parent gets a task answered normally (seconds until normal service, counted from when the fault was taken away; for
a crash, from the crash). Then it counts, over every turn of that fault: turns tried, kind fault replies, empty
replies (nothing, or no answer in 30 s), confirmed references lost (shown to a parent, not in the records) or
duplicated (two references confirmed to one conversation, or two registered for it), and the slowest reply.
Two rows are about the channel platforms (the fakes the channel tests use, tests/channels/channel_fakes.py): SMS
turns while the fake Twilio answers 500 to the next sends, WhatsApp turns while the fake Graph API hangs on them;
there the reply is the assistant's, and what counts is whether it reached the parent after bot/channels/retry.py
tried again.

Prints the table; --write-docs puts it in docs/operations.md between the FAULTS markers. The figures depend on this
machine's load; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import REPO_ROOT
from bot.server import HOST, free_port

DOCS = REPO_ROOT / "docs" / "operations.md"
BEGIN, END = "<!-- FAULTS:BEGIN (python -m bench.faults --write-docs) -->", "<!-- FAULTS:END -->"
REFERENCE = re.compile(r"\b(OPT-[A-Z0-9]{5})\b")
TURN_TIMEOUT_S = 30
RETRY_AFTER_S = 1.0
SCRIPT_GIVES_UP_S = 90
FAULTS = ("actions_paused", "actions_killed", "records_sqlite_locked", "records_postgres_down", "lock_store_down",
          "twilio_500", "graph_api_hangs")
TITLES = {
    "actions_paused": "action server paused (SIGSTOP {hold} s)",
    "actions_killed": "action server killed (SIGKILL), restarted by the supervisor",
    "records_sqlite_locked": "records database locked (SQLite, {hold} s)",
    "records_postgres_down": "records database down (PostgreSQL, {hold} s)",
    "lock_store_down": "Redis lock store down ({hold} s)",
    "twilio_500": "Twilio answers 500 to the next 6 sends, 6 SMS turns",
    "graph_api_hangs": "Graph API hangs (20 s) on the next 6 sends, 6 WhatsApp turns",
}

# A parent's scripts: (what they send, a word the normal answer holds).
TOPIC = [("can i see what the council holds about my family", "Source:")]
STATUS = [("check my status", "family reference"), ("demo 1001", "date of birth"), ("3rd April 2019", "matches")]
OPT_OUT = [("I want to opt out", "family reference"), ("demo-1002", "date of birth"), ("21/11/2016", "matches"),
           ("research and planning", "Shall I send it?"), ("yes", "OPT-")]
SCRIPTS = (TOPIC, STATUS, OPT_OUT)


def fault_text() -> str:
    from bot.channels.fault_reply import fault_message

    return fault_message("rest")["text"].strip()


# -------------------------------------------------------------------------------------------------- parents


@dataclass
class Tally:
    turns: int = 0
    kind: int = 0
    empty: int = 0
    slowest_s: float = 0.0
    confirmed: dict[str, set[str]] = field(default_factory=dict)  # conversation -> references shown
    unfinished: int = 0
    went_elsewhere: list[str] = field(default_factory=list)  # for the log: what a parent got instead
    lock: threading.Lock = field(default_factory=threading.Lock)

    def turn(self, seconds: float, outcome: str) -> None:
        with self.lock:
            self.turns += 1
            self.slowest_s = max(self.slowest_s, seconds)
            if outcome == "kind":
                self.kind += 1
            elif outcome == "empty":
                self.empty += 1


def send(url: str, sender: str, text: str, timeout: float = TURN_TIMEOUT_S) -> tuple[list[dict], float]:
    """One REST turn: the messages (an empty list when there were none or no answer in time) and its seconds."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            messages = json.loads(response.read()) if response.status == 200 else []
    except (urllib.error.URLError, OSError, ValueError):
        messages = []
    return messages, time.monotonic() - started


def classify(messages: list[dict], kind_text: str) -> str:
    texts = [m.get("text") or "" for m in messages]
    if not any(t.strip() for t in texts):
        return "empty"
    return "kind" if kind_text in texts else "normal"


def run_script(url: str, sender: str, script: list[tuple[str, str]], tally: Tally, kind_text: str) -> bool:
    """One parent's script; after a kind reply the same message is sent again. True when it reached its end."""
    gives_up = time.monotonic() + SCRIPT_GIVES_UP_S
    for text, expected in script:
        while True:
            messages, seconds = send(url, sender, text)
            outcome = classify(messages, kind_text)
            tally.turn(seconds, outcome)
            joined = "\n".join(m.get("text") or "" for m in messages)
            for reference in REFERENCE.findall(joined):
                with tally.lock:
                    tally.confirmed.setdefault(sender, set()).add(reference)
            if outcome == "normal" and expected in joined:
                break
            if outcome == "normal" or time.monotonic() > gives_up:  # the conversation went elsewhere
                with tally.lock:
                    tally.unfinished += 1
                    tally.went_elsewhere.append(f"{sender}: sent {text!r}, got {' '.join(joined.split())[:100]!r}")
                return False
            time.sleep(RETRY_AFTER_S)
    return True


class Parents:
    """`count` parents on the REST channel, each running the scripts in turn with new conversations."""

    def __init__(self, url: str, count: int, label: str) -> None:
        self.url, self.count, self.label = url, count, label
        self.tally = Tally()
        self.kind_text = fault_text()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _parent(self, index: int) -> None:
        round_ = 0
        while not self._stop.is_set():
            script = SCRIPTS[(index + round_) % len(SCRIPTS)]
            run_script(self.url, f"faults-{self.label}-{index}-{round_}", script, self.tally, self.kind_text)
            round_ += 1

    def __enter__(self) -> Parents:
        for i in range(self.count):
            thread = threading.Thread(target=self._parent, args=(i,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()  # each parent finishes the script it is in
        for thread in self._threads:
            thread.join(timeout=SCRIPT_GIVES_UP_S + TURN_TIMEOUT_S)


def wait_for_normal_service(url: str, kind_text: str, timeout_s: float = 180) -> float | None:
    """Seconds until a new parent gets a task answered normally (the action server and records in use)."""
    started = time.monotonic()
    probe = 0
    while time.monotonic() - started < timeout_s:
        probe += 1
        messages, _ = send(url, f"faults-probe-{time.time_ns()}-{probe}", "check my status")
        joined = "\n".join(m.get("text") or "" for m in messages)
        if classify(messages, kind_text) == "normal" and "family reference" in joined:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


# -------------------------------------------------------------------------------------------------- helpers


class TcpProxy:
    """A loopback TCP proxy to PostgreSQL that can be stopped (refuses, and cuts every open connection) and started."""

    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port, self.port = target_port, port or free_port()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, HOST, self.port, reuse_address=True)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def start(self) -> None:
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)


class OwnRedis:
    """A redis-server of our own on a free loopback port, with nothing saved to disk."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = free_port(), folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex((HOST, self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def postgres_available() -> str | None:
    """The PostgreSQL user to use on 127.0.0.1:5432, or None."""
    try:
        from bot.scaled import find_postgres_user
    except ImportError:
        return None
    user, _ = find_postgres_user()
    return user


# ---------------------------------------------------------------------------------------------------- the rig


class Rig:
    """The servers under test, with the levers to break them."""

    def __init__(self, folder: Path, pg_user: str | None) -> None:
        from bot.supervisor import Server, Supervisor
        from tests.e2e.conftest import FakePeers

        self.folder = folder
        self.sqlite_url = f"sqlite:///{folder / 'records.db'}"
        self.redis = OwnRedis(folder)
        self.peers = FakePeers()
        self.pg = None
        self.proxy: TcpProxy | None = None
        if pg_user:
            from bot.scaled import Postgres

            self.pg = Postgres(user=pg_user, schema="pda_faults")
            self.proxy = TcpProxy(self.pg.port)
        self.rasa_port, self.actions_port = free_port(), free_port()
        self.url = f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook"
        self.records_url = self.sqlite_url
        self._server, self._supervisor = Server, Supervisor
        self.supervisor: Supervisor | None = None
        self._watch = threading.Event()

    # -- start and stop

    def _records_ready(self) -> None:
        from bot.records import service
        from bot.records.db import migrate, session_scope

        migrate(self.sqlite_url)
        with session_scope(_engine(self.sqlite_url)) as session:
            service.seed_demo(session)
        if self.pg is not None and self.proxy is not None:
            from bot.scaled import drop_schema, prepare_database

            drop_schema(self.pg)
            prepare_database(self.pg)
            self.proxy.start()

    def proxied_pg_url(self) -> str:
        assert self.pg is not None and self.proxy is not None
        return self.pg.records_url().replace(f":{self.pg.port}/", f":{self.proxy.port}/")

    def start(self) -> None:
        from bot.server import server_starters, wait_until_up
        from tests.e2e.conftest import test_credentials

        self._records_ready()
        self.redis.start()
        self.peers.start()
        lock_store = {"type": "bot.lock_store.AtomicRedisLockStore", "url": HOST, "port": self.redis.port, "db": 0,
                      "key_prefix": "pdafaults"}
        tracker_store = {"type": "bot.privacy.tracker_store.RedactingTrackerStore",
                         "store": {"type": "sql", "dialect": "sqlite", "db": str(self.folder / "trackers.db")}}
        os.environ["DATABASE_URL"] = self.records_url
        os.environ.setdefault("TICKET_LOCK_LIFETIME", "20")
        self._starter_args = dict(
            rasa_port=self.rasa_port, actions_port=self.actions_port,
            credentials=test_credentials(self.folder / "creds.yml", self.peers.port),
            endpoints={"tracker_store": tracker_store, "lock_store": lock_store}, log_dir=self.folder,
        )
        starters = server_starters(**self._starter_args)
        self.supervisor = self._supervisor([self._server(name, start) for name, start in starters.items()],
                                           log=open(self.folder / "supervisor.log", "a"))  # noqa: SIM115
        self.supervisor.start()
        threading.Thread(target=self._supervise, daemon=True).start()
        ok = wait_until_up(f"http://{HOST}:{self.actions_port}/health", self.supervisor.processes) and wait_until_up(
            f"http://{HOST}:{self.rasa_port}/webhooks/rest/", self.supervisor.processes, 600
        )
        if not ok:
            raise RuntimeError(f"the servers did not start: see {self.folder}")

    def _supervise(self) -> None:
        while not self._watch.is_set():
            if self.supervisor is not None:
                self.supervisor.check()
            time.sleep(0.5)

    def stop(self) -> None:
        from bot.server import stop

        self._watch.set()
        if self.supervisor is not None:
            stop(self.supervisor.processes)
        self.redis.stop()
        if self.proxy is not None:
            self.proxy.stop()
        if self.pg is not None:
            from bot.scaled import drop_schema

            drop_schema(self.pg)

    # -- levers

    def server(self, name: str):  # type: ignore[no-untyped-def]
        assert self.supervisor is not None
        return next(s for s in self.supervisor.servers if s.name == name)

    def actions_pid(self) -> int:
        return self.server("actions").process.pid

    def use_records(self, url: str) -> None:
        """Restart the action server on another records database (a planned restart, before a fault)."""
        from bot.server import wait_until_up

        if url == self.records_url:
            return
        from bot.server import server_starters

        os.environ["DATABASE_URL"] = self.records_url = url  # the starters copy the environment when made
        actions = self.server("actions")
        actions.start = server_starters(**self._starter_args)["actions"]
        actions.process.send_signal(signal.SIGINT)
        actions.process.wait(timeout=30)
        deadline = time.monotonic() + 60
        while actions.process.poll() is not None and time.monotonic() < deadline:
            time.sleep(0.2)  # the supervisor starts it again
        if not wait_until_up(f"http://{HOST}:{self.actions_port}/health", [actions.process], 120):
            raise RuntimeError("the action server did not come back")

    def references_in_records(self) -> tuple[set[str], dict[str, int]]:
        """Every request reference in the records, and how many registrations each conversation made."""
        from bot.records.db import session_scope
        from bot.records.models import AuditEntry

        urls = [self.sqlite_url] + ([self.pg.records_url()] if self.pg else [])
        references: set[str] = set()
        registered: dict[str, int] = {}
        for url in urls:
            with session_scope(_engine(url)) as session:
                for entry in session.query(AuditEntry).filter(AuditEntry.action == "request.registered"):
                    references.add((entry.details or {}).get("reference", ""))
                    registered[entry.actor] = registered.get(entry.actor, 0) + 1
        return references, registered


def _engine(url: str):  # type: ignore[no-untyped-def]
    from bot.records.db import get_engine

    return get_engine(url)


# -------------------------------------------------------------------------------------------------- the faults


@dataclass
class Row:
    fault: str
    turns: int
    kind: int
    empty: int
    lost: int
    duplicated: int
    recovery_s: float | None
    slowest_s: float
    note: str = ""
    went_elsewhere: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        recovery = "never (in 180 s)" if self.recovery_s is None else f"{self.recovery_s:.1f}"
        return [self.fault, str(self.turns), str(self.kind), str(self.empty), f"{self.lost} / {self.duplicated}",
                recovery, f"{self.slowest_s:.1f}", self.note]


HEADERS = ["fault", "turns tried", "turns with a kind answer", "empty replies", "confirmed references lost / "
           "duplicated", "seconds until normal service", "slowest reply (s)", "notes"]


def run_fault(rig: Rig, fault: str, hold_s: float, parents: int, warmup_s: float = 3.0) -> Row:
    """Parents talk while one fault is injected, held and taken away; then the service is timed back to normal."""
    kind_text = fault_text()
    if fault == "records_postgres_down":
        rig.use_records(rig.proxied_pg_url())
    elif fault.startswith("records_sqlite") or fault.startswith("actions") or fault == "lock_store_down":
        rig.use_records(rig.sqlite_url)
    lock: sqlite3.Connection | None = None
    with Parents(rig.url, parents, fault) as group:
        time.sleep(warmup_s)
        if fault == "actions_paused":
            os.kill(rig.actions_pid(), signal.SIGSTOP)
            time.sleep(hold_s)
            os.kill(rig.actions_pid(), signal.SIGCONT)
        elif fault == "actions_killed":
            os.kill(rig.actions_pid(), signal.SIGKILL)
        elif fault == "records_sqlite_locked":
            lock = sqlite3.connect(str(rig.folder / "records.db"), isolation_level=None, timeout=30)
            lock.execute("BEGIN EXCLUSIVE")
            time.sleep(hold_s)
            lock.execute("COMMIT")
            lock.close()
        elif fault == "records_postgres_down":
            assert rig.proxy is not None
            rig.proxy.stop()
            time.sleep(hold_s)
            rig.proxy.start()
        elif fault == "lock_store_down":
            rig.redis.stop()
            time.sleep(hold_s)
            rig.redis.start()
        recovery = wait_for_normal_service(rig.url, kind_text)
    tally = group.tally
    references, registered = rig.references_in_records()
    confirmed = {ref for refs in tally.confirmed.values() for ref in refs}
    lost = len(confirmed - references)
    duplicated = sum(1 for refs in tally.confirmed.values() if len(refs) > 1) + sum(
        1 for actor, n in registered.items() if n > 1 and actor.startswith(f"conversation:faults-{fault}-")
    )
    note = f"{len(confirmed)} references confirmed; {tally.unfinished} scripts left unfinished"
    return Row(TITLES[fault].format(hold=f"{hold_s:g}"), tally.turns, tally.kind, tally.empty,
               lost, duplicated, recovery, tally.slowest_s, note, tally.went_elsewhere)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TURN_TIMEOUT_S) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def post_sms(base: str, number: str, text: str, message_id: str) -> int:
    """An inbound SMS, signed as Twilio signs it, to the e2e credentials' SMS channel."""
    from twilio.request_validator import RequestValidator

    from tests.e2e.conftest import TWILIO_SID, TWILIO_TOKEN

    public_url = "https://parents.example.gov.uk/webhooks/sms/webhook"
    params = {"MessageSid": message_id, "From": number, "To": "+447700900000", "Body": text,
              "AccountSid": TWILIO_SID, "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(public_url, params)
    return _post(f"{base}/webhooks/sms/webhook", urllib.parse.urlencode(params).encode(),
                 {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})


def post_whatsapp(base: str, wa_id: str, text: str, message_id: str) -> int:
    """An inbound WhatsApp message, signed as Meta signs it, to the e2e credentials' WhatsApp channel."""
    import hashlib
    import hmac

    from tests.e2e.conftest import PHONE_NUMBER_ID, WHATSAPP_SECRET

    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID},
             "contacts": [{"wa_id": wa_id, "profile": {"name": "Parent"}}],
             "messages": [{"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                           "text": {"body": text}}]}
    body = json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}).encode()
    signature = "sha256=" + hmac.new(WHATSAPP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return _post(f"{base}/webhooks/whatsapp/webhook", body,
                 {"X-Hub-Signature-256": signature, "Content-Type": "application/json"})


def run_platform_fault(rig: Rig, fault: str, turns: int = 6) -> Row:
    """SMS turns while the fake Twilio answers 500, or WhatsApp turns while the fake Graph API hangs, for as many
    requests as there are turns (so most replies fail their first try). Counts the parents whose reply reached them
    after bot/channels/retry.py tried again (the others are "empty"), the messages logged UNDELIVERED, and the
    seconds from the first message until every parent had a reply ("seconds until normal service")."""
    base = f"http://{HOST}:{rig.rasa_port}"
    sms = fault == "twilio_500"
    fake = rig.peers.twilio if sms else rig.peers.graph
    log = rig.folder / "rasa.log"
    undelivered_before = log.read_text(errors="replace").count("UNDELIVERED")
    before = len(fake.sent)
    addresses = [f"+4477009{i:05d}" if sms else f"4477009{i:05d}" for i in range(turns)]
    if sms:
        fake.fail_status, fake.fail_times = 500, turns
    else:
        fake.hang_s, fake.hang_times = 20.0, turns  # past the channel's send timeout (15 s): the try is abandoned
    slowest = 0.0
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal slowest
        t0 = time.monotonic()
        message_id = f"faults-{fault}-{time.time_ns()}-{i}"
        if sms:
            post_sms(base, addresses[i], "what is predictive analytics", f"SM{message_id}")
        else:
            post_whatsapp(base, addresses[i], "what is predictive analytics", f"wamid.{message_id}")
        with lock:
            slowest = max(slowest, time.monotonic() - t0)

    def reached() -> set[str]:
        return {m.get("To") or m.get("to") for m in fake.sent[before:]} & set(addresses)

    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(turns)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    deadline = time.monotonic() + 90
    while len(reached()) < turns and time.monotonic() < deadline:
        time.sleep(0.2)
    delivered = len(reached())
    recovery = time.monotonic() - started if delivered >= turns else None
    fake.fail_status, fake.fail_times, fake.hang_s = None, None, 0.0
    if not sms:
        rig.peers.graph.hang_times = None
    time.sleep(1)
    lost = log.read_text(errors="replace").count("UNDELIVERED") - undelivered_before
    return Row(TITLES[fault], turns, 0, turns - delivered, 0, 0, recovery, slowest,
               f"{delivered} of {turns} parents got their reply; {lost} messages logged UNDELIVERED")


# ---------------------------------------------------------------------------------------------------- output


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def write_docs(text: str, path: Path = DOCS) -> None:
    current = path.read_text(encoding="utf-8")
    if BEGIN not in current or END not in current:
        raise SystemExit(f"{path}: the markers {BEGIN} and {END} are missing")
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    from bot import env as bot_env

    bot_env.apply()
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--hold", type=float, default=30, help="seconds each fault lasts (default 30)")
    parser.add_argument("--parents", type=int, default=4, help="parents talking at once")
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(FAULTS)}")
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs (the folder is printed)")
    parser.add_argument("--write-docs", action="store_true", help=f"put the table in {DOCS.relative_to(REPO_ROOT)}")
    args = parser.parse_args(argv)
    chosen = [f for f in (args.only.split(",") if args.only else FAULTS) if f]
    unknown = sorted(set(chosen) - set(FAULTS))
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(unknown)}")

    from bot.training import is_current, train

    if not is_current() and train() != 0:
        return 1
    pg_user = postgres_available() if "records_postgres_down" in chosen else None
    if "records_postgres_down" in chosen and pg_user is None:
        print("PostgreSQL on 127.0.0.1:5432 is not reachable: the PostgreSQL row is left out.", file=sys.stderr)
        chosen.remove("records_postgres_down")
    folder = Path(tempfile.mkdtemp(prefix="pda-faults-"))
    rig = Rig(folder, pg_user)
    rows: list[Row] = []
    started = time.monotonic()
    try:
        print(f"Starting the servers (logs in {folder}) ...", flush=True)
        rig.start()
        for fault in chosen:
            print(f"- {TITLES[fault].format(hold=f'{args.hold:g}')} ...", flush=True)
            if fault in ("twilio_500", "graph_api_hangs"):
                row = run_platform_fault(rig, fault)
            else:
                row = run_fault(rig, fault, args.hold, args.parents)
            rows.append(row)
            print("  " + " | ".join(row.cells()), flush=True)
            for line in getattr(row, "went_elsewhere", []):
                print(f"    unfinished: {line}", flush=True)
    finally:
        rig.stop()
    restarts = (folder / "supervisor.log").read_text(encoding="utf-8").count("RESTART")
    text = (
        f"{table(rows)}\n\n"
        f"{args.parents} parents at once on the REST channel; each fault held {args.hold:g} s; the supervisor "
        f"restarted a server {restarts} times (including the planned "
        f"restarts that move the action server between SQLite and PostgreSQL). Measured in "
        f"{time.monotonic() - started:.0f} s on this machine ({os.cpu_count()} cores, shared) on "
        f"{time.strftime('%Y-%m-%d')}."
    )
    print()
    print(text)
    if args.write_docs:
        write_docs(text)
        print(f"\nWritten to {DOCS.relative_to(REPO_ROOT)}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    bad = [r for r in rows if r.empty or r.lost or r.duplicated]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
