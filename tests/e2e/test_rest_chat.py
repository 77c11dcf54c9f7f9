"""A parent's conversation through the REST channel, against the real servers and a real records database."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_greeting_says_what_the_assistant_can_do(servers):
    chat, _ = servers
    reply = chat.text("e2e-greet", "hi")
    assert "records" in reply and "opt out" in reply


def test_a_topic_question_gets_an_answer_with_its_source(servers):
    chat, _ = servers
    reply = chat.text("e2e-topic", "can i see what the council holds about my family")
    assert "Source:" in reply and "https://" in reply


def test_related_topic_buttons_come_back_as_working_payloads(servers):
    import json
    import re
    import time

    from bot.content import loader

    chat, _ = servers
    sender = "e2e-related"
    messages = chat.send(sender, "what is predictive analytics")
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert buttons[0] == {"title": "Do it now", "payload": "/opt_out"}  # the page explains opting out (task: opt_out)
    payloads = [b["payload"] for b in buttons[1:]]
    assert payloads, "a topic answer offers related topics"
    topic_ids = set(loader.content().topic_ids)
    for payload in payloads:
        found = re.fullmatch(r"/show_topic(\{.*\})", payload)
        assert found, payload  # exactly Rasa's intent-with-entities syntax, braces not doubled
        assert json.loads(found.group(1))["topic_id"] in topic_ids
    assert "Source:" in chat.text(sender, payloads[0])  # pressing one shows that topic
    time.sleep(0.5)  # let the servers flush their logs
    logs = "\n".join(p.read_text(errors="replace") for p in chat.folder.glob("*.log"))
    assert "interpolator" not in logs  # Rasa did not mistake the payload for a slot placeholder


def test_identity_check_then_status_report_for_demo_1001(servers):
    chat, _ = servers
    sender = "e2e-status"
    first = chat.text(sender, "check my status")
    assert "family reference" in first
    assert "does not look like" not in first and "could not read" not in first  # no error before any answer
    assert "date of birth" in chat.text(sender, "demo 1001")
    reply = chat.text(sender, "3rd April 2019")
    assert "matches" in reply
    assert "Your choice" in reply


def test_wrong_details_get_the_same_reply_as_unknown_ones(servers):
    chat, _ = servers
    replies = []
    for sender, reference, dob in (("e2e-wrong", "DEMO-1001", "4/4/2019"), ("e2e-unknown", "DEMO-7777", "3/4/2019")):
        chat.text(sender, "see my data")
        chat.text(sender, reference)
        replies.append(chat.text(sender, dob))
    assert replies[0] == replies[1]
    assert "do not match" in replies[0]


def test_crisis_message_gets_999_first(servers):
    chat, _ = servers
    reply = chat.text("e2e-crisis", "he's going to hurt the kids tonight")
    assert reply.lstrip("* ").startswith("If you or a child are in danger now, call 999")
    assert "0808 800 5000" in reply and "0800 1111" in reply


@pytest.mark.parametrize(
    "question",
    [
        "can the social share my records without my permission if they think my kids are in danger",
        "if my child is in danger can they share without asking",
    ],
)
def test_a_question_about_the_child_protection_exception_gets_its_answer(servers, question):
    """Danger as the condition of a question about sharing is not news of danger: the parent gets the answer,
    which still says what to do if a child is in danger now."""
    chat, _ = servers
    reply = chat.text(f"e2e-exception-{abs(hash(question))}", question)
    assert "risk of harm" in reply and "Source:" in reply
    assert "call 999" in reply


def test_crisis_in_the_middle_of_the_identity_check_pauses_it(servers):
    """Danger now inside a form gets 999 first and pauses the form: "ok we're safe now" is acknowledged, not read
    as a family reference; "carry on" asks the form's question again."""
    chat, _ = servers
    sender = "e2e-crisis-form"
    chat.text(sender, "opt me out")
    messages = chat.send(sender, "my partner is hitting me")
    assert messages[0]["text"].lstrip("* ").startswith("If you or a child are in danger now, call 999")
    assert "paused" in messages[-1]["text"]
    assert [b["title"] for b in messages[-1]["buttons"]] == ["Carry on", "Stop"]
    after = chat.text(sender, "ok we're safe now, the police are here")
    assert "glad you are safe" in after
    assert "does not look like" not in after and "family reference" not in after
    assert "family reference" in chat.text(sender, "carry on")


def test_a_message_that_may_say_danger_gets_the_999_line_on_top_of_its_answer(servers):
    """The possible band: the learned detector thinks it may be danger now, a check says it is in the past, so the
    parent gets the answer asked for, with the 999 line first."""
    chat, _ = servers
    reply = chat.text("e2e-possible", "my bro tried to kill himself last year, hes ok now, who can see that")
    assert reply.startswith("If a child is in danger now, call 999.")
    assert "0808 800 5000" not in reply  # not the crisis reply


