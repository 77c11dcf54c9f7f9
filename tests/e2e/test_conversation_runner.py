"""The conversation runner (bench/conversations.py, `make conversations`) on a small suite of its own: against the
real servers, one conversation that must pass and one that must fail, so the checker is seen to work both ways."""

from __future__ import annotations

import pytest

from bench.conversations import Turn, failed_check, load_suite, run_suite, shown_references

SUITE = """
conversations:
- id: passes
  situation: DEMO-1001 opts out of research and keeps the reference
  turns:
  - user: hi
    expect: {any: [records, zebra], none: [did not understand]}
  - user: I want to opt out
    expect: {all: [family reference]}
  - user: DEMO-1001
    expect: {any: [date of birth]}
  - user: 3/4/2019
    expect: {any: [matches]}
  - user: research and planning
    expect: {all: [shall i send it]}
  - user: "yes"
    expect: {reference: true, any: [reply by]}
- id: fails
  situation: a greeting that is checked for what it cannot say, then a reference that was never made
  turns:
  - user: hi
    expect: {any: [records]}
  - user: hello again
    expect: {reference: true}
  - user: thanks
    expect: {any: [a-word-no-reply-holds]}
"""


def _recorded(*refs: str):
    return lambda: set(refs)


def test_each_check_passes_and_fails():
    reply = "Done. Your reference is **OPT-7Q2K9**. The council must reply by 7 January."
    assert failed_check(Turn("x", any=("REPLY BY", "zebra")), reply, [], _recorded()) is None
    assert failed_check(Turn("x", any=("zebra",)), reply, [], _recorded()) == "any"
    assert failed_check(Turn("x", all=("done", "zebra")), reply, [], _recorded()) == "all"
    assert failed_check(Turn("x", none=("zebra", "council")), reply, [], _recorded()) == "none"
    new = shown_references(reply)
    assert new == ["OPT-7Q2K9"]
    assert failed_check(Turn("x", reference=True), reply, new, _recorded("OPT-7Q2K9")) is None
    # shown but not made in this conversation (another family's, or an old one), or not new in it
    assert failed_check(Turn("x", reference=True), reply, new, _recorded("SAR-AB234")) == "reference"
    assert failed_check(Turn("x", reference=True), reply, [], _recorded("OPT-7Q2K9")) == "reference"


def test_a_suite_in_the_wrong_shape_is_refused_naming_the_place(tmp_path):
    from bench.conversations import SuiteError

    bad = tmp_path / "bad.yml"
    bad.write_text("conversations:\n- id: a\n  turns:\n  - user: hi\n    expect: {maybe: [x]}\n")
    with pytest.raises(SuiteError, match="conversation 1 turn 1"):
        load_suite(bad)


@pytest.mark.e2e
def test_runner_passes_a_good_conversation_and_fails_a_bad_one_at_the_right_turn(servers, tmp_path):
    chat, _ = servers
    suite = tmp_path / "suite.yml"
    suite.write_text(SUITE)
    results = {r.id: r for r in run_suite(chat, load_suite(suite))}
    good, bad = results["passes"], results["fails"]
    assert good.passed and good.turns_passed == 6, good.failures
    assert not bad.passed
    assert bad.first_failure == (2, "reference")
    assert bad.failures == [(2, "reference"), (3, "any")]
    assert bad.turns_passed == 1
