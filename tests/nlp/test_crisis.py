"""The crisis detector: every crisis phrasing caught, no near-miss flagged, who is writing, bad input, speed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.nlp import report
from bot.nlp.safety import (
    ADULT_IN_DANGER,
    CHILD_IN_DANGER,
    NOT_CRISIS,
    SELF_HARM,
    CrisisResult,
    clean_text,
    detect_crisis,
)

DATA = Path(__file__).parent / "data"
CRISIS = report.read_phrases(report.PHRASES_DIR / "danger_now.txt")
NEAR_MISSES = report.read_phrases(report.PHRASES_DIR / "not_now.txt")
CHILD_VOICE = report.read_phrases(DATA / "child_voice.txt")
ADULT_VOICE = report.read_phrases(DATA / "adult_voice.txt")


def test_the_phrase_lists_are_big_enough_and_do_not_overlap():
    assert len(CRISIS) >= 100
    assert len(NEAR_MISSES) >= 100
    assert len(set(CRISIS)) == len(CRISIS), "a crisis phrase is listed twice"
    assert len(set(NEAR_MISSES)) == len(NEAR_MISSES), "a near-miss is listed twice"
    assert not set(CRISIS) & set(NEAR_MISSES)


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_phrasing_is_caught(text):
    result = detect_crisis(text)
    assert result.is_crisis, f"missed: {text!r}"
    assert result.kind in {CHILD_IN_DANGER, SELF_HARM, ADULT_IN_DANGER}
    assert result.matched and result.matched in clean_text(text)


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_miss_is_not_flagged(text):
    result = detect_crisis(text)
    assert result == NOT_CRISIS, f"false alarm on {text!r}: matched {result.matched!r}"


@pytest.mark.parametrize("text", CHILD_VOICE)
def test_child_voice_is_recognised(text):
    result = detect_crisis(text)
    assert result.is_crisis
    assert result.writer_may_be_child, f"{text!r} reads as a child writing"


@pytest.mark.parametrize("text", ADULT_VOICE)
def test_adult_voice_is_not_taken_for_a_child(text):
    result = detect_crisis(text)
    assert result.is_crisis
    assert not result.writer_may_be_child, f"{text!r} does not read as a child writing"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("he hit my baby", CHILD_IN_DANGER),
        ("he's going to hurt the kids", CHILD_IN_DANGER),
        ("i cant keep them safe", CHILD_IN_DANGER),
        ("my son has taken pills", CHILD_IN_DANGER),
        ("my daughter says she wants to die", CHILD_IN_DANGER),
        ("my son is cutting himself", CHILD_IN_DANGER),
        ("my dad hits me", CHILD_IN_DANGER),  # the writer reads as a child
        ("im 12 and scared to go home", CHILD_IN_DANGER),
        ("I want to kill myself", SELF_HARM),
        ("wanna kill myself", SELF_HARM),
        ("i've taken too many tablets", SELF_HARM),
        ("I don't want to live anymore", SELF_HARM),
        ("my partner is hitting me", ADULT_IN_DANGER),
        ("he said he'll kill us", ADULT_IN_DANGER),
        ("im scared to go home", ADULT_IN_DANGER),
        ("my ex is stalking me", ADULT_IN_DANGER),
        # the everyday-words rules (bot/nlp/danger_now.py)
        ("i can smell gas and the kids are upstairs", CHILD_IN_DANGER),
        ("i can smell gas", ADULT_IN_DANGER),
        ("cant find my son anywhere", CHILD_IN_DANGER),
        ("my partner has collapsed", ADULT_IN_DANGER),
        ("ive got the pills in front of me", SELF_HARM),
        ("my daughter is locked in the bathroom with a razor", CHILD_IN_DANGER),
        ("my husband is at the airport with the kids now, the court said no", CHILD_IN_DANGER),
        ("im 14 and my dad kicked me out tonight, im on the street", CHILD_IN_DANGER),
        # Welsh (the now_welsh_* rules): a child when the message names one, the writer for "fy hun"
        ("mae e'n curo'r plant nawr", CHILD_IN_DANGER),
        ("mae fy mab wedi llyncu tabledi", CHILD_IN_DANGER),
        ("mae fy ngŵr yn fy nharo i", ADULT_IN_DANGER),
        ("dw i eisiau lladd fy hun", SELF_HARM),
    ],
)
def test_kind(text, kind):
    assert detect_crisis(text).kind == kind


def test_a_child_in_danger_outranks_the_writer_in_the_same_message():
    result = detect_crisis("he hit me last night and now he says he will hurt the baby")
    assert result.kind == CHILD_IN_DANGER
    assert "baby" in result.matched


@pytest.mark.parametrize(
    ("danger", "safe"),
    [
        ("he will hurt the kids", "he would never hurt the kids"),
        ("my partner has been violent", "my partner has never been violent"),
        ("i'm scared of him", "i'm not scared of him"),
        ("my kids are in danger", "my kids are not in danger"),
        ("he hit my son", "he didn't hit my son, it was an accident"),
        ("i want to hurt myself", "i would never hurt myself"),
    ],
)
def test_negation_turns_danger_off(danger, safe):
    assert detect_crisis(danger).is_crisis
    assert not detect_crisis(safe).is_crisis


@pytest.mark.parametrize(
    "text",
    ["he won't stop hitting me", "he never stops hurting the kids", "my kid ain't safe", "we're not safe"],
)
def test_negation_that_means_danger_still_flags(text):
    assert detect_crisis(text).is_crisis


@pytest.mark.parametrize(
    ("standard", "variant"),
    [
        ("he is going to hurt the kids", "hes gonna hurt the kidz"),
        ("my kid is not safe tonight", "my kid aint safe 2nite"),
        ("i want to kill myself", "i wanna kil myslef"),
        ("he threatened to kill me", "he threatend to kill me"),
        ("my daughter is being abused", "my dauther is bein abused"),
        ("i am scared to go home", "Im SCAAARED to go home!!!"),
        ("he is hitting me", "he\u2019s hittin me"),
        ("my partner is beating me", "ｍｙ ｐａｒｔｎｅｒ ｉｓ ｂｅａｔｉｎｇ ｍｅ"),
        ("i want to kill myself", "i want to k\u200bill myself"),
        ("my stepdad hurts me", "my step-dad hurts me"),
    ],
)
def test_typos_text_speak_and_odd_characters_mean_the_same(standard, variant):
    a, b = detect_crisis(standard), detect_crisis(variant)
    assert a.is_crisis and b.is_crisis
    assert a.kind == b.kind


FILLER_BEFORE = (
    "Hello, I had a letter from the council about how they link our family's records with the school and the "
    "NHS, and I don't really understand what it means for us or who can see it. "
)
FILLER_AFTER = (
    " Anyway, can you tell me how long you keep the records, and whether I can opt out of the data sharing? "
    "Thanks for your help, sorry for the long message."
)


@pytest.mark.parametrize(
    "danger",
    ["My partner has been hitting me again.", "i dont think my kids are safe tonight.", "i just want to die tbh."],
)
@pytest.mark.parametrize("repeat", [1, 5, 40])
def test_danger_in_the_middle_of_a_long_message_is_found(danger, repeat):
    text = FILLER_BEFORE * repeat + danger + FILLER_AFTER * repeat
    assert detect_crisis(text).is_crisis


@pytest.mark.parametrize("repeat", [1, 40])
def test_long_worried_message_without_danger_is_not_flagged(repeat):
    text = FILLER_BEFORE * repeat + "I'm scared my data will be shared with the police." + FILLER_AFTER * repeat
    assert detect_crisis(text) == NOT_CRISIS


BAD_INPUT = [
    "",
    " ",
    "\n\n\t",
    None,
    12345,
    ["he hit me"],
    b"\xff\xfe\x00",
    "\x00\x01\x02\x1b[31m\x7f",
    "😀" * 2000,
    "🔪🩸😭",
    "ŵ ŷ Llŷr Gwŵr Dafydd ap Siôn",
    "Rydw i eisiau gwybod beth ydych chi'n ei wneud gyda'n data",
    "a" * 10_000,
    "!" * 10_000,
    "!?" * 10_000,
    "1" * 10_000,
    "he " * 3_400,
    "he said " * 12_000,
    "'; DROP TABLE families; --",
    "<script>alert('x')</script>",
    "{{7*7}} ${jndi:ldap://127.0.0.1/a} %s%s%s %n",
    "\u202e\u2066\u200b\ufeff",
    "\ud800",  # a lone surrogate
    "x" * 300_000,
]


@pytest.mark.parametrize("text", BAD_INPUT, ids=lambda t: repr(t)[:30])
def test_bad_input_never_raises_and_is_not_crisis(text):
    result = detect_crisis(text)
    assert isinstance(result, CrisisResult)
    assert result == NOT_CRISIS


def test_bytes_are_read_as_utf8():
    assert detect_crisis(b"\xc5\xb5 he hit me").is_crisis  # starts with a UTF-8 "ŵ"


def test_control_characters_and_injection_around_real_danger_still_flag():
    assert detect_crisis("\x00he\x07 is going to\x1b hurt the kids <script>").is_crisis
    assert detect_crisis("'; DROP TABLE x; -- my partner is hitting me").is_crisis
    assert detect_crisis("🙏🙏 please help he's hitting me 😭😭").is_crisis
    assert detect_crisis("Mae e'n mynd i frifo'r plant. he's going to hurt the kids").is_crisis


def test_danger_after_10000_characters_is_found():
    text = "blah " * 2_000 + "my partner is hitting me"
    assert len(text) > 10_000
    assert detect_crisis(text).is_crisis


def test_threads_share_the_detector_safely():
    results: list[bool] = []

    def work() -> None:
        for _ in range(50):
            results.append(detect_crisis("he's going to hurt the kids").is_crisis)
            results.append(detect_crisis("is my child's data safe").is_crisis)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == results.count(False) == 400


def test_report_prints_recall_precision_and_misses(capsys, tmp_path):
    (tmp_path / "danger_now.txt").write_text("# comment\nhe hit my baby\nthe weather is nice\n", encoding="utf-8")
    (tmp_path / "not_now.txt").write_text("kill the notifications\nmy partner is hitting me\n", encoding="utf-8")
    assert report.main(["--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "rules: 1/2 caught, recall 50.0%" in out
    assert "1 false alarms, precision 50.0%" in out
    assert "- the weather is nice" in out
    assert "- my partner is hitting me" in out
    assert report.main(["--data", str(tmp_path), "--strict"]) == 1


def test_report_prints_each_held_out_set_and_the_total(capsys, tmp_path):
    for name, danger, not_now in [("a", "he hit my baby\nthe weather is nice\n", "kill the notifications\n"),
                                  ("b", "my baby is not breathing\n", "my partner is hitting me\nhello\n")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "danger_now.txt").write_text(danger, encoding="utf-8")
        (tmp_path / name / "not_now.txt").write_text(not_now, encoding="utf-8")
    (tmp_path / "danger_now.txt").write_text("he hit my baby\n", encoding="utf-8")
    (tmp_path / "not_now.txt").write_text("hello\n", encoding="utf-8")
    no_model = ["--model", str(tmp_path / "no-model.tar.gz")]  # the rules alone
    assert report.main(["--data", str(tmp_path), "--holdout", str(tmp_path), *no_model]) == 0
    out = capsys.readouterr().out
    assert "  a: 1/2 caught (50%), 0/1 not-now messages flagged" in out
    assert "  b: 1/1 caught (100%), 1/2 not-now messages flagged" in out
    assert "  all: 2/3 caught (67%), 1/3 not-now messages flagged" in out
    assert report.main(["--data", str(tmp_path), "--holdout", str(tmp_path / "none"), *no_model]) == 2


def test_report_on_the_shipped_lists_is_clean(capsys):
    assert report.main(["--strict"]) == 0
    assert "recall 100.0%" in capsys.readouterr().out


def test_report_says_when_the_lists_are_missing(capsys, tmp_path):
    assert report.main(["--data", str(tmp_path / "nowhere")]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_held_out_crisis_messages_are_not_in_the_phrase_lists():
    """The held-out sets measure the rules on words nobody tuned them for: a message there must not also be a test
    line the rules were widened to pass (case and spaces ignored)."""
    def key(text: str) -> str:
        return " ".join(text.lower().split())

    listed = {key(t) for t in CRISIS + NEAR_MISSES}
    held_out = [key(t) for d in sorted(report.HOLDOUT_DIR.iterdir()) if d.is_dir()
                for name in ("danger_now.txt", "not_now.txt") for t in report.read_phrases(d / name)]
    assert len(held_out) >= 400
    assert not [t for t in held_out if t in listed]


def test_welsh_words_joined_by_an_apostrophe_are_read_apart():
    """Welsh joins "'r" (the) and "'n" (yn) to the word before. Read whole, "curo'r" and "babi'n" matched no rule,
    and "mae e'n curo'r plant nawr" (he's beating the children now) got no 999 reply."""
    assert detect_crisis("mae e'n curo'r plant nawr").matched == "'n curo'r"  # "'n", "curo", "'r"
    assert detect_crisis("mae'r babi'n tagu").is_crisis  # the baby is choking
    assert detect_crisis("mae’r babi’n tagu").is_crisis  # a phone's curly apostrophes
    assert not detect_crisis("mae'r babi'n cysgu").is_crisis  # the baby is sleeping


def test_no_example_question_of_the_classifiers_is_taken_for_danger_now():
    """The NLU examples (data/nlu: questions, tasks, small talk, out of scope, in English and Welsh) are what parents
    ask when nobody is in danger. A rule that flags one sends a parent the 999 reply instead of an answer: the
    Welsh rules once flagged "Sut mae'r cyfrifiadur yn penderfynu pa deuluoedd sydd mewn perygl?"."""
    from bot.content.loader import REPO_ROOT
    from bot.nlu_report import nlu_examples

    texts = [text for path in sorted((REPO_ROOT / "data" / "nlu").glob("*.yml")) for _, text in nlu_examples(path)]
    assert len(texts) > 3000
    assert [t for t in texts if detect_crisis(t).is_crisis] == []
