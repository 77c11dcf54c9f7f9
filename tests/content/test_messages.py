"""Every keyed message (content/messages/<lang>/*.yml), in English and Welsh, on every channel: both languages have it,
the code passes exactly the values it declares, it reads easily, its tone, and its SMS length. Also the Welsh
conditional responses through Rasa's own response generator, and the end of an SMS topic answer."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import yaml

from bot.channels.formatting import segment_count
from bot.content.loader import REPO_ROOT, content
from bot.content.messages import (
    LANGUAGES,
    MESSAGES_DIR,
    MessageError,
    check_calls,
    load_messages,
    messages,
    render,
    say,
)
from bot.content.readability import MAX_GRADE, grade
from bot.content.render import sms_answer
from tests.content.test_topic_quality import (
    BLAME_OR_THREAT,
    HARM_THRESHOLD,
    ONLY_IF,
    SHARE_WORD,
    SHARING_WITHOUT_ASKING,
    UNQUALIFIED_NOT_A_REFERRAL,
    _normal,
)
from tests.test_replies import BLAME, FALSE_PROMISES

# A value for every param a key can declare: a long, realistic one, so lengths are checked at their worst.
SAMPLE = {
    "purpose": "Risk scores", "due_date": "25 December 2026", "sent_date": "25 November 2026",
    "reference": "OPT-7Q2K9", "request": "request to see your data", "status": "being worked on",
    "level": "Only for services I ask for", "label": "Only for services I ask for",
    "description": "Your records are used only for the help you asked for.", "what": "My name is wrong",
    "where": "A letter", "should": "Ceri", "date": "3 April 2019", "day": "3", "month": "April", "year": "2026",
    "count": "3", "system": "Children's social care", "systems": "Children's social care, School records",
    "kinds": "case notes, meetings", "period": "until the child is 25", "item": "Family Hub",
    "name": "Family Needs Model", "user": "Family Hub", "use": "Supporting families: included",
    "purposes": "Predictive analytics", "choice": "included", "why": "To plan services.", "who": "Family Hub",
    "how_long": "6 years.", "child_protection": "", "medium": "text message", "number_end": "123",
    "step": "1", "steps": "4", "kept": "3", "changed": "1", "number": "1", "title": "Yes",
    "council_name": "Example Borough Council", "how_to_reach": "call 0300 123 4567", "phone": "0300 123 4567",
    "hours": "Monday to Friday, 9am to 5pm", "email": "data@example.gov.uk",
    "decides": "A worker reads each case and decides.", "by": "an independent review team", "summary": "Right 6 in 10.",
}
CHANNELS = ("web", "sms", "whatsapp")
ALL = [(m.key, lang, channel) for m in messages() for lang in LANGUAGES for channel in CHANNELS]
# Keys that only make part of a sentence or a list line: their reading grade is the whole sentence's.
FRAGMENT = re.compile(r"^(requests|dates|buttons|picture|common|page)\.|\.(channel_\w+|.*_line|system|what|since|kept|"
                      r"linked|used_by|uses|use|tool|kept_default|summary_\w+|reach_\w+|council_default|choose_one|"
                      r"more_suffix|language_name)$")
# Prompts (a question, or "I did not catch that") fit 2 SMS; answers 3.
PROMPT = re.compile(r"(^|\.)(utter_ask_|ask_)|not_recognised$|_failed$|^identity\.")


def _text(key: str, lang: str, channel: str) -> str:
    message = messages()[key]
    return render(message, lang, channel, {p: SAMPLE[p] for p in message.params}, content())


def _sentences(text: str) -> list[str]:
    plain = re.sub(r"\*\*|^- ", "", text, flags=re.MULTILINE)
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n+", plain) if len(s.split()) > 0]


def test_every_key_is_in_english_and_welsh() -> None:
    keys = {}
    for lang in LANGUAGES:
        keys[lang] = {f"{p.stem}.{k}" for p in (MESSAGES_DIR / lang).glob("*.yml")
                      for k in yaml.safe_load(p.read_text(encoding="utf-8"))}
    assert keys["en"] == keys["cy"]
    assert len(keys["en"]) > 150


def test_every_call_in_the_code_passes_exactly_the_declared_values() -> None:
    assert check_calls() == []


@pytest.mark.parametrize(("key", "lang", "channel"), ALL)
def test_every_message_renders_with_no_placeholder_left(key: str, lang: str, channel: str) -> None:
    text = _text(key, lang, channel)
    assert text.strip() and "{" not in text and "}" not in text, f"{key} ({lang}, {channel}): {text}"


EN = [(m.key, c) for m in messages() for c in CHANNELS if not FRAGMENT.search(m.key)]


@pytest.mark.parametrize(("key", "channel"), EN)
def test_english_reads_at_grade_six_or_below(key: str, channel: str) -> None:
    text = _text(key, "en", channel)
    assert grade(text) <= MAX_GRADE, f"{key} ({channel}) reads at grade {grade(text):.1f}: {text}"


@pytest.mark.parametrize(("key", "channel"), [(m.key, c) for m in messages() for c in CHANNELS])
def test_english_tone(key: str, channel: str) -> None:
    text = _text(key, "en", channel)
    normal = _normal(text)
    for pattern in BLAME_OR_THREAT:
        assert not re.search(pattern, normal), f"{key}: blame or threat wording"
    assert not BLAME.search(text) and not FALSE_PROMISES.search(text), key
    assert not UNQUALIFIED_NOT_A_REFERRAL.search(normal), key
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", normal):
        if SHARING_WITHOUT_ASKING.search(sentence):
            assert not ONLY_IF.search(sentence), f"{key}: {sentence}"
        if SHARE_WORD.search(sentence):
            assert not HARM_THRESHOLD.search(sentence), f"{key}: {sentence}"


SMS = [(m.key, lang) for m in messages() for lang in LANGUAGES if m.key.split(".")[0] not in ("buttons",)]


@pytest.mark.parametrize(("key", "lang"), SMS)
def test_sms_fits_two_segments_for_a_prompt_three_for_an_answer(key: str, lang: str) -> None:
    from bot.channels.formatting import to_plain_text

    text = to_plain_text(_text(key, lang, "sms"))
    limit = 2 if PROMPT.search(key) else 3
    assert segment_count(text) <= limit, f"{key} ({lang}): {segment_count(text)} segments: {text}"


@pytest.mark.parametrize("key", ["crisis.utter_crisis", "crisis.utter_crisis_child"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_crisis_numbers_fit_one_text_in_each_language(key: str, lang: str) -> None:
    assert segment_count(_text(key, lang, "sms")) == 1


WELSH = [m.key for m in messages() if not FRAGMENT.search(m.key)]


@pytest.mark.parametrize("key", WELSH)
def test_welsh_sentences_are_short(key: str) -> None:
    lengths = [len(s.split()) for c in CHANNELS for s in _sentences(_text(key, "cy", c))]
    assert max(lengths) <= 25, f"{key}: a sentence of {max(lengths)} words"
    assert statistics.mean(lengths) <= 15, f"{key}: sentences of {statistics.mean(lengths):.1f} words on average"


def test_welsh_differs_from_english() -> None:
    same = [m.key for m in messages() if m.words["cy"] == m.words["en"] and not FRAGMENT.search(m.key)
            and re.search(r"[a-z]{3}", re.sub(r"\{+\w+\}+", "", m.words["en"]["text"]))]
    assert same == [], f"not translated: {same}"


# --- say() fails loudly ------------------------------------------------------------------------------------------


def test_an_unknown_key_fails() -> None:
    with pytest.raises(MessageError, match="unknown message key"):
        say("tasks.no_such_key")


def test_a_missing_value_fails() -> None:
    with pytest.raises(MessageError, match="no value for"):
        say("tasks.reply_by")


def test_an_undeclared_value_fails() -> None:
    with pytest.raises(MessageError, match="not declared"):
        say("tasks.not_sent", reference="OPT-7Q2K9")


def test_welsh_is_said_in_welsh() -> None:
    assert say("tasks.reply_by", "cy", due_date="3 Ebrill 2026") == "Rhaid i'r cyngor ateb erbyn 3 Ebrill 2026."


def _copy(tmp_path: Path) -> Path:
    for lang in LANGUAGES:
        (tmp_path / lang).mkdir()
        for path in (MESSAGES_DIR / lang).glob("*.yml"):
            (tmp_path / lang / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_a_placeholder_the_key_does_not_declare_fails_the_load(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "cy" / "tasks.yml"  # the last of two same keys wins in YAML
    path.write_text(path.read_text(encoding="utf-8") + "not_sent: Iawn {reference}.\n", encoding="utf-8")
    with pytest.raises(MessageError, match="not declared under params"):
        load_messages(root)


def test_a_key_missing_in_welsh_fails_the_load(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "cy" / "tasks.yml"
    path.write_text(re.sub(r"(?m)^not_sent:.*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(MessageError, match="tasks.not_sent is missing in content/messages/cy/"):
        load_messages(root)


def test_a_call_that_does_not_pass_a_declared_value_is_found(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "actions").mkdir()
    (tmp_path / "bot" / "x.py").write_text('say("tasks.reply_by", lang)\nsay("tasks.nope")\n', encoding="utf-8")
    problems = check_calls(messages(), tmp_path)
    assert len(problems) == 2 and "declares ['due_date']" in problems[0] and "nope" in problems[1]


# --- Rasa picks the Welsh words, per channel ---------------------------------------------------------------------


def _nlg():  # type: ignore[no-untyped-def]
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    responses = yaml.safe_load((REPO_ROOT / "data" / "responses" / "messages.yml").read_text(encoding="utf-8"))
    return TemplatedNaturalLanguageGenerator(responses["responses"])


@pytest.mark.parametrize("channel", ["sms", "whatsapp", "socketio"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_rasa_sends_the_conversations_language_on_each_channel(lang: str, channel: str) -> None:
    sent = _nlg().generate_from_slots("utter_crisis", {"language": lang}, channel)
    expected = _text("crisis.utter_crisis", lang, "web" if channel == "socketio" else channel)
    assert sent["text"].strip() == expected
    assert bool((sent.get("custom") or {}).get("sms_alone")) == (channel == "sms")


def test_a_welsh_web_reply_keeps_its_buttons_with_welsh_titles() -> None:
    sent = _nlg().generate_from_slots("utter_task_paused", {"language": "cy"}, "socketio")
    assert [b["title"] for b in sent["buttons"]] == ["Parhau", "Stopio"]


def test_a_tracker_in_welsh_on_sms_gets_the_welsh_sms_text() -> None:
    """Through Rasa's own generator and a real tracker, as the server runs it."""
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load([str(REPO_ROOT / "domain.yml"), str(REPO_ROOT / "data" / "responses" / "messages.yml")])
    tracker = DialogueStateTracker.from_events("parent", [SlotSet("language", "cy")], domain.slots)
    sent = asyncio.run(_nlg().generate("utter_default", tracker, "sms"))
    assert sent["text"] == _text("fallback.utter_default", "cy", "sms")
    english = DialogueStateTracker.from_events("parent", [], domain.slots)
    assert asyncio.run(_nlg().generate("utter_default", english, "sms"))["text"] == _text(
        "fallback.utter_default", "en", "sms")


