"""The shape of the content files, validated with pydantic (v1, as Rasa 3.6 pins it).

Content designers edit content/topics/*.md, content/council.yml and content/helplines.yml.
Every model here forbids unknown fields so a typo in a field name is an error, not silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from pydantic import BaseModel, Extra, HttpUrl, root_validator, validator

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")

THEMES = {
    "records": "What records are kept, and by whom",
    "linking": "How records are linked and used",
    "analytics": "Risk scores, algorithms and private companies",
    "rights": "Your rights and your choices",
    "help": "Asking for help, and keeping children safe",
    "about": "About this assistant and how to reach a person",
}
# The same in Welsh, for the Welsh reference site.
THEMES_CY = {
    "records": "Pa gofnodion sy'n cael eu cadw, a chan bwy",
    "linking": "Sut mae cofnodion yn cael eu cysylltu a'u defnyddio",
    "analytics": "Sgoriau risg, algorithmau a chwmnïau preifat",
    "rights": "Eich hawliau a'ch dewisiadau",
    "help": "Gofyn am help, a chadw plant yn ddiogel",
    "about": "Am y cynorthwyydd hwn a sut i gael gafael ar berson",
}

# Where "Leave this site quickly" goes unless council.yml says: a common site with nothing about families or the
# council, as domestic-abuse services do, so the browser's history shows an everyday page.
DEFAULT_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"


def check_exit_url(exit_url: str) -> str:
    """A path on the web chat's own site (/neutral.html) or an absolute http(s) URL; ValueError on anything else."""
    url = exit_url.strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        return url
    raise ValueError(f"exit_url must be a path such as /neutral.html or an http(s) URL, not {exit_url!r}")


# One SMS reply may use at most two GSM-7 segments (2 x 153 characters).
SMS_MAX_CHARS = 306

# The nations whose law a council's answers follow (content/council.yml `nation:`). A topic or snippet holds a
# passage for one nation between {{#wales}} and {{/wales}} (or {{#england}} ... {{/england}}); a source can be
# marked `nation: wales`. Text and sources without a nation are for every nation.
NATIONS = {"england": "England", "wales": "Wales"}
NATION_SECTION = re.compile(r"\{\{#([a-z]+)\}\}(.*?)\{\{/\1\}\}", re.DOTALL)
# Schemes that exist in England only: a council in Wales must not be told about them as if they applied there, so a
# topic naming one needs a {{#wales}} passage (checked when content is loaded for a council in Wales).
ENGLAND_ONLY = {
    "Supporting Families": re.compile(r"\bsupporting families\b", re.IGNORECASE),
    "the NHS National Data Opt-out": re.compile(r"\b(?:national data|nhs) opt[- ]?out\b", re.IGNORECASE),
}


def _known_nation(value: str, empty_ok: bool) -> str:
    if (value or not empty_ok) and value not in NATIONS:
        raise ValueError(f"must be {' or '.join(NATIONS)}{' (or left out, for every nation)' if empty_ok else ''}")
    return value


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError("must be lower case letters, digits and single underscores, e.g. see_my_data")
    return value


def _check_sections(value: str) -> str:
    """Nation passages must be closed, for a known nation, and not nested."""
    for nation, inner in NATION_SECTION.findall(value):
        _known_nation(nation, empty_ok=False)
        if "{{#" in inner:
            raise ValueError(f"a {{{{#{nation}}}}} passage holds another passage; close it first")
    leftover = NATION_SECTION.sub("", value)
    stray = re.search(r"\{\{[#/][a-z]*\}\}", leftover)
    if stray:
        raise ValueError(f"'{stray.group(0)}' has no matching open or close, e.g. {{{{#wales}}}} ... {{{{/wales}}}}")
    return value


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Source(Strict):
    title: str
    url: HttpUrl
    nation: str = ""  # empty: for every nation

    @validator("nation")
    def _nation(cls, value: str) -> str:
        return _known_nation(value, empty_ok=True)


