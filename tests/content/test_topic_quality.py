"""Quality checks on the real content library (content/) and on how the loader reports broken content.

Every topic must be readable (grade 6 or below), fit two GSM-7 SMS segments, carry enough example questions,
cite a real https source, never promise that an opt-out stops all sharing, and, where it is about opting out,
consent or sharing, state the child-protection exception together with the not-a-referral reassurance.
It must say exactly when records are shared without asking (never "only if", never the "significant harm"
threshold for sharing, never an unqualified "not a referral"), and cite the guidance it paraphrases. Text checks
run for the England demo council (content/council.yml) and the Wales one (content/councils/wales-demo.yml).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.content import task_text
from bot.content.loader import CONTENT_DIR, ContentError, load_content
from bot.content.models import SMS_MAX_CHARS, THEMES
from bot.content.readability import MAX_GRADE, grade, plain_text
from bot.content.render import fill, sms_answer, sms_text, topic_sources, web_answer

WALES_DEMO = CONTENT_DIR / "councils" / "wales-demo.yml"
CONTENTS = {"england": load_content(), "wales": load_content(council=WALES_DEMO)}
CONTENT = CONTENTS["england"]
TOPIC_IDS = sorted(p.stem for p in (CONTENT_DIR / "topics").glob("*.md"))
# (nation, topic) pairs: every text check runs for a council in each nation.
CASES = [(nation, topic_id) for nation in CONTENTS for topic_id in TOPIC_IDS]

REQUIRED_TOPICS = {
    "records_school", "records_health", "records_social_care", "records_police", "records_housing_benefits",
    "how_linking_works", "data_warehouses", "supporting_families", "why_councils_link", "who_can_see",
    "how_long_kept", "predictive_analytics", "risk_score_errors", "private_companies", "algorithm_register",
    "accuracy_checks", "your_rights", "see_my_data", "correct_my_data", "object_to_use", "erasure_limits",
    "complain_ico", "opting_out_limits", "consent_levels", "child_protection_exception", "asking_for_help",
    "early_help_voluntary", "after_error_report", "nhs_data_opt_out", "talk_to_person", "assistant_privacy",
}

# Topics about opting out, consent or sharing: the web answer must state the child-protection exception and
# pair it with the true reassurance (asking for help is voluntary, not a referral; independent advice).
SHARING_TOPICS = {
    "records_school", "records_health", "records_social_care", "records_police", "records_housing_benefits",
    "how_linking_works", "data_warehouses", "supporting_families", "why_councils_link", "who_can_see",
    "private_companies", "object_to_use", "opting_out_limits", "consent_levels", "child_protection_exception",
    "asking_for_help", "early_help_voluntary", "nhs_data_opt_out",
}
# Of those, the ones whose short SMS answer must also name the exception.
SMS_EXCEPTION_TOPICS = {
    "opting_out_limits", "object_to_use", "consent_levels", "child_protection_exception", "asking_for_help",
    "early_help_voluntary",
}

# Topics that lead to a task: the web answer ends by telling the parent what to say next.
TASK_PROMPTS = {
    "see_my_data": "see my data",
    "correct_my_data": "report a mistake",
    "risk_score_errors": "report a mistake",
    "after_error_report": "where is my request",
    "opting_out_limits": "opt out",
    "object_to_use": "opt out",
    "consent_levels": "change my choices",
    "talk_to_person": "talk to a person",
    "records_school": "see my data",
    "records_social_care": "see my data",
    "who_can_see": "see my data",
    "how_long_kept": "see my data",
    "records_housing_benefits": "opt out",
    "private_companies": "opt out",
    "predictive_analytics": "opt out",
    "your_rights": "talk to a person",
    "complain_ico": "talk to a person",
    "assistant_privacy": "talk to a person",
}

FRG_NUMBER = "0808 801 0366"

# Sentences that would promise more than the law gives: an opt-out (objection) never stops all sharing.
FALSE_PROMISES = [
    r"\bstops? all (?:the )?sharing\b",
    r"\bstops? (?:any|every) (?:sharing|use)\b",
    r"\bno (?:more )?sharing at all\b",
    r"\b(?:will|can) never be shared\b",
    r"\bnever be (?:shared|seen|used)\b",
    r"\bnot be shared with anyone\b",
    r"\b(?:nobody|no one|no-one) (?:will|can|could) (?:see|share|use)\b",
    r"\bopt(?:ing)?[- ]?outs? (?:will |means |)(?:stop|stops|prevent|prevents|block|blocks) (?:all|any|every)",
    r"\bopt(?:ing)?[- ]?outs? (?:is|are) (?:final|absolute)\b",
    r"\b(?:we|they|the council) (?:can|will) never share\b",
    r"\bguarantee",
    r"\bcompletely (?:private|safe|anonymous)\b",
    r"\b100 ?%",
]

BLAME_OR_THREAT = [
    r"\byour fault\b", r"\byou failed\b", r"\bfailed to\b", r"\bneglectful\b",
    r"\bbad (?:parent|mum|dad|mother|father)s?\b", r"\birresponsible\b", r"\bnon[- ]?compliant\b",
    r"\buncooperative\b", r"\brefuse to co[- ]?operate\b", r"\bor else\b", r"\bmust comply\b",
    r"\bconsequences\b", r"\bpenalt(?:y|ies)\b", r"\bprosecut", r"\bpunish", r"\btroubled families\b",
    r"\bwe will report you\b", r"\bbe reported\b", r"\btake your (?:child|children|kids)\b",
    r"\blose your (?:child|children|kids)\b", r"\bshould have known\b", r"\byou should be ashamed\b",
]

# Task commands belong to the task intents, not to topic examples.
TASK_COMMANDS = [
    r"^(?:please )?opt (?:me|us|my family) out\b", r"^i want to opt out\b", r"^(?:please )?opt out\b",
    r"^i want to see my data\b", r"^see my data\b", r"^(?:please )?(?:change|update) (?:my|our) (?:consent|choices)\b",
    r"^check my status\b", r"^(?:please )?fix my record\b", r"^report a mistake\b", r"^talk to a person\b",
    r"^where is my request\b", r"^(?:please )?(?:delete|remove) (?:my|our) (?:data|records)\b",
    r"^send me (?:a copy|my)\b", r"^give me my data\b",
]

# GSM 03.38 basic character set (no escape-table characters, which cost two and break on some phones).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def _web(topic_id: str, nation: str = "england") -> str:
    content = CONTENTS[nation]
    return web_answer(content.topic(topic_id), content)


def _sms_text(topic_id: str, nation: str = "england") -> str:
    content = CONTENTS[nation]
    return sms_text(content.topic(topic_id), content)


def _normal(text: str) -> str:
    """Lower case, markdown bold removed, hyphens and curly quotes made plain, spaces collapsed."""
    text = text.lower().replace("**", "").replace("\u2019", "'").replace("-", " ")
    return " ".join(text.split())


def test_the_library_has_every_required_topic() -> None:
    assert len(CONTENT.topics) >= 24
    missing = REQUIRED_TOPICS - set(CONTENT.topic_ids)
    assert not missing, f"missing topics: {sorted(missing)}"
    assert TOPIC_IDS == sorted(CONTENT.topic_ids)
    assert {t.theme for t in CONTENT.topics} == set(THEMES), "every theme should have at least one topic"
    for ids in (SHARING_TOPICS, SMS_EXCEPTION_TOPICS, set(TASK_PROMPTS)):
        assert ids <= set(CONTENT.topic_ids)


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_sms_text_reads_at_grade_six_or_below(nation: str, topic_id: str) -> None:
    score = grade(_sms_text(topic_id, nation))
    assert score <= MAX_GRADE, f"{topic_id}: sms reading grade {score:.1f}"
    content = CONTENTS[nation]
    sent = grade(sms_answer(content.topic(topic_id), content))
    assert sent <= MAX_GRADE, f"{topic_id}: sms as sent (with its link) reads at grade {sent:.1f}"


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_web_answer_reads_at_grade_six_or_below(nation: str, topic_id: str) -> None:
    score = grade(_web(topic_id, nation))
    assert score <= MAX_GRADE, f"{topic_id}: web answer reading grade {score:.1f}"


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_sms_answer_fits_two_gsm7_segments(nation: str, topic_id: str) -> None:
    content = CONTENTS[nation]
    topic = content.topic(topic_id)
    sms = sms_answer(topic, content)
    assert sms.endswith(f" More: {topic_sources(topic, content)[0].url}")
    assert len(sms) <= SMS_MAX_CHARS, f"{topic_id}: {len(sms)} characters"
    outside = sorted(set(sms) - GSM7_BASIC)
    assert not outside, f"{topic_id}: characters outside GSM-7: {outside}"
    assert "**" not in sms and "{{" not in sms


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_web_answer_is_80_to_240_words(nation: str, topic_id: str) -> None:
    # 240, not 220, since the shared safeguarding paragraph (content/snippets, about 90 words) says that consent is
    # not needed and when a worker must pass a worry on; topics that list the register run to about 230.
    body = fill(CONTENTS[nation].topic(topic_id).body, CONTENTS[nation])
    words = len(plain_text(body).split())
    assert 80 <= words <= 240, f"{topic_id}: {words} words"
    assert "{{" not in body


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_examples_are_enough_questions_not_commands(topic_id: str) -> None:
    examples = CONTENT.topic(topic_id).examples
    assert len(examples) >= 14, f"{topic_id}: only {len(examples)} examples"
    for example in examples:
        normal = _normal(example).strip(" .?!")
        for pattern in TASK_COMMANDS:
            assert not re.search(pattern, normal), f"{topic_id}: '{example}' is a task command, not a question"


def test_no_example_is_used_by_two_topics() -> None:
    seen: dict[str, str] = {}
    for topic in CONTENT.topics:
        for example in topic.examples:
            key = _normal(example).strip(" .?!")
            assert key not in seen, f"'{example}' is in both {seen[key]} and {topic.id}"
            seen[key] = topic.id


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_topic_cites_an_https_source(topic_id: str) -> None:
    sources = CONTENT.topic(topic_id).sources
    assert any(s.url.scheme == "https" for s in sources)
    assert all(s.title.strip() for s in sources)


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_no_text_promises_that_an_opt_out_stops_all_sharing(nation: str, topic_id: str) -> None:
    for text in (_normal(_web(topic_id, nation)), _normal(_sms_text(topic_id, nation))):
        for pattern in FALSE_PROMISES:
            match = re.search(pattern, text)
            assert not match, f"{topic_id}: promises too much: '{match.group(0)}'"


SHARING_CASES = [(nation, topic_id) for nation in CONTENTS for topic_id in sorted(SHARING_TOPICS)]


@pytest.mark.parametrize(("nation", "topic_id"), SHARING_CASES)
def test_sharing_topics_state_the_exception_and_the_reassurance(nation: str, topic_id: str) -> None:
    text = _normal(_web(topic_id, nation))
    assert "may be at risk of harm" in text and "without asking" in text, f"{topic_id}: no safeguarding exception"
    assert "do not need your consent" in text, f"{topic_id}: does not say consent is not needed"
    assert "what they share" in text, f"{topic_id}: does not say workers should be open about what they share"
    assert "not, by itself, a child protection referral" in text, f"{topic_id}: no not-a-referral reassurance"
    assert "only starts if you agree" in text or "your agreement" in text, f"{topic_id}: early help agreement"
    assert FRG_NUMBER in text, f"{topic_id}: no Family Rights Group advice line"


@pytest.mark.parametrize(("nation", "topic_id"), [(n, t) for n in CONTENTS for t in sorted(SMS_EXCEPTION_TOPICS)])
def test_opt_out_and_consent_sms_name_the_exception(nation: str, topic_id: str) -> None:
    text = _normal(_sms_text(topic_id, nation))
    assert "may be at risk of harm" in text and "without asking" in text


# --- saying exactly when records are shared without asking (issue 22) -------------------------------------

SHARING_WITHOUT_ASKING = re.compile(
    r"without (?:asking|telling|your (?:consent|permission|agreement|ok)|consent)|behind your back"
)
SHARE_WORD = re.compile(r"\bshar(?:e|es|ed|ing)\b")
ONLY_IF = re.compile(r"\bonly (?:if|when|where)\b")
HARM_THRESHOLD = re.compile(r"\b(?:serious|significant) harm\b")
# "not, by itself, a referral" is true; "not a referral" is not: a worker must refer when they think a child may
# be at risk of significant harm (Working Together 2023; in Wales, SSWB(W)A 2014 s130).
UNQUALIFIED_NOT_A_REFERRAL = re.compile(
    r"\b(?:not|never|n't) (?:be |mean |count as )?(?:a |an )?(?:child protection )?(?:referral|report to social)"
)


def _sentences(text: str) -> list[str]:
    text = "\n".join(line for line in text.splitlines() if not line.startswith("Source: "))  # titles, not words
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", _normal(text)) if s.strip()]


def _every_text() -> list[tuple[str, str]]:
    """Every text a parent can be sent about sharing: each topic (web and SMS) for both nations, each snippet
    as rendered, the task texts that carry the child-protection line, and the register's level descriptions."""
    texts = []
    for nation, content in CONTENTS.items():
        for topic in content.topics:
            texts.append((f"{nation}:{topic.id} (web)", web_answer(topic, content)))
            texts.append((f"{nation}:{topic.id} (sms)", sms_text(topic, content)))
        for snippet in content.snippets:
            for channel in ("web", "sms"):
                texts.append((f"{nation}:snippet {snippet.id} ({channel})",
                              fill("{{" + snippet.id + "}}", content, channel=channel)))
        texts.append((f"{nation}:task child_protection_line", task_text.child_protection_line(content)))
        texts.append((f"{nation}:task status_summary", task_text.status_summary(content, {})))
        for purpose in content.council.purposes:
            texts += [(f"{nation}:council {purpose.id}.{lv.id}", lv.description) for lv in purpose.levels]
    return texts