# --- an SMS topic answer ends its sentence before its link ---------------------------------------------------------


@pytest.mark.parametrize("topic_id", content().topic_ids)
def test_an_sms_answer_ends_its_sentence_before_the_link(topic_id: str) -> None:
    text = sms_answer(content().topic(topic_id), content())
    before = text.rsplit(" More: ", 1)[0]
    assert re.search(r"[.!?][\"')\]’”]*$", before), f"{topic_id}: '...{before[-40:]}' runs into its link"


def _sentences_by_file(lang: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for m in messages():
        for text in m.words[lang].values():
            for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
                sentence = sentence.strip().lstrip("- ")
                if len(sentence.split()) >= 4 and not sentence.startswith("{{"):
                    found.setdefault(sentence, set()).add(m.key.split(".")[0])
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_sentence_lives_in_one_file(lang: str) -> None:
    """A sentence several messages say is a key of its own, pulled in with {{group.name}}, so grep finds it once."""
    twice = {s: sorted(files) for s, files in _sentences_by_file(lang).items() if len(files) > 1}
    assert twice == {}


def test_a_message_can_pull_in_another_and_a_loop_is_refused(tmp_path: Path) -> None:
    assert say("tasks.level_not_recognised").endswith(say("common.or_cancel"))
    root = _copy(tmp_path)
    for lang in LANGUAGES:
        path = root / lang / "common.yml"
        path.write_text(path.read_text(encoding="utf-8") + 'loop: "Hello. {{common.loop}}"\n', encoding="utf-8")
    with pytest.raises(MessageError, match="includes itself"):
        load_messages(root)


def test_the_crisis_reply_gives_meic_in_welsh_and_for_a_council_in_wales_only() -> None:
    """Meic, the helpline for children and young people in Wales (content/helplines.yml): every Welsh crisis reply,
    and the English one of a council in Wales; not the English one of a council in England."""
    from bot.content.loader import CONTENT_DIR, load_content

    wales = load_content(council=CONTENT_DIR / "councils" / "wales-demo.yml")
    england = content()
    meic = england.helpline("meic")
    for channel in CHANNELS:
        assert meic in render(messages()["crisis.utter_crisis"], "cy", channel, {}, england)
        assert meic in render(messages()["crisis.utter_crisis"], "en", channel, {}, wales)
        assert meic not in render(messages()["crisis.utter_crisis"], "en", channel, {}, england)


@pytest.mark.parametrize("key", ["crisis.utter_crisis", "crisis.utter_crisis_child"])
def test_the_crisis_sms_with_meic_is_still_one_text(key: str) -> None:
    from bot.channels.formatting import segment_count
    from bot.content.loader import CONTENT_DIR, load_content

    wales = load_content(council=CONTENT_DIR / "councils" / "wales-demo.yml")
    for lang in LANGUAGES:
        assert segment_count(render(messages()[key], lang, "sms", {}, wales)) == 1, lang