# A section of a topic's body: a line `## <the question it answers> {#<id>}`, then its text, with one line
# `SMS: <its short form>`. The text before the first section is the page's short answer (docs/content.md).
SECTION_LINE = re.compile(r"^##[ \t]+(?P<question>.+?)[ \t]*\{#(?P<id>[^}]*)\}[ \t]*$")
SMS_LINE = re.compile(r"^SMS:[ \t]*(?P<sms>.*?)[ \t]*$")


class Section(Strict):
    """One part of a topic that answers one question: sent alone when a message asks just that (with "more" for the
    rest of the page). `body` is its web text, `sms` its short form for SMS and WhatsApp."""

    id: str
    question: str
    body: str
    sms: str

    @validator("id")
    def _id_shape(cls, value: str) -> str:
        return _check_id(value)

    @validator("question", "body", "sms")
    def _not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return _check_sections(value)

    @property
    def heading(self) -> str:
        """How the question shows on the whole page: bold, as a heading."""
        return f"**{self.question}**"


def split_sections(body: str) -> tuple[str, list[dict[str, str]]]:
    """A body as written -> (its short answer, each section's fields). ValueError, naming the line, on a `##` line
    without its {#id}, a section without its `SMS:` line or with two, or an `SMS:` line before the first section."""
    short: list[str] = []
    sections: list[dict[str, str]] = []
    for number, line in enumerate(body.strip().splitlines(), start=1):
        heading, sms = SECTION_LINE.match(line), SMS_LINE.match(line)
        if heading:
            sections.append({"id": heading["id"].strip(), "question": heading["question"], "body": "", "sms": ""})
        elif line.startswith("##"):
            raise ValueError(f"line {number} of the text: a section line is `## <question> {{#<id>}}`, got {line!r}")
        elif sms and not sections:
            raise ValueError(f"line {number} of the text: an SMS: line belongs inside a section (after a ## line)")
        elif sms:
            if sections[-1]["sms"]:
                raise ValueError(f"section '{sections[-1]['id']}' has two SMS: lines")
            sections[-1]["sms"] = sms["sms"]
        elif sections:
            sections[-1]["body"] += line + "\n"
        else:
            short.append(line)
    for section in sections:
        if not section["sms"]:
            raise ValueError(f"section '{section['id']}' has no `SMS: <short form>` line")
        section["body"] = section["body"].strip()
    return "\n".join(short).strip(), sections