EVERY_TEXT = _every_text()


@pytest.mark.parametrize(("where", "text"), EVERY_TEXT, ids=[w for w, _ in EVERY_TEXT])
def test_never_only_if_about_sharing_without_asking(where: str, text: str) -> None:
    """Records are shared without asking for many reasons (running services, legal duties, police call-outs),
    so no sentence may say they are shared without asking "only if" something."""
    for sentence in _sentences(text):
        if SHARING_WITHOUT_ASKING.search(sentence):
            assert not ONLY_IF.search(sentence), f"{where}: '{sentence}'"


@pytest.mark.parametrize(("where", "text"), EVERY_TEXT, ids=[w for w, _ in EVERY_TEXT])
def test_the_bar_for_sharing_is_harm_not_significant_harm(where: str, text: str) -> None:
    """Workers may share when they think a child may be at risk of harm; "significant harm" is the bar for a child
    protection enquiry (Children Act 1989 s47), so it never sits in a sentence about sharing."""
    for sentence in _sentences(text):
        if SHARE_WORD.search(sentence):
            assert not HARM_THRESHOLD.search(sentence), f"{where}: '{sentence}'"


@pytest.mark.parametrize(("where", "text"), EVERY_TEXT, ids=[w for w, _ in EVERY_TEXT])
def test_not_a_referral_is_always_by_itself(where: str, text: str) -> None:
    match = UNQUALIFIED_NOT_A_REFERRAL.search(_normal(text))
    assert not match, f"{where}: '{match.group(0)}' must be 'not, by itself, a referral'"


