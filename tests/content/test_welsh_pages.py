"""The Welsh pages (content/cy/): one for every English topic and snippet, the same placeholders, short sentences,
SMS that fit two segments, the sharing rules said the same way, both languages in the built responses, and
`python -m bot content status` listing what needs a Welsh speaker. Text checks run for both demo councils."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.content.build import responses_document
from bot.content.loader import CONTENT_DIR, WELSH_DIR, ContentError, load_content, template_tokens
from bot.content.models import SMS_MAX_CHARS
from bot.content.readability import MAX_MEAN_SENTENCE_WORDS, MAX_SENTENCE_WORDS, sentence_lengths
from bot.content.render import fill, sms_answer, sms_text, topic_sources, web_answer, web_body
from bot.content.welsh_status import MISSING, OUT_OF_DATE, UNREVIEWED, english_hash, welsh_status
from tests.content.test_topic_quality import SHARING_TOPICS, SMS_EXCEPTION_TOPICS

WALES_DEMO = CONTENT_DIR / "councils" / "wales-demo.yml"
CONTENTS = {"england": load_content(), "wales": load_content(council=WALES_DEMO)}
CONTENT = CONTENTS["england"]
TOPIC_IDS = sorted(p.stem for p in (CONTENT_DIR / "topics").glob("*.md"))
SNIPPET_IDS = sorted(p.stem for p in (CONTENT_DIR / "snippets").glob("*.md"))
CASES = [(nation, topic_id) for nation in CONTENTS for topic_id in TOPIC_IDS]


# GSM 03.38 basic set (as in test_topic_quality.py): one character outside it (ŵ, ŷ, â, ô ...) makes the whole SMS
# UCS-2, 70 characters a message or 67 a part, so two parts hold only 134.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
UCS2_TWO_PARTS = 2 * 67


def test_every_english_page_has_a_welsh_page_with_the_same_id() -> None:
    assert sorted(p.stem for p in (CONTENT_DIR / WELSH_DIR / "topics").glob("*.md")) == TOPIC_IDS
    assert sorted(p.stem for p in (CONTENT_DIR / WELSH_DIR / "snippets").glob("*.md")) == SNIPPET_IDS
    assert sorted(CONTENT.topics_cy) == TOPIC_IDS
    assert sorted(CONTENT.snippets_cy) == SNIPPET_IDS


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_welsh_topic_keeps_the_english_placeholders_and_has_its_own_words(topic_id: str) -> None:
    english, welsh = CONTENT.topic(topic_id), CONTENT.topics_cy[topic_id]
    assert template_tokens(welsh.body) == template_tokens(english.body)
    assert template_tokens(welsh.sms) == template_tokens(english.sms)
    assert welsh.title and welsh.title != english.title
    assert welsh.body != english.body and welsh.sms != english.sms


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_welsh_sentences_are_short(nation: str, topic_id: str) -> None:
    content = CONTENTS[nation]
    topic = content.topic(topic_id)
    for where, text in (("web", web_body(topic, content, "cy")), ("sms", sms_text(topic, content, "cy"))):
        lengths = sentence_lengths(text)
        assert lengths, f"{topic_id} ({where}): no text"
        mean = sum(lengths) / len(lengths)
        assert mean <= MAX_MEAN_SENTENCE_WORDS, f"{topic_id} ({where}): {mean:.1f} words a sentence on average"
        assert max(lengths) <= MAX_SENTENCE_WORDS, f"{topic_id} ({where}): a sentence of {max(lengths)} words"


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_welsh_sms_fits_two_segments_in_its_encoding(nation: str, topic_id: str) -> None:
    content = CONTENTS[nation]
    topic = content.topic(topic_id)
    sms = sms_answer(topic, content, "cy")
    assert sms.endswith(f" Mwy: {topic_sources(topic, content, 'cy')[0].url}")
    limit = SMS_MAX_CHARS if set(sms) <= GSM7_BASIC else UCS2_TWO_PARTS
    assert len(sms) <= limit, f"{topic_id}: {len(sms)} characters, limit {limit}"
    assert "**" not in sms and "{{" not in sms


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_welsh_answers_are_filled_and_in_welsh(nation: str, topic_id: str) -> None:
    content = CONTENTS[nation]
    topic = content.topic(topic_id)
    answer = web_answer(topic, content, "cy")
    assert "{{" not in answer
    assert "\nFfynhonnell: " in answer
    assert content.council.name_cy in answer or "{{council_name}}" not in topic.body


@pytest.mark.parametrize(("nation", "topic_id"), [(n, t) for n in CONTENTS for t in sorted(SHARING_TOPICS)])
def test_welsh_sharing_topics_say_what_the_english_ones_say(nation: str, topic_id: str) -> None:
    """The Welsh of the English checks: shared without asking when a child may be at risk of harm, consent not needed,
    workers say what they share, asking for help is not, by itself, a referral, and the advice line."""
    content = CONTENTS[nation]
    text = " ".join(web_answer(content.topic(topic_id), content, "cy").lower().split())
    assert "mewn perygl o niwed" in text and "heb ofyn" in text
    assert "does dim angen eich caniatâd" in text
    assert "beth maen nhw'n ei rannu" in text
    assert "nid yw, ynddo'i hun, yn atgyfeiriad amddiffyn plant" in text
    assert "os ydych chi'n cytuno" in text
    assert "0808 801 0366" in text


@pytest.mark.parametrize(("nation", "topic_id"), [(n, t) for n in CONTENTS for t in sorted(SMS_EXCEPTION_TOPICS)])
def test_welsh_opt_out_and_consent_sms_name_the_exception(nation: str, topic_id: str) -> None:
    text = sms_text(CONTENTS[nation].topic(topic_id), CONTENTS[nation], "cy").lower()
    assert "mewn perygl o niwed" in text and "heb ofyn" in text


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text.lower()) if s.strip()]


@pytest.mark.parametrize("nation", CONTENTS)
def test_no_welsh_sentence_about_sharing_names_serious_or_significant_harm(nation: str) -> None:
    """As in English: the bar for sharing is a risk of harm; significant harm is the bar for an enquiry."""
    content = CONTENTS[nation]
    texts = [web_body(t, content, "cy") for t in content.topics] + [sms_text(t, content, "cy") for t in content.topics]
    texts += [fill("{{" + s + "}}", content, channel=c, lang="cy") for s in SNIPPET_IDS for c in ("web", "sms")]
    for text in texts:
        for sentence in _sentences(text):
            if re.search(r"\brhann", sentence):
                assert not re.search(r"niwed (?:sylweddol|difrifol)", sentence), sentence


def test_the_welsh_council_cites_welsh_law_in_welsh() -> None:
    wales = CONTENTS["wales"]
    urls = [str(s.url) for s in topic_sources(wales.topic("child_protection_exception"), wales, "cy")]
    section_130 = "https://www.legislation.gov.uk/anaw/2014/4/section/130"
    for welsh, english in ((f"{section_130}/welsh", section_130), ("https://safeguarding.wales/cy/", "https://safeguarding.wales/en/")):
        assert urls.index(welsh) + 1 == urls.index(english), "a Welsh version comes just before its English source"
    # The SMS link: the Welsh version of the topic's first source
    assert sms_answer(wales.topic("asking_for_help"), wales, "cy").endswith(" Mwy: https://safeguarding.wales/cy/")
    assert not any("working-together-to-safeguard-children" in u for u in urls)
    england = [str(s.url) for s in topic_sources(CONTENT.topic("child_protection_exception"), CONTENT, "cy")]
    assert not any("/welsh" in u or "safeguarding.wales" in u for u in england)


def test_the_built_responses_hold_both_languages_for_every_topic() -> None:
    responses = yaml.safe_load(responses_document(CONTENT))["responses"]
    for topic in CONTENT.topics:
        variations = responses[f"utter_topic/{topic.id}"]
        english = [v for v in variations if "condition" not in v]
        welsh = [v for v in variations if "condition" in v]
        assert {v.get("channel") for v in english} == {v.get("channel") for v in welsh} == {"sms", "whatsapp", None}
        for variation in welsh:
            assert variation["condition"] == [{"type": "slot", "name": "language", "value": "cy"}]
        web = next(v for v in welsh if "channel" not in v)
        assert web["text"] == web_answer(topic, CONTENT, "cy")
        do_it = ["Gwneud hyn nawr"] if topic.task else []
        related = [CONTENT.title(r, "cy") for r in topic.related[:4]]
        assert [b["title"] for b in web.get("buttons", [])] == do_it + related
        assert next(v for v in welsh if v.get("channel") == "sms")["text"] == sms_answer(topic, CONTENT, "cy")


# --- the loader's checks, on a copy of content/ --------------------------------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def _load_error(root: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_content(root)
    return str(info.value)


def test_a_welsh_page_that_drops_a_placeholder_is_refused(content_copy: Path) -> None:
    path = content_copy / WELSH_DIR / "topics" / "who_can_see.md"
    path.write_text(path.read_text(encoding="utf-8").replace("{{organisations}}", ""), encoding="utf-8")
    error = _load_error(content_copy)
    assert "cy/topics/who_can_see.md: field 'body': placeholders" in error and "{{organisations}}" in error


def test_a_welsh_source_must_translate_a_source_of_the_english_page(content_copy: Path) -> None:
    path = content_copy / WELSH_DIR / "snippets" / "safeguarding.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("https://safeguarding.wales/en/", "https://a.example/"), encoding="utf-8")
    error = _load_error(content_copy)
    assert "cy/snippets/safeguarding.md: field 'sources': 'https://a.example/' (translates)" in error


def test_a_welsh_page_without_an_english_page_is_refused(content_copy: Path) -> None:
    shutil.copy(content_copy / WELSH_DIR / "topics" / "see_my_data.md", content_copy / WELSH_DIR / "topics" / "nope.md")
    assert "cy/topics/nope.md: field 'id': no English page content/topics/nope.md" in _load_error(content_copy)


def test_a_welsh_page_with_an_unknown_field_or_bad_hash_names_file_and_field(content_copy: Path) -> None:
    path = content_copy / WELSH_DIR / "topics" / "see_my_data.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^en_hash: .*$", "en_hash: abc", text, flags=re.M), encoding="utf-8")
    assert "cy/topics/see_my_data.md: field 'en_hash'" in _load_error(content_copy)
    path.write_text(text.replace("cy_reviewed:", "examples: [x]\ncy_reviewed:"), encoding="utf-8")
    assert "cy/topics/see_my_data.md: field 'examples'" in _load_error(content_copy)


def test_a_topic_without_a_welsh_page_is_answered_in_english_and_listed_as_missing(content_copy: Path) -> None:
    (content_copy / WELSH_DIR / "topics" / "see_my_data.md").unlink()
    content = load_content(content_copy)
    topic = content.topic("see_my_data")
    assert web_answer(topic, content, "cy").startswith(topic.body.split("\n")[0])
    missing = {s.welsh: s.problems for s in welsh_status(content_copy)}
    assert MISSING in missing["cy/topics/see_my_data.md"]


# --- python -m bot content status -------------------------------------------------------------------------


def test_status_lists_a_welsh_page_whose_english_page_changed(
    content_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in ("topics", "snippets"):  # start from every Welsh page reviewed and up to date
        for path in (content_copy / WELSH_DIR / kind).glob("*.md"):
            english = content_copy / kind / path.name
            text = path.read_text(encoding="utf-8").replace("cy_reviewed: false", "cy_reviewed: true")
            text = re.sub(r"^en_hash: .*$", f"en_hash: {english_hash(english)}", text, flags=re.M)
            path.write_text(text, encoding="utf-8")
    assert main(["content", "status", "--content", str(content_copy)]) == 0
    assert "Every Welsh page is reviewed and up to date" in capsys.readouterr().out

    english = content_copy / "topics" / "see_my_data.md"
    # a new training question is not translated: the Welsh page stays up to date
    english.write_text(english.read_text(encoding="utf-8").replace("examples:\n", "examples:\n  - \"new q\"\n", 1),
                       "utf-8")
    assert main(["content", "status", "--content", str(content_copy)]) == 0
    assert "Every Welsh page is reviewed and up to date" in capsys.readouterr().out

    english.write_text(english.read_text(encoding="utf-8").replace("It is usually free.", "It is free."), "utf-8")
    assert main(["content", "status", "--content", str(content_copy)]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("cy/")]
    assert lines == [f"cy/topics/see_my_data.md: {OUT_OF_DATE} (English topics/see_my_data.md, "
                     f"en_hash {english_hash(english)})"]


def test_status_lists_every_unreviewed_welsh_page(capsys: pytest.CaptureFixture[str]) -> None:
    unreviewed = sorted(
        f"cy/{kind}/{page_id}.md"
        for kind, pages in (("topics", CONTENT.topics_cy), ("snippets", CONTENT.snippets_cy))
        for page_id, page in pages.items()
        if not page.cy_reviewed
    )
    assert main(["content", "status"]) == 0
    out = capsys.readouterr().out
    listed = sorted(line.split(":")[0] for line in out.splitlines() if line.startswith("cy/") and UNREVIEWED in line)
    assert listed == unreviewed