class Topic(Strict):
    """One topic: content/topics/<id>.md. Front matter fields + the markdown body (the web answer).

    The body as written holds sections (split_sections); once loaded, `short_answer` is the text before the first,
    `sections` the sections, and `body` the whole page as the web shows it: the short answer, then each section
    under its question in bold."""

    id: str
    title: str
    theme: str
    sms: str
    sources: list[Source]
    reviewed: dt.date
    related: list[str] = []
    # The task this page explains, by the intent that asks for it (bot/tasks.py): the web answer gets a "Do it now"
    # button, and "ok do it" right after the page starts the task.
    task: str | None = None
    examples: list[str]
    body: str
    short_answer: str = ""
    sections: list[Section] = []

    @root_validator(pre=True)
    def _sections_from_body(cls, values: dict) -> dict:
        if "sections" in values or "short_answer" in values:
            raise ValueError("sections come from the text's `## <question> {#<id>}` lines, not the front matter")
        body = values.get("body")
        if not isinstance(body, str):
            return values
        short, sections = split_sections(body)
        parts = [short] + [f"**{s['question']}**\n{s['body']}" for s in sections]
        return {**values, "short_answer": short, "sections": sections,
                "body": "\n\n".join(p for p in parts if p)}

    @validator("id")
    def _id_shape(cls, value: str) -> str:
        return _check_id(value)

    @validator("short_answer")
    def _has_short_answer(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the text needs a short answer before its first section (## line)")
        return _check_sections(value)

    @validator("sections")
    def _unique_sections(cls, value: list[Section]) -> list[Section]:
        ids = [s.id for s in value]
        if len(set(ids)) != len(ids):
            raise ValueError(f"two sections have the same id: {sorted({i for i in ids if ids.count(i) > 1})}")
        return value

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"{self.id}: no section {section_id}")

    @validator("theme")
    def _known_theme(cls, value: str) -> str:
        if value not in THEMES:
            raise ValueError(f"must be one of: {', '.join(sorted(THEMES))}")
        return value

    @validator("sms")
    def _sms_fits(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return _check_sections(value)

    @validator("sources")
    def _has_source(cls, value: list[Source]) -> list[Source]:
        if not value:
            raise ValueError("needs at least one source (title and url)")
        return value

    @validator("reviewed")
    def _not_future(cls, value: dt.date) -> dt.date:
        if value > dt.date.today():
            raise ValueError("cannot be in the future")
        return value

    @validator("examples")
    def _enough_examples(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value if v and v.strip()]
        if len(cleaned) < 12:
            raise ValueError(f"needs at least 12 example questions, has {len(cleaned)}")
        if len({c.lower() for c in cleaned}) != len(cleaned):
            raise ValueError("has the same example twice")
        return cleaned

    @validator("body")
    def _has_body(cls, value: str) -> str:
        if len(value.strip()) < 40:
            raise ValueError("the web answer (the text under the front matter) is missing or too short")
        return _check_sections(value.strip())


class _Passage(Strict):
    """The words a snippet and a Welsh page both hold: an id, a short form (sms) and a body, neither empty."""

    id: str
    sms: str
    body: str

    @validator("id")
    def _id_shape(cls, value: str) -> str:
        return _check_id(value)

    @validator("sms", "body")
    def _sections(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return _check_sections(value.strip())


class Snippet(_Passage):
    """A passage many topics share: content/snippets/<id>.md, pulled into a topic's body (the web form) or its sms
    (the short form) with {{<id>}}. Its sources are added to the sources of every topic that uses it."""

    sources: list[Source]


class WelshSource(Source):
    """A Welsh-language version of one of the English page's sources: `translates` is that source's URL. In Welsh
    it is listed just before the English source, so it becomes the SMS link when that source is the first."""

    translates: HttpUrl


class WelshPage(_Passage):
    """The Welsh of one topic or snippet: content/cy/topics/<id>.md or content/cy/snippets/<id>.md.

    It holds only what differs from the English page of the same id: the words (title, sms, body), Welsh-language
    versions of sources where one exists, whether a Welsh speaker has checked it (`cy_reviewed`), and `en_hash`, the
    hash of the English file it translates (bot/content/welsh_status.py), so a changed English page shows it is out of
    date. A snippet's Welsh page has no title."""

    title: str = ""
    sources: list[WelshSource] = []
    cy_reviewed: bool
    en_hash: str

    @validator("en_hash")
    def _hash_shape(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{12}", value):
            raise ValueError("must be the 12 hex digits `python -m bot content status` prints for the English page")
        return value


class Contact(Strict):
    name: str
    phone: str
    email: str
    web: HttpUrl
    hours: str
    address: str = ""
    # Welsh of the fields shown to parents in prose ("Call <name> on <phone> (<hours>)"); empty: the English.
    name_cy: str = ""
    hours_cy: str = ""


class ConsentLevel(Strict):
    id: str
    label: str
    description: str
    label_cy: str = ""  # Welsh, for Welsh conversations and pages; empty: the English
    description_cy: str = ""


class Purpose(Strict):
    id: str
    name: str
    plain: str
    lawful_basis: str
    choice: str  # "consent", "objection" or "none"
    default: str
    levels: list[ConsentLevel] = []
    data_held: list[str]
    organisations: list[str]
    retention: str
    child_protection_exception: bool = True
    name_cy: str = ""  # the Welsh of name and plain, shown by {{purposes}} on Welsh pages; empty: the English
    plain_cy: str = ""
    retention_cy: str = ""

    @validator("choice")
    def _choice_kind(cls, value: str) -> str:
        if value not in {"consent", "objection", "none"}:
            raise ValueError("must be consent, objection or none")
        return value


class Organisation(Strict):
    id: str
    name: str
    kind: str
    shares: list[str]
    name_cy: str = ""  # Welsh, for {{organisations}} on Welsh pages; empty: the English
    shares_cy: list[str] = []


class Retention(Strict):
    # A short name the council's data-warehouse extract uses to say which period applies (docs/data-map.md).
    id: str = ""
    record: str
    period: str
    days: int
    source: str = ""
    # What the assistant itself applies this period to: "requests" (parents' requests and choices),
    # "audit" (the audit log). Empty for records the assistant does not hold.
    applies_to: str = ""
    record_cy: str = ""  # Welsh, for {{retention}} on Welsh pages; empty: the English
    period_cy: str = ""

    @validator("applies_to")
    def _known_target(cls, value: str) -> str:
        if value not in {"", "requests", "audit"}:
            raise ValueError("must be empty, requests or audit")
        return value


class Processor(Strict):
    id: str
    name: str
    work: str
    contract_purpose: str
    data: list[str]
    risk_assessment: str
    risk_assessment_date: dt.date
    work_cy: str = ""  # Welsh, for {{processors}} on Welsh pages; empty: the English
    risk_assessment_cy: str = ""


class AccuracyAssessment(Strict):
    by: str
    date: dt.date
    summary: str
    figures: dict[str, float | int | str]
    summary_cy: str = ""  # Welsh, for {{algorithms}} on Welsh pages; empty: the English
    by_cy: str = ""


class Algorithm(Strict):
    """An entry in the council's algorithm register, in the shape of the UK ATRS."""

    id: str
    name: str
    owner: str
    purpose: str
    data_used: list[str]
    how_decisions_are_made: str
    human_oversight: str
    known_risks: list[str]
    accuracy: AccuracyAssessment
    contact: str
    status: str
    # Welsh, for {{algorithms}} on Welsh pages; empty: the English
    name_cy: str = ""
    status_cy: str = ""
    purpose_cy: str = ""
    how_decisions_are_made_cy: str = ""


class Council(Strict):
    name: str
    short_name: str
    name_cy: str = ""  # the council's Welsh name ({{council_name}} on Welsh pages); empty: the English
    short_name_cy: str = ""
    nation: str  # england or wales: which law the answers follow

    @validator("nation")
    def _nation(cls, value: str) -> str:
        return _known_nation(value, empty_ok=False)
    contact: Contact
    peer_support: Contact
    dpo_email: str
    purposes: list[Purpose]
    organisations: list[Organisation]
    retention: list[Retention]
    processors: list[Processor]
    algorithms: list[Algorithm]
    conversation_retention_days: int = 30
    quick_exit_url: str = DEFAULT_QUICK_EXIT_URL
    # How often a family who asked for consent reviews is asked to look at their choices again.
    consent_review_months: int = 12

    @validator("consent_review_months")
    def _review_interval(cls, value: int) -> int:
        if not 1 <= value <= 60:
            raise ValueError("must be between 1 and 60 months")
        return value

    def retention_entry(self, retention_id: str) -> Retention | None:
        for entry in self.retention:
            if entry.id and entry.id == retention_id:
                return entry
        return None

    @validator("quick_exit_url")
    def _exit_url(cls, v: str) -> str:  # noqa: N805
        return check_exit_url(v)

    def retention_days(self, applies_to: str) -> int:
        for entry in self.retention:
            if entry.applies_to == applies_to:
                return entry.days
        raise ValueError(f"council.yml: no retention entry has applies_to: {applies_to}")


class Helpline(Strict):
    id: str
    name: str
    number: str
    when: str
    who: str
    note: str = ""
    name_cy: str = ""  # Welsh, for Welsh pages; empty: the English
    when_cy: str = ""
    who_cy: str = ""
    nation: str = ""  # where it serves: england or wales; empty for the whole UK
    source: str = ""  # where its number was checked

    @validator("nation")
    def _nation(cls, value: str) -> str:  # noqa: N805
        return _known_nation(value, empty_ok=True)


def in_language(item: BaseModel, field: str, lang: str) -> str:
    """A register field in `lang`: `<field>_cy` for Welsh where the register gives it, else the English field."""
    if lang == "cy":
        welsh = getattr(item, f"{field}_cy", "")
        if welsh:
            return welsh
    return getattr(item, field)


class Helplines(Strict):
    helplines: list[Helpline]