def test_the_safeguarding_paragraph_lives_in_one_place() -> None:
    """Topics pull the paragraph in with {{safeguarding}}; none holds a copy of its words."""
    snippet = CONTENT.snippet("safeguarding")
    own_words = [line for line in snippet.body.splitlines() if len(line) > 40]
    own_words += [CONTENT.snippet("help_not_referral").sms]
    assert own_words
    for path in sorted((CONTENT_DIR / "topics").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for words in own_words:
            assert words not in text, f"{path.name} copies the safeguarding paragraph: use {{{{safeguarding}}}}"
    for topic_id in SHARING_TOPICS - {"child_protection_exception"}:  # that one is the long form of the paragraph
        body = CONTENT.topic(topic_id).body
        assert "{{safeguarding}}" in body, f"{topic_id}: does not include {{{{safeguarding}}}}"
    assert "{{help_not_referral}}" in CONTENT.topic("child_protection_exception").body


# What a text paraphrases -> the sources, for each nation, that say it (any one will do). A topic whose text
# says it must list one of them (its own sources plus those of the snippets it includes).
INFO_SHARING_ENGLAND = "gov.uk/government/publications/safeguarding-practitioners-information-sharing-advice"
ICO_10_STEP = "ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/data-sharing/a-10-step-guide"
WORKING_TOGETHER = "gov.uk/government/publications/working-together-to-safeguard-children"
WALES_PROCEDURES = "safeguarding.wales"
WALES_S130 = "legislation.gov.uk/anaw/2014/4/section/130"
CHILDREN_ACT_S47 = "legislation.gov.uk/ukpga/1989/41/section/47"
RESTRICTION = "legislation.gov.uk/eur/2016/679/article/18"
LAWFUL_BASIS = "legislation.gov.uk/eur/2016/679/article/6"
RIGHT_TO_OBJECT = ("legislation.gov.uk/eur/2016/679/article/21", "ico.org.uk/for-the-public/the-right-to-object")
GUIDANCE = {
    "sharing to keep a child safe": (
        r"at risk of harm|do not need your consent",
        {"england": (INFO_SHARING_ENGLAND, ICO_10_STEP), "wales": (WALES_PROCEDURES, ICO_10_STEP)},
    ),
    "significant harm": (
        r"significant harm",
        {"england": (WORKING_TOGETHER, CHILDREN_ACT_S47), "wales": (WALES_S130, CHILDREN_ACT_S47)},
    ),
    "when a worker must refer": (
        r"referral|must tell children's services|must pass on a worry",
        {"england": (WORKING_TOGETHER,), "wales": (WALES_S130, WALES_PROCEDURES)},
    ),
    "the right to object": (
        r"\b(?:you|parents?) can (?:still )?object|right to object|compelling legitimate grounds|outweigh yours",
        {"england": RIGHT_TO_OBJECT, "wales": RIGHT_TO_OBJECT},
    ),
    "the lawful basis is not consent": (
        r"not based on (?:your )?consent|because you agreed",
        {"england": (LAWFUL_BASIS,), "wales": (LAWFUL_BASIS,)},
    ),
    "restriction while accuracy is checked": (
        r"limit how it uses",
        {"england": (RESTRICTION,), "wales": (RESTRICTION,)},
    ),
    "the NHS National Data Opt-out": (
        r"national data opt.out|nhs opt.out",
        {"england": ("nhs.uk/your-nhs-data-matters",), "wales": ("nhs.uk/your-nhs-data-matters",)},
    ),
    "Supporting Families": (
        r"supporting families",
        {"england": ("gov.uk/government/collections/supporting-families",),
         "wales": ("gov.uk/government/collections/supporting-families",)},
    ),
    "the Children and Families Grant": (
        r"children and families grant",
        {"england": ("children-and-families-grant",), "wales": ("children-and-families-grant",)},
    ),
    "the What Works study of risk models": (
        r"four councils|4 councils",
        {"england": ("whatworks-csc.org.uk",), "wales": ("whatworks-csc.org.uk",)},
    ),
}


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_topic_cites_the_guidance_it_paraphrases(nation: str, topic_id: str) -> None:
    content = CONTENTS[nation]
    topic = content.topic(topic_id)
    text = _normal(f"{fill(topic.body, content)}\n{sms_text(topic, content)}")
    cited = " ".join(str(s.url) for s in topic_sources(topic, content))
    for claim, (pattern, sources) in GUIDANCE.items():
        if re.search(pattern, text):
            assert any(s in cited for s in sources[nation]), (
                f"{nation}:{topic_id} says {claim} but cites none of {sources[nation]}"
            )


# --- nations: England and Wales -----------------------------------------------------------------------------


def test_the_demo_councils_are_one_in_each_nation() -> None:
    assert CONTENTS["england"].nation == "england"
    assert CONTENTS["wales"].nation == "wales"
    assert CONTENTS["wales"].council.name != CONTENTS["england"].council.name
    assert CONTENTS["wales"].council.purposes == CONTENTS["england"].council.purposes  # based_on: the rest is kept


@pytest.mark.parametrize("topic_id", sorted(SHARING_TOPICS))
def test_welsh_answers_cite_welsh_law_and_english_answers_do_not(topic_id: str) -> None:
    wales = web_answer(CONTENTS["wales"].topic(topic_id), CONTENTS["wales"])
    england = web_answer(CONTENT.topic(topic_id), CONTENT)
    for welsh in (WALES_S130, WALES_PROCEDURES):
        assert welsh in wales, f"{topic_id}: the Welsh answer does not cite {welsh}"
        assert welsh not in england, f"{topic_id}: the English answer cites {welsh}"
    for english_only in (INFO_SHARING_ENGLAND, WORKING_TOGETHER, "children-and-families-grant"):
        assert english_only not in wales, f"{topic_id}: the Welsh answer cites {english_only}"
    assert "significant harm" not in _normal(wales) or topic_id == "child_protection_exception"


def test_the_welsh_council_builds_and_its_generated_answers_cite_welsh_law() -> None:
    from bot.content.build import RESPONSES_FILE, outputs

    wales = outputs(CONTENTS["wales"])[RESPONSES_FILE]
    england = outputs(CONTENT)[RESPONSES_FILE]
    assert wales.count(WALES_S130) >= len(SHARING_TOPICS) and WALES_S130 not in england
    assert WORKING_TOGETHER not in wales and WORKING_TOGETHER in england


def test_england_only_schemes_are_not_offered_to_a_council_in_wales() -> None:
    wales = CONTENTS["wales"]
    for topic_id in ("supporting_families", "nhs_data_opt_out", "records_health"):
        topic = wales.topic(topic_id)
        for text in (fill(topic.body, wales), sms_text(topic, wales)):
            assert "england only" in _normal(text), f"{topic_id}: does not say the scheme is England only"
    assert "0300 303 5678" not in web_answer(wales.topic("nhs_data_opt_out"), wales)


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_any_mention_of_a_referral_says_what_the_family_can_do(nation: str, topic_id: str) -> None:
    for text in (_web(topic_id, nation), _sms_text(topic_id, nation)):
        if "referral" in text.lower():
            assert FRG_NUMBER in text, f"{topic_id}: mentions a referral without the advice line"


@pytest.mark.parametrize(("nation", "topic_id"), CASES)
def test_no_blame_or_threat_words(nation: str, topic_id: str) -> None:
    for text in (_normal(_web(topic_id, nation)), _normal(_sms_text(topic_id, nation))):
        for pattern in BLAME_OR_THREAT:
            match = re.search(pattern, text)
            assert not match, f"{topic_id}: blame or threat wording '{match.group(0)}'"


@pytest.mark.parametrize("topic_id", sorted(TASK_PROMPTS))
def test_task_topics_end_with_the_next_step(topic_id: str) -> None:
    body = CONTENT.topic(topic_id).body
    last_paragraph = body.strip().split("\n\n")[-1]
    assert f"**{TASK_PROMPTS[topic_id]}**" in last_paragraph, f"{topic_id}: ends with '{last_paragraph}'"


def test_related_topics_do_not_point_at_themselves() -> None:
    for topic in CONTENT.topics:
        assert topic.id not in topic.related
        assert len(set(topic.related)) == len(topic.related)


def test_every_related_topic_gets_a_button() -> None:
    from bot.content.build import MAX_RELATED, related_buttons

    for topic in CONTENT.topics:
        assert 1 <= len(topic.related) <= MAX_RELATED, topic.id
        titles = [b["title"] for b in related_buttons(topic.id, CONTENT)]
        do_it = ["Do it now"] if topic.task else []
        assert titles == do_it + [CONTENT.topic(r).title for r in topic.related]


def test_a_page_that_explains_a_task_offers_to_do_it_with_the_task_s_own_intent() -> None:
    from bot.content.build import related_buttons

    explaining = [t for t in CONTENT.topics if t.task]
    assert explaining
    for topic in explaining:
        first = related_buttons(topic.id, CONTENT)[0]
        assert first == {"title": "Do it now", "payload": f"/{topic.task}"}, topic.id


def test_council_purposes_are_exactly_the_five() -> None:
    council = CONTENT.council
    purposes = {p.id: p for p in council.purposes}
    assert list(purposes) == [
        "direct_services", "early_help_targeting", "predictive_analytics", "research_and_planning",
        "commercial_processors",
    ]
    assert purposes["direct_services"].choice == "none"
    assert not purposes["direct_services"].levels
    organisation_ids = {o.id for o in council.organisations}
    for purpose in council.purposes:
        assert purpose.child_protection_exception is True
        assert set(purpose.organisations) <= organisation_ids, purpose.id
        if purpose.choice != "none":
            assert "object" in {level.id for level in purpose.levels}, purpose.id
        assert grade(purpose.plain) <= MAX_GRADE, purpose.id


def test_council_register_labels_invented_figures_and_keeps_a_person_in_charge() -> None:
    council = CONTENT.council
    assert council.conversation_retention_days == 30
    assert 2 <= len(council.processors) <= 3
    for processor in council.processors:
        assert "example" in processor.risk_assessment.lower(), processor.id
    assert 1 <= len(council.algorithms) <= 2
    for algorithm in council.algorithms:
        assert "example figures" in algorithm.accuracy.summary.lower(), algorithm.id
        assert algorithm.accuracy.figures
        assert "decide" in algorithm.how_decisions_are_made.lower(), algorithm.id
    for record in council.retention:
        assert record.days > 0
    chats = [r for r in council.retention if "assistant" in r.record.lower()]
    assert chats and chats[0].days == council.conversation_retention_days


def test_helplines_match_the_facts() -> None:
    numbers = {h.id: h.number for h in CONTENT.helplines.helplines}
    assert numbers == {
        "emergency": "999",
        "nspcc": "0808 800 5000",
        "childline": "0800 1111",
        "family_rights_group": FRG_NUMBER,
        "nhs_111": "111",  # https://111.nhs.uk/
        "meic": "080880 23456",  # Meic, in Wales: its source is in content/helplines.yml
    }
    assert {h.id for h in CONTENT.helplines.helplines if h.nation == "wales"} == {"meic"}
    assert all(h.source for h in CONTENT.helplines.helplines if h.nation)


# --- the loader names the file and the field when content is broken -------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set_reviewed(path: Path, value: str) -> None:
    """Replace a topic's review date, whatever it is now (it changes whenever the topic is reviewed)."""
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^reviewed: ", text, flags=re.M), f"no review date in {path.name}"
    path.write_text(re.sub(r"^reviewed: .*$", f"reviewed: {value}", text, count=1, flags=re.M), encoding="utf-8")


def _load_error(root: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return str(caught.value)


def test_the_unbroken_copy_loads(content_copy: Path) -> None:
    assert len(load_content(content_copy).topics) == len(CONTENT.topics)


def test_missing_field_names_file_and_field(content_copy: Path) -> None:
    path = content_copy / "topics" / "see_my_data.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^sms: .*\n", "", text, count=1, flags=re.M), encoding="utf-8")
    message = _load_error(content_copy)
    assert "see_my_data.md" in message and "field 'sms'" in message