@pytest.mark.parametrize(
    "message",
    ["", "   ", "x" * 10_000, "🙂🙂🙂", "Shwmae, ŵ ŷ â ê", "\x00\x01\x1b[31m\x7f", "'; DROP TABLE families;--",
     "<script>alert(1)</script>", "{{7*7}} ${jndi:ldap://x}"],
    ids=["empty", "spaces", "10k", "emoji", "welsh", "control", "sql", "html", "template"],
)
def test_bad_input_gets_a_kind_reply_and_the_server_keeps_running(servers, message):
    chat, processes = servers
    replies = chat.send(f"e2e-bad-{hash(message)}", message)
    assert replies and all(r.get("text") for r in replies)
    assert all(p.poll() is None for p in processes)
    assert "records" in chat.text("e2e-after-bad", "hi")


def _sockets(pid: int) -> set[str]:
    import os

    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except FileNotFoundError:
        pass
    return inodes


def _remote_addresses(inodes: set[str]) -> list[str]:
    remotes = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6"):
        with open(table) as handle:
            next(handle)
            for line in handle:
                fields = line.split()
                if fields[9] in inodes:
                    remotes.append(fields[2].split(":")[0])
    return remotes


def _is_loopback_or_unset(hex_address: str) -> bool:
    if set(hex_address) == {"0"}:
        return True  # listening socket, no peer
    if len(hex_address) == 8:  # IPv4, little-endian: 0100007F is 127.0.0.1
        return hex_address.endswith("7F")
    return hex_address in ("00000000000000000000000001000000", "0000000000000000FFFF00000100007F")


def test_the_servers_talk_to_no_one_but_loopback(servers):
    chat, processes = servers
    chat.text("e2e-net", "hi")
    chat.text("e2e-net", "how do you link records")
    remotes = []
    for process in processes:
        remotes += _remote_addresses(_sockets(process.pid))
    assert remotes, "found no sockets at all; the check would prove nothing"
    assert all(_is_loopback_or_unset(r) for r in remotes), remotes


@pytest.mark.parametrize(
    "worry",
    [
        "if I tell the health visitor I'm struggling will they take my kids",
        "will the school report me if I ask for food bank help",
        "don't ask for help it'll be used against you",
    ],
)
def test_fear_of_asking_for_help_gets_a_warm_true_answer(servers, worry):
    chat, _ = servers
    sender = f"e2e-fear-{abs(hash(worry))}"
    reply = chat.text(sender, worry)
    assert "not, by itself, a child protection referral" in reply  # the reassurance that is true
    assert "risk of harm" in reply  # and the honest exception
    assert "0808 801 0366" in reply  # and where to get independent advice
    follow_up = chat.text(sender, "but what if they think I'm a bad mum")
    assert "not, by itself, a child protection referral" in follow_up or "your choice" in follow_up


@pytest.mark.parametrize(
    "question",
    [
        "which day do the bins go out on our street",
        "can i pay my council tax monthly",
        "is it going to be sunny at the weekend",
        "do you know any good jokes about dads",
    ],
)
def test_other_council_questions_get_the_council_contact_not_a_topic(servers, question):
    """The issue's examples (bins, council tax, weather, jokes), in words that are not training examples."""
    chat, _ = servers
    reply = chat.text(f"e2e-oos-{abs(hash(question))}", question)
    assert "only help" in reply and "0300 123 4567" in reply
    assert "Source:" not in reply  # no topic answer


@pytest.mark.parametrize(
    ("question", "meaning"),
    [
        # Issue 23, pattern 8: questions that had no page, in the words (none is a training example).
        ("how do I complain about the council itself, is there an ombudsman", "Ombudsman"),
        ("what happens if we turn down early help, is that allowed", "allowed to say no"),
        ("could my ex-partner find out what I asked the council", "address is not given out"),
        (
            "can a neighbour tell the council they are worried about a child without giving their name",
            "your name not to be shared",
        ),
        ("is taking my consent back different from objecting", "withdraw it at any time"),
        ("who is responsible when a company working for the council loses our data", "still responsible"),
        # Pattern 7: someone asking for a parent gets what they can do with the parent there, not only numbers.
        ("I'm a peer support worker, can I check a parent's status for her?", "You cannot use"),
    ],
)
def test_questions_that_had_no_page_get_their_answer(servers, question, meaning):
    chat, _ = servers
    reply = chat.text(f"e2e-nopage-{abs(hash(question))}", question)
    assert meaning in reply and "Source:" in reply, reply


