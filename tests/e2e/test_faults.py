"""Faults through the real servers: a paused action server mid-form, a killed one under the supervisor.

The short part of `make faults` (bench/faults.py runs every fault, with figures). The bounds on time here are
generous and set by the configured action timeout: they check that the kind reply comes at all, not how fast.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from bench.faults import classify, fault_text
from bot import action_timeout
from bot.channels.fault_reply import REPLY_WITHIN_S
from bot.content.loader import REPO_ROOT
from bot.server import HOST, server_starters, wait_until_up
from bot.supervisor import Server, Supervisor

pytestmark = pytest.mark.e2e
ACTION_TIMEOUT_S = action_timeout.configured(REPO_ROOT / "endpoints.yml")
KIND_REPLY_BOUND_S = max(REPLY_WITHIN_S, ACTION_TIMEOUT_S) * 2  # generous: the promise to parents is 10 s


def test_a_paused_action_server_mid_form_gets_a_kind_reply_and_the_form_finishes_after(servers):
    chat, processes = servers
    actions = processes[0]
    sender = "e2e-fault-paused"
    assert "family reference" in chat.text(sender, "check my status")
    os.kill(actions.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        replies = chat.send(sender, "DEMO-1001")
        took = time.monotonic() - started
    finally:
        os.kill(actions.pid, signal.SIGCONT)
    assert classify(replies, fault_text()) == "kind", replies
    assert not any("date of birth" in (r.get("text") or "") for r in replies)  # the answer was not taken
    assert took < KIND_REPLY_BOUND_S, f"the kind reply took {took:.1f} s"
    # the parent sends the same answer again, as the reply asks, and the identity check goes on
    assert "date of birth" in chat.text(sender, "DEMO-1001")
    reply = chat.text(sender, "3/4/2019")
    assert "matches" in reply and "Your choice" in reply


def test_a_killed_action_server_is_restarted_and_topic_questions_answer_meanwhile(servers):
    chat, processes = servers
    assert chat.actions_port, "the e2e fixture gives the action server's port"
    start = server_starters(chat.rasa_port, chat.actions_port, log_dir=chat.folder)["actions"]
    actions = Server("actions", start, process=processes[0])
    supervisor = Supervisor([actions], log=open(chat.folder / "supervisor.log", "a"))  # noqa: SIM115
    supervisor.start()
    killed = processes[0]
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=10)
    try:
        supervisor.check()
        assert actions.restart_at is not None  # noticed, restart planned
        # meanwhile: topic questions are answered, a task gets the kind reply, nothing is empty
        assert "Source:" in chat.text("e2e-fault-killed-topic", "can i see what the council holds about my family")
        task = chat.send("e2e-fault-killed-task", "check my status")
        assert classify(task, fault_text()) in ("kind", "normal"), task
        deadline = time.monotonic() + 120
        while actions.process is killed and time.monotonic() < deadline:
            supervisor.check()
            time.sleep(0.2)
        assert actions.process is not killed, "the supervisor did not start the action server again"
        assert wait_until_up(f"http://{HOST}:{chat.actions_port}/health", [actions.process], 120)
        assert "family reference" in chat.text("e2e-fault-killed-task-2", "check my status")
        assert "RESTART actions:" in (chat.folder / "supervisor.log").read_text()
    finally:
        processes[0] = actions.process  # the fixture stops the new one at the end


def test_an_sms_reply_twilio_keeps_refusing_is_logged_and_recorded_in_the_conversation(servers, peers):
    import sqlite3

    from bench.faults import post_sms

    chat, _ = servers
    peers.twilio.fail_status = 500
    try:
        assert post_sms(chat.base, "+447700900555", "what is predictive analytics", "SMe2efaultsundelivered1") == 200
        deadline, found = time.monotonic() + 60, []
        while not found and time.monotonic() < deadline:
            time.sleep(0.5)
            with sqlite3.connect(chat.folder / "trackers.db") as db:
                found = db.execute("SELECT data FROM events WHERE type_name = 'agent'").fetchall()
    finally:
        peers.twilio.fail_status = None
    assert any('"undelivered"' in row[0] and '"sms"' in row[0] and "HTTP 500" in row[0] for row in found), found
    assert "+447700900555" not in "".join(row[0] for row in found)
    rasa_log = (chat.folder / "rasa.log").read_text(errors="replace")
    assert "UNDELIVERED SMS reply" in rasa_log and "+447700900555" not in rasa_log
