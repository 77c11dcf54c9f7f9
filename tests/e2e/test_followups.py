"""Issue 23, patterns 1, 2 and 3, over REST against the real servers: a question about a task is answered (with a
"Do it now" button), a follow-up is read with the conversation's subject, and a family reference typed alone starts
the identity check with it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

IDENTITY_WORDS = ("family reference", "date of birth")


def _buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons") or []]


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def test_a_question_about_a_task_gets_the_answer_and_a_do_it_now_button_not_the_task(servers):
    chat, _ = servers
    sender = "e2e-question-about-task"
    messages = chat.send(sender, "if I say yes to sharing now, am I able to take it back later?")
    reply = _text(messages)
    assert not any(w in reply.lower() for w in IDENTITY_WORDS), reply
    [do_it] = [b for b in _buttons(messages) if b["title"] == "Do it now"]
    started = chat.text(sender, do_it["payload"])
    assert "First I need to check it is you" in started


def test_a_follow_up_that_points_back_is_not_given_the_same_page_again(servers):
    chat, _ = servers
    sender = "e2e-follow-up"
    first = chat.text(sender, "do private companies get our family's records?")
    assert "processors" in first.lower()
    second = chat.text(sender, "can I stop them having it")
    assert second != first
    assert "object" in second.lower() or "opt out" in second.lower()
    third = chat.text(sender, "and if I did that?")
    assert "did not understand" not in third.lower()


def test_ok_do_it_after_a_page_that_explains_a_task_starts_that_task(servers):
    chat, _ = servers
    sender = "e2e-do-it"
    chat.text(sender, "can I object to the council using my kids records")
    started = chat.text(sender, "ok do it")
    assert "opt out" in started.lower() and "First I need to check it is you" in started


def test_a_family_reference_typed_alone_starts_the_identity_check_with_it(servers):
    chat, _ = servers
    sender = "e2e-bare-reference"
    reply = chat.text(sender, "DEMO-1001")
    assert "date of birth" in reply.lower() and "what can i help" not in reply.lower()
    assert "matches" in chat.text(sender, "3/4/2019")