def test_out_of_scope_buttons_lead_back_to_what_the_assistant_does(servers):
    """If the assistant misread a records question as out of scope, one tap shows what it can do."""
    chat, _ = servers
    sender = "e2e-oos-buttons"
    messages = chat.send(sender, "which day do the bins go out on our street")
    buttons = {b["title"]: b["payload"] for m in messages for b in m.get("buttons", [])}
    assert set(buttons.values()) == {"/help", "/talk_to_person"}
    assert "Here is what I can do" in chat.text(sender, buttons["What can you help with?"])
    assert "0300 123 4567" in chat.text(sender, buttons["Talk to a person"])


def test_opt_out_end_to_end_and_staff_export_lists_it(servers):
    import json
    import os
    import re
    import subprocess
    import sys

    from bot.content.loader import REPO_ROOT

    chat, _ = servers
    sender = "e2e-optout"
    chat.text(sender, "I want to opt out")
    chat.text(sender, "demo-1002")
    replies = chat.send(sender, "21/11/2016")
    assert "matches" in replies[0]["text"]
    assert any(b["payload"] == "research_and_planning" for r in replies for b in r.get("buttons", []))
    confirm = chat.text(sender, "research and planning")
    assert "risk of harm" in confirm and "Shall I send it?" in confirm
    done = chat.text(sender, "yes")
    reference = re.search(r"OPT-[A-Z0-9]{5}", done).group(0)
    assert "reply by" in done

    exported = subprocess.run(
        [sys.executable, "-m", "bot", "requests", "export", "--format", "json"],
        capture_output=True, text=True, cwd=REPO_ROOT, env=dict(os.environ), timeout=120,
    )
    assert exported.returncode == 0, exported.stderr[-2000:]
    rows = {row["reference"]: row for row in json.loads(exported.stdout)}
    assert rows[reference]["type"] == "objection"
    assert rows[reference]["purpose"] == "research_and_planning"
    assert rows[reference]["family_reference"] == "DEMO-1002"
    assert set(rows[reference]) >= {"reference", "type", "purpose", "status", "created_at", "due_at",
                                    "family_reference"}


def test_only_a_clear_yes_sends_a_request(servers):
    """A confused "???" or an emoji at "Shall I send it?" is not a yes: nothing is sent, and the question stays."""
    import re

    chat, _ = servers
    sender = "e2e-unclear-yes"
    chat.text(sender, "opt me out")
    chat.text(sender, "DEMO-1001")
    assert "matches" in chat.text(sender, "3/4/2019")
    # a use no other test opts this family out of: an objection already asked for is not asked again (issue 23)
    assert "Shall I send it?" in chat.text(sender, "offering early help")
    for unclear in ("???", "🙂🙂🙂", "👍"):
        reply = chat.text(sender, unclear)
        assert reply and not re.search(r"OPT-[A-Z0-9]{5}", reply), (unclear, reply)
    done = chat.text(sender, "yes")
    assert re.search(r"OPT-[A-Z0-9]{5}", done), done


def test_checks_paused_after_five_tries_open_again_after_the_pause(servers):
    import datetime as dt

    from sqlalchemy import update

    from bot.records.db import session_scope
    from bot.records.models import IdentityAttempt

    chat, _ = servers
    sender = "e2e-paused"
    chat.text(sender, "see my data")
    for _ in range(5):  # a reference no test uses, so that no other test meets its pause
        chat.text(sender, "DEMO-7778")
        reply = chat.text(sender, "1/1/2018")
    assert reply.count("family reference?") == 1  # told once, asked once
    chat.text(sender, "DEMO-1002")
    assert "30 minutes" in chat.text(sender, "21/11/2016")  # paused: even the right details
    assert "30 minutes" in chat.text(sender, "see my data")  # still paused: no questions asked
    with session_scope() as session:  # the pause ends: move this conversation's tries 31 minutes back
        session.execute(
            update(IdentityAttempt)
            .where(IdentityAttempt.key == f"conv:{sender}")
            .values(at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31))
        )
    assert "family reference" in chat.text(sender, "see my data")
    assert "date of birth" in chat.text(sender, "demo 1002")
    assert "matches" in chat.text(sender, "21/11/2016")


def test_a_question_inside_the_identity_check_is_answered_then_asked_again(servers):
    """Issue 23, pattern 2: a form does not swallow a question; it answers it and asks its own question again."""
    chat, _ = servers
    sender = "e2e-question-in-form"
    chat.text(sender, "opt me out")
    reply = chat.text(sender, "does asking for help mean social services will get involved?")
    assert "does not look like" not in reply
    assert "Source:" in reply and "family reference" in reply