def test_bad_date_names_file_and_field(content_copy: Path) -> None:
    _set_reviewed(content_copy / "topics" / "how_long_kept.md", "25/11/2026")
    message = _load_error(content_copy)
    assert "how_long_kept.md" in message and "field 'reviewed'" in message


def test_impossible_calendar_date_names_file_and_field(content_copy: Path) -> None:
    _set_reviewed(content_copy / "topics" / "how_long_kept.md", "2026-02-30")
    message = _load_error(content_copy)
    assert "how_long_kept.md" in message
    assert "field 'reviewed'" in message


def test_a_broken_topic_is_reported_once_not_by_every_topic_linking_to_it(content_copy: Path) -> None:
    _set_reviewed(content_copy / "topics" / "see_my_data.md", "[")
    message = _load_error(content_copy)
    assert "see_my_data.md" in message
    assert "unknown topic 'see_my_data'" not in message


def test_duplicate_id_names_file_and_field(content_copy: Path) -> None:
    shutil.copy(content_copy / "topics" / "see_my_data.md", content_copy / "topics" / "see_my_data_copy.md")
    message = _load_error(content_copy)
    assert "see_my_data_copy.md" in message and "field 'id'" in message and "see_my_data" in message


def test_unknown_related_id_names_file_and_field(content_copy: Path) -> None:
    path = content_copy / "topics" / "complain_ico.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^related: .*$", "related: [no_such_topic]", text, count=1, flags=re.M), "utf-8")
    message = _load_error(content_copy)
    assert "complain_ico.md" in message and "field 'related'" in message and "no_such_topic" in message


