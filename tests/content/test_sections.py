"""Topic sections (content/topics/<id>.md `## <question> {#id}` lines with an `SMS:` line): every topic is split into
sections, each section's SMS fits the segment limit, the build writes a response per section and one for the rest of
its page, and broken section lines are refused with the file named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.channels.formatting import is_gsm7, segment_count
from bot.channels.sms import MORE_SUFFIX
from bot.content.build import responses_document, rest_response, section_of, topic_response
from bot.content.loader import CONTENT_DIR, ContentError, load_content
from bot.content.models import SMS_MAX_CHARS
from bot.content.readability import MAX_GRADE, grade
from bot.content.render import (
    rest_sms_answer,
    rest_web_answer,
    section_sms_answer,
    section_sms_text,
    section_web_answer,
    sms_text,
)

CONTENTS = {"england": load_content(), "wales": load_content(council=CONTENT_DIR / "councils" / "wales-demo.yml")}
CONTENT = CONTENTS["england"]
# Pages without sections: nhs_data_opt_out is written twice, once per nation, from its first line, so no section could
# hold for both; talk_to_person is a list of numbers whose one SMS already carries every part.
WHOLE_PAGES = {"nhs_data_opt_out", "talk_to_person"}
SECTIONS = [(nation, topic.id, section.id) for nation, c in CONTENTS.items() for topic in c.topics
            for section in topic.sections]


def test_every_topic_is_split_into_sections_that_each_answer_a_question() -> None:
    for topic in CONTENT.topics:
        if topic.id in WHOLE_PAGES:
            assert not topic.sections
            continue
        assert len(topic.sections) >= 2, f"{topic.id}: {len(topic.sections)} section(s)"
        assert topic.short_answer and "**" + topic.sections[0].question + "**" in topic.body
        for section in topic.sections:
            assert section.question.endswith("?"), f"{topic.id}/{section.id}: '{section.question}'"
            assert "{{" not in section.question  # matched against messages as written


@pytest.mark.parametrize(("nation", "topic_id", "section_id"), SECTIONS)
def test_a_section_s_sms_fits_three_gsm7_segments_and_reads_simply(nation, topic_id, section_id) -> None:
    """An answer: at most 3 segments with its source link and "Reply MORE" (the section's own words fit 2)."""
    content = CONTENTS[nation]
    topic = content.topic(topic_id)
    section = topic.section(section_id)
    sms = section_sms_answer(topic, section, content)
    assert sms.endswith(MORE_SUFFIX)
    assert segment_count(sms) <= 3, f"{topic_id}/{section_id}: {len(sms)} characters"
    assert len(section_sms_text(topic, section, content)) <= SMS_MAX_CHARS
    assert is_gsm7(sms), f"{topic_id}/{section_id}: characters outside GSM-7"
    assert "**" not in sms and "{{" not in sms
    assert grade(section_sms_text(topic, section, content)) <= MAX_GRADE


def test_the_rest_is_the_page_without_the_section_sent() -> None:
    topic = CONTENT.topic("see_my_data")
    shown = topic.section("how_long")
    web = rest_web_answer(topic, shown, CONTENT)
    assert web.startswith(topic.short_answer) and shown.question not in web
    assert all(s.question in web for s in topic.sections if s is not shown)
    assert shown.question in section_web_answer(topic, shown, CONTENT)
    sms = rest_sms_answer(topic, shown, CONTENT)
    assert sms.startswith(sms_text(topic, CONTENT)) and section_sms_text(topic, shown, CONTENT) not in sms
    assert "More: https://" in sms


def test_the_build_writes_each_section_and_its_rest_with_a_more_button() -> None:
    responses = yaml.safe_load(responses_document(CONTENT))["responses"]
    for topic in CONTENT.topics:
        assert topic_response(topic.id) in responses
        for section in topic.sections:
            name = topic_response(topic.id, section.id)
            assert section_of(name) == (topic.id, section.id)
            web = next(v for v in responses[name] if "channel" not in v)
            assert web["buttons"][0] == {"title": "More on this",
                                         "payload": '/show_topic{{"topic_id":"' + topic.id + '"}}'}
            sms = next(v for v in responses[name] if v.get("channel") == "sms")
            assert sms["text"].strip().endswith(MORE_SUFFIX)
            assert rest_response(topic.id, section.id) in responses
    assert section_of(topic_response("see_my_data")) is None and section_of("utter_greet") is None


@pytest.mark.parametrize(("line", "message"), [
    ("## What do I get?", "a section line is `## <question> {#<id>}`"),
    ("## What do I get? {#What Get}\nSMS: A copy.", "field 'sections.0.id'"),
    ("## What do I get? {#what}\nA copy.", "no `SMS: <short form>` line"),
    ("SMS: a copy\n## What do I get? {#what}\nSMS: a copy", "belongs inside a section"),
])
def test_a_broken_section_is_refused_naming_the_file(tmp_path: Path, line: str, message: str) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    path = root / "topics" / "see_my_data.md"
    front, _, _ = path.read_text(encoding="utf-8").partition("\n---\n")
    path.write_text(f"{front}\n---\nYou can ask for a copy of the records the council holds about you.\n{line}\n",
                    encoding="utf-8")
    with pytest.raises(ContentError, match="content/topics/see_my_data.md") as error:
        load_content(root)
    assert message in str(error.value)