def test_unknown_theme_names_file_and_field(content_copy: Path) -> None:
    _edit(content_copy / "topics" / "your_rights.md", "theme: rights", "theme: weather")
    message = _load_error(content_copy)
    assert "your_rights.md" in message and "field 'theme'" in message


def test_the_build_refuses_an_england_only_scheme_without_a_wales_passage(content_copy: Path) -> None:
    for folder in ("topics", "cy/topics"):
        path = content_copy / folder / "supporting_families.md"
        text = path.read_text(encoding="utf-8")  # the Welsh page keeps the English page's passages, so both change
        path.write_text(re.sub(r"\{\{#wales\}\}.*?\{\{/wales\}\}", "", text, flags=re.S), encoding="utf-8")
    load_content(content_copy)  # a council in England is fine
    welsh = content_copy / "councils" / "wales-demo.yml"
    message = _load_error_for(content_copy, welsh)
    assert "supporting_families.md" in message and "Supporting Families" in message and "Wales" in message
    assert "field 'body'" in message


def test_an_unclosed_nation_passage_names_file_and_field(content_copy: Path) -> None:
    _edit(content_copy / "topics" / "nhs_data_opt_out.md", "{{/wales}}{{#england}}", "{{#england}}")
    message = _load_error(content_copy)
    assert "nhs_data_opt_out.md" in message and "field 'body'" in message


def test_a_register_without_a_nation_names_file_and_field(content_copy: Path) -> None:
    _edit(content_copy / "council.yml", "nation: england\n", "")
    message = _load_error(content_copy)
    assert "council.yml" in message and "field 'nation'" in message


def test_an_unknown_snippet_names_the_topic(content_copy: Path) -> None:
    for page in ("topics", "cy/topics"):  # the Welsh page keeps the English page's placeholders, so both change
        _edit(content_copy / page / "records_school.md", "{{safeguarding}}", "{{safeguardin}}")
    broken = load_content(content_copy)
    with pytest.raises(ContentError) as caught:
        sms_answer(broken.topic("records_school"), broken)
    assert "records_school.md" in str(caught.value) and "safeguardin" in str(caught.value)


def test_pda_council_picks_the_register_and_based_on_cannot_loop(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.content.loader import REPO_ROOT, council_file

    monkeypatch.delenv("PDA_COUNCIL", raising=False)
    assert council_file(content_copy) == content_copy / "council.yml"
    monkeypatch.setenv("PDA_COUNCIL", "content/councils/wales-demo.yml")
    assert council_file(content_copy) == REPO_ROOT / "content" / "councils" / "wales-demo.yml"
    welsh = content_copy / "councils" / "wales-demo.yml"
    _edit(welsh, "based_on: ../council.yml", "based_on: wales-demo.yml")
    message = _load_error_for(content_copy, welsh)
    assert "wales-demo.yml" in message and "field 'based_on'" in message


def _load_error_for(root: Path, council: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_content(root, council=council)
    return str(caught.value)


def test_misspelt_council_field_names_file_and_field(content_copy: Path) -> None:
    _edit(content_copy / "council.yml", "short_name: Example Borough", "short_nam: Example Borough")
    message = _load_error(content_copy)
    assert "council.yml" in message and "short_nam" in message and "short_name" in message
