"""The reference site for peer support workers: a static site built from the same content the bot uses.

`build_reference(out_dir)` writes
  index.html                 topics grouped by theme, an offline search box, links to the register pages
  topics/<id>.html           one page per topic: web answer, SMS version, sources, reviewed date, related
                             topics and the questions parents ask
  all-topics.html            every topic on one page, a page break between topics when printed
  register/*.html            the council's register: purposes, organisations, retention, private processors,
                             algorithm register (in the shape of the UK ATRS)
  assets/reference.css       screen + print styles (no CDN, no web fonts)
  assets/search.js           the search box; its index is embedded in index.html as JSON
  cy/...                     the same pages in Welsh (<html lang="cy">): the Welsh pages under content/cy/, the
                             Welsh of the register where council.yml gives it (`*_cy`), and the page chrome in
                             Welsh (WELSH below). Every page links to its other-language twin ("Cymraeg" /
                             "English", with hreflang), so the site is served at /reference/ and /reference/cy/.
Output is deterministic: the same content gives the same bytes. All text is HTML-escaped.

`python -m bot.content.reference OUT_DIR` builds it from the command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import Content, ContentError, content
from bot.content.models import NATIONS, THEMES, THEMES_CY, Algorithm, Council, Processor, Purpose, Topic, in_language
from bot.content.render import MONTHS, fill, sms_answer, sms_text, topic_sources, web_body

ASSETS_DIR = Path(__file__).with_name("reference_templates")
REGISTER_PAGES = (
    ("purposes", "What your records are used for"),
    ("organisations", "Who shares records with the council"),
    ("retention", "How long records are kept"),
    ("processors", "Private companies that work for the council"),
    ("algorithms", "Algorithm register"),
)
CHOICE_TEXT = {
    "consent": "Consent: the council asks first, and you can say no or change your mind.",
    "objection": "You can object (UK GDPR Article 21). The council must stop unless it shows compelling "
    "legitimate grounds that outweigh yours. For research and statistics it can refuse where the use is needed "
    "for a task in the public interest (Article 21(6)).",
    "none": "No opt-out is offered: the council needs these records to run the service. Uses the law requires "
    "cannot be objected to; for uses under public task, a parent can still object (UK GDPR Article 21).",
}
SEARCH_HINT = 'Type a word or a question, like "risk score" or "see my data".'
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The site's languages: the `lang` of their pages, the folder they are in, and the other language's link.
HTML_LANG = {"en": "en-GB", "cy": "cy"}
FOLDER = {"en": "", "cy": "cy/"}
OTHER_LANGUAGE = {"en": ("cy", "Cymraeg"), "cy": ("en", "English")}
NATION_LINE_CY = {
    "england": "Cyngor yn Lloegr: mae'r atebion yn dilyn y gyfraith yn Lloegr.",
    "wales": "Cyngor yng Nghymru: mae'r atebion yn dilyn y gyfraith yng Nghymru.",
}
# The page chrome in Welsh, keyed by its English. An English string with no entry here shows in English.
WELSH = {
    "Reference site": "Safle cyfeirio",
    "All topics": "Pob pwnc",
    "Council register": "Cofrestr y cyngor",
    "Algorithm register": "Cofrestr algorithmau",
    "Print all topics": "Argraffu pob pwnc",
    "Language": "Iaith",
    "{short} reference for peer support workers": "canllaw {short} i weithwyr cymorth cymheiriaid",
    "Skip to main content": "Neidio i'r prif gynnwys",
    "{name}: family records reference": "{name}: canllaw cofnodion teuluoedd",
    "For peer support workers. The same answers the assistant gives parents.": "I weithwyr cymorth cymheiriaid. "
    "Yr un atebion ag y mae'r cynorthwyydd yn eu rhoi i rieni.",
    "Questions about these records: {name}, {phone}, {email}. Data protection officer: {dpo}.": "Cwestiynau am y "
    "cofnodion hyn: {name}, {phone}, {email}. Swyddog diogelu data: {dpo}.",
    "Reviewed:": "Adolygwyd:",
    "What the assistant says in web chat": "Beth mae'r cynorthwyydd yn ei ddweud yn y sgwrs ar y we",
    "Text message (SMS and WhatsApp) version": "Fersiwn neges destun (SMS a WhatsApp)",
    "Sources": "Ffynonellau",
    "Related topics": "Pynciau cysylltiedig",
    "How parents ask about this": "Sut mae rhieni'n holi am hyn",
    "Questions like these lead the assistant to this answer.": "Mae cwestiynau fel y rhain yn arwain y "
    "cynorthwyydd at yr ateb hwn. Mae'r rhan fwyaf yn Saesneg.",
    "Every topic on one page, to print or save as a PDF. Each topic starts on a new page when printed.": "Pob "
    "pwnc ar un dudalen, i'w argraffu neu ei gadw fel PDF. Mae pob pwnc yn dechrau ar dudalen newydd wrth argraffu.",
    "Topics on this page": "Pynciau ar y dudalen hon",
    "Family records: answers for peer support workers": "Cofnodion teuluoedd: atebion i weithwyr cymorth "
    "cymheiriaid",
    "These are the answers the {council} assistant gives parents about their family's records, with the sources "
    "they come from. Use them to explain things in your own words.": "Dyma'r atebion mae cynorthwyydd {council} yn "
    "eu rhoi i rieni am gofnodion eu teulu, gyda'u ffynonellau. Defnyddiwch nhw i egluro pethau yn eich geiriau eich "
    "hun.",
    "Search topics": "Chwilio'r pynciau",
    SEARCH_HINT: 'Teipiwch air neu gwestiwn, fel "sgôr risg" '
    'neu "cwyno".',
    "No topics found. Try other words, or clear the search to see every topic.": "Dim pwnc wedi'i ganfod. Rhowch "
    "gynnig ar eiriau eraill, neu cliriwch y chwilio i weld pob pwnc.",
    " topic found.": " pwnc wedi'i ganfod.",
    " topics found.": " pwnc wedi'u canfod.",
    "{council} register": "Cofrestr {council}",
    "Register pages": "Tudalennau'r gofrestr",
    "What your records are used for": "Ar gyfer beth mae eich cofnodion yn cael eu defnyddio",
    "Who shares records with the council": "Pwy sy'n rhannu cofnodion gyda'r cyngor",
    "How long records are kept": "Am ba mor hir mae cofnodion yn cael eu cadw",
    "Private companies that work for the council": "Cwmnïau preifat sy'n gweithio i'r cyngor",
    "Each use of family records, the law the council relies on, and the choice parents have.": "Pob defnydd o "
    "gofnodion teuluoedd, y gyfraith mae'r cyngor yn dibynnu arni, a'r dewis sydd gan rieni.",
    "The organisations whose records the council links, and what each one shares.": "Y sefydliadau mae'r cyngor "
    "yn cysylltu eu cofnodion, a beth mae pob un yn ei rannu.",
    "How long each kind of record is kept before it is deleted.": "Am ba mor hir mae pob math o gofnod yn cael ei "
    "gadw cyn cael ei ddileu.",
    "Companies paid to do work with family records. They may only use the records for that work, and only as the "
    "council tells them (UK GDPR Article 28).": "Cwmnïau sy'n cael eu talu i wneud gwaith gyda chofnodion "
    "teuluoedd. Dim ond ar gyfer y gwaith hwnnw y cân nhw ddefnyddio'r cofnodion, a dim ond fel mae'r cyngor yn "
    "dweud (UK GDPR Erthygl 28).",
    "Computer models used with family records, in the shape of the UK Algorithmic Transparency Recording Standard "
    "(ATRS): owner, purpose, data, how decisions are made, human oversight, risks and the latest independent check "
    "of accuracy.": "Modelau cyfrifiadur sy'n cael eu defnyddio gyda chofnodion teuluoedd, ar ffurf Safon Cofnodi "
    "Tryloywder Algorithmig y DU (ATRS): perchennog, pwrpas, data, sut mae penderfyniadau'n cael eu gwneud, "
    "goruchwyliaeth ddynol, risgiau a'r gwiriad annibynnol diweddaraf o gywirdeb.",
    "What it is for": "Ar gyfer beth mae",
    "Lawful basis": "Sail gyfreithlon",
    "Choice offered": "Y dewis sy'n cael ei gynnig",
    "If you do nothing": "Os nad ydych chi'n gwneud dim",
    "Levels you can choose": "Lefelau y gallwch eu dewis",
    "Data held": "Data sy'n cael ei gadw",
    "Organisations": "Sefydliadau",
    "How long it is kept": "Am ba mor hir mae'n cael ei gadw",
    "If a child may be in danger": "Os gallai plentyn fod mewn perygl",
    "Work it does": "Y gwaith mae'n ei wneud",
    "Contract purpose": "Pwrpas y contract",
    "Data it handles": "Y data mae'n ei drin",
    "Risk assessment": "Asesiad risg",
    "Risk assessment date": "Dyddiad yr asesiad risg",
    "Status": "Statws",
    "Owner": "Perchennog",
    "Purpose": "Pwrpas",
    "Data used": "Data sy'n cael ei ddefnyddio",
    "How decisions are made": "Sut mae penderfyniadau'n cael eu gwneud",
    "Human oversight": "Goruchwyliaeth ddynol",
    "Known risks": "Risgiau hysbys",
    "Latest independent accuracy assessment": "Yr asesiad annibynnol diweddaraf o gywirdeb",
    "Contact": "Cyswllt",
    "By {by}, {date}.": "Gan: {by}, {date}.",
    "Figures from the assessment": "Ffigurau o'r asesiad",
    "Measure": "Mesur",
    "Value": "Gwerth",
    "Organisations and what they share": "Sefydliadau a beth maen nhw'n ei rannu",
    "Organisation": "Sefydliad",
    "Kind": "Math",
    "What it shares": "Beth mae'n ei rannu",
    "Retention schedule": "Amserlen cadw",
    "Record": "Cofnod",
    "How long": "Am ba hyd",
    "Source": "Ffynhonnell",
    "included": "rydych chi'n cael eich cynnwys",
    CHOICE_TEXT["consent"]: "Caniatâd: mae'r cyngor yn gofyn yn gyntaf, a gallwch ddweud na neu newid eich meddwl.",
    CHOICE_TEXT["objection"]: "Gallwch wrthwynebu (UK GDPR Erthygl 21). Rhaid i'r cyngor stopio oni bai ei fod yn "
    "dangos sail gyfreithlon gymhellol sy'n drech na'ch rhai chi. Ar gyfer ymchwil ac ystadegau, gall wrthod os oes "
    "angen y defnydd ar gyfer tasg er budd y cyhoedd (Erthygl 21(6)).",
    CHOICE_TEXT["none"]: "Does dim dewis i optio allan: mae angen y cofnodion hyn ar y cyngor i redeg y gwasanaeth. "
    "Allwch chi ddim gwrthwynebu defnyddiau mae'r gyfraith yn eu mynnu. Ar gyfer defnyddiau dan dasg gyhoeddus, gall "
    "rhiant wrthwynebu o hyd (UK GDPR Erthygl 21).",
}


# ---------------------------------------------------------------------------------------------------------
# A tiny, safe markdown renderer for the subset content uses: paragraphs, **bold**, bullet and numbered
# lists, [links](url), # headings. Every piece of text is HTML-escaped; only http(s), mailto and tel links
# and plain relative paths become links, anything else is shown as text.
# ---------------------------------------------------------------------------------------------------------

_INLINE = re.compile(r"\[(?P<text>[^\]\n]+)\]\((?P<url>[^)\s]+)\)|\*\*(?P<bold>[^\n]+?)\*\*")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_BOLD_LINE = re.compile(r"^\*\*([^*\n]+)\*\*:?$")
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def e(text: object) -> str:
    """HTML-escape any value for text and attribute positions."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def safe_url(url: str) -> str | None:
    """The URL if it is safe to link to, else None."""
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith(_SAFE_SCHEMES):
        return url
    if ":" in url.split("/", 1)[0] or url.startswith("//") or _CONTROL.search(url):
        return None  # another scheme (javascript:, data:, ...) or a protocol-relative URL
    return url or None


def render_inline(text: str) -> str:
    """**bold** and [links](url) in one line of text, everything else escaped."""
    out: list[str] = []
    pos = 0
    for match in _INLINE.finditer(text):
        out.append(e(text[pos : match.start()]))
        if match.group("bold") is not None:
            out.append(f"<strong>{render_inline(match.group('bold'))}</strong>")
        else:
            url = safe_url(match.group("url"))
            label = render_inline(match.group("text"))
            if url is None:
                out.append(e(match.group(0)))
            else:
                out.append(f'<a href="{e(url)}">{label}</a>')
        pos = match.end()
    out.append(e(text[pos:]))
    return "".join(out)


def render_markdown(text: str, heading_level: int = 2) -> str:
    """Markdown subset -> HTML. `# x` and a line that is only **bold** become headings at heading_level."""
    lines = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    html_parts: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def close_paragraph() -> None:
        if paragraph:
            html_parts.append("<p>" + "<br>\n".join(render_inline(p) for p in paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if items:
            body = "\n".join(f"<li>{render_inline(i)}</li>" for i in items)
            html_parts.append(f"<{list_tag}>\n{body}\n</{list_tag}>")
            items.clear()
        list_tag = ""

    def heading(level: int, inner: str) -> None:
        level = max(1, min(6, level))
        html_parts.append(f"<h{level}>{render_inline(inner)}</h{level}>")

    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            close_paragraph()
            close_list()
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            close_paragraph()
            if list_tag and list_tag != tag:
                close_list()
            list_tag = tag
            items.append((bullet or numbered).group(1).strip())  # type: ignore[union-attr]
            continue
        if items and raw[:1].isspace():
            items[-1] += " " + line.strip()  # a wrapped list item
            continue
        close_list()
        stripped = line.strip()
        if match := _HEADING.match(stripped):
            close_paragraph()
            heading(heading_level + len(match.group(1)) - 1, match.group(2))
        elif match := _BOLD_LINE.match(stripped):
            close_paragraph()
            heading(heading_level, match.group(1).strip())
        else:
            paragraph.append(stripped)
    close_paragraph()
    close_list()
    return "\n".join(html_parts)


def plain_text(markdown: str) -> str:
    """Markdown subset -> plain text, for the search index."""
    text = re.sub(r"\[([^\]\n]+)\]\([^)\s]+\)", r"\1", markdown)
    text = text.replace("**", "")
    text = re.sub(r"^\s*(?:[-*+]|\d{1,9}[.)]|#{1,6})\s+", "", text, flags=re.M)
    return " ".join(text.split())


def search_key(text: str) -> str:
    """Lower case, accents removed (ŵ -> w), punctuation to spaces: what the search box matches against.

    assets/search.js normalises the query the same way.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", no_marks).split())


# ---------------------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------------------


def long_date(value: dt.date, lang: str = "en") -> str:
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def time_tag(value: dt.date, lang: str = "en") -> str:
    return f'<time datetime="{value.isoformat()}">{e(long_date(value, lang))}</time>'


def _external(url: object, label: object) -> str:
    href = safe_url(str(url))
    if href is None:
        return e(label)
    return f'<a href="{e(href)}" rel="noreferrer">{e(label)}</a>'


def _email(address: str) -> str:
    if re.fullmatch(r"[^@\s<>\"']+@[^@\s<>\"']+", address):
        return f'<a href="mailto:{e(address)}">{e(address)}</a>'
    return e(address)


def _items_html(items: Iterable[str]) -> str:
    return "<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>"


def _items(values: list[str]) -> str:
    return _items_html(e(v) for v in values)


def _dl(rows: list[tuple[str, str]]) -> str:
    body = "\n".join(f"<dt>{e(term)}</dt>\n<dd>{value}</dd>" for term, value in rows)
    return f'<dl class="facts">\n{body}\n</dl>'


def _entry(kind: str, entry_id: str, name: str, rows: list[tuple[str, str]]) -> str:
    """One register entry: a section with a heading and its facts (values in rows are already HTML)."""
    cls = f"entry {kind}".strip()
    return f'<section class="{cls}" id="{e(entry_id)}">\n<h2>{e(name)}</h2>\n{_dl(rows)}\n</section>'


@dataclass(frozen=True)
class Site:
    """The site in one language ("en" at the top, "cy" under cy/)."""

    content: Content
    lang: str = "en"

    @property
    def council(self) -> Council:
        return self.content.council

    def t(self, text: str) -> str:
        """The page chrome in the site's language."""
        return WELSH.get(text, text) if self.lang == "cy" else text

    def field(self, item: object, name: str) -> str:
        return in_language(item, name, self.lang)  # type: ignore[arg-type]

    def title(self, topic: Topic) -> str:
        return self.content.title(topic.id, self.lang)

    def theme(self, theme: str) -> str:
        return THEMES_CY[theme] if self.lang == "cy" else THEMES[theme]

    def date(self, value: dt.date) -> str:
        return time_tag(value, self.lang)

    def page(self, title: str, body: str, path: str, *, scripts: tuple[str, ...] = ()) -> str:
        """A whole page. `path` is its place in this language's site (e.g. topics/see_my_data.html): links to this
        language's pages go up from it, the shared assets sit at the top of the whole site, and the other
        language's twin of the page is at the same path in the other folder."""
        depth = path.count("/")
        root = "../" * depth
        site_root = "../" * (depth + FOLDER[self.lang].count("/"))
        other, other_name = OTHER_LANGUAGE[self.lang]
        twin = f"{site_root}{FOLDER[other]}{path}"
        council = self.council
        name = self.field(council, "name")
        short_name = self.field(council, "short_name")
        script_tags = "".join(f'\n<script src="{site_root}{e(s)}" defer></script>' for s in scripts)
        nav = (
            f'<nav class="site-nav" aria-label="{e(self.t("Reference site"))}">\n<ul>\n'
            f'<li><a href="{root}index.html">{e(self.t("All topics"))}</a></li>\n'
            f'<li><a href="{root}register/purposes.html">{e(self.t("Council register"))}</a></li>\n'
            f'<li><a href="{root}register/algorithms.html">{e(self.t("Algorithm register"))}</a></li>\n'
            f'<li><a href="{root}all-topics.html">{e(self.t("Print all topics"))}</a></li>\n'
            f"</ul>\n</nav>"
        )
        nation = (
            NATION_LINE_CY[council.nation]
            if self.lang == "cy"
            else f"Council in {NATIONS[council.nation]}: the answers follow the law in {NATIONS[council.nation]}."
        )
        peer = council.peer_support
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{HTML_LANG[self.lang]}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{e(title)} - {e(self.t('{short} reference for peer support workers').format(short=short_name))}"
            "</title>\n"
            f'<link rel="alternate" hreflang="{HTML_LANG[other]}" href="{e(twin)}">\n'
            f'<link rel="stylesheet" href="{site_root}assets/reference.css">{script_tags}\n'
            "</head>\n<body>\n"
            f'<a class="skip-link" href="#main">{e(self.t("Skip to main content"))}</a>\n'
            '<header class="site-header">\n'
            f'<p class="site-language"><a href="{e(twin)}" hreflang="{HTML_LANG[other]}" '
            f'lang="{HTML_LANG[other]}">{e(other_name)}</a></p>\n'
            f'<p class="site-name"><a href="{root}index.html">'
            f"{e(self.t('{name}: family records reference').format(name=name))}</a></p>\n"
            f'<p class="site-audience">'
            f"{e(self.t('For peer support workers. The same answers the assistant gives parents.'))}</p>\n"
            f'<p class="site-nation">{e(nation)}</p>\n'
            f"{nav}\n</header>\n"
            f'<main id="main">\n{body}\n</main>\n'
            '<footer class="site-footer">\n'
            f"<p>{e(self.field(peer, 'name'))}: {e(peer.phone)} ({e(self.field(peer, 'hours'))}), "
            f"{_email(peer.email)}.</p>\n"
            "<p>"
            + self.t(
                "Questions about these records: {name}, {phone}, {email}. Data protection officer: {dpo}."
            ).format(
                name=e(self.field(council.contact, "name")),
                phone=e(council.contact.phone),
                email=_email(council.contact.email),
                dpo=_email(council.dpo_email),
            )
            + "</p>\n</footer>\n</body>\n</html>\n"
        )

    # -- topics -------------------------------------------------------------------------------------------

    def topic_article(self, topic: Topic, link_root: str, heading: int = 1, anchor: str = "") -> str:
        """The body of one topic, used by its own page (heading 1) and by all-topics.html (heading 2)."""
        h, sub = f"h{heading}", f"h{heading + 1}"
        answer = render_markdown(web_body(topic, self.content, self.lang), heading_level=heading + 2)
        sources = "\n".join(
            f"<li>{_external(s.url, s.title)}</li>" for s in topic_sources(topic, self.content, self.lang)
        )
        related = ""
        if topic.related:
            links = "\n".join(
                f'<li><a href="{link_root}topics/{e(r)}.html">{e(self.content.title(r, self.lang))}</a></li>'
                for r in topic.related
            )
            related = (
                f'<section class="related">\n<{sub}>{e(self.t("Related topics"))}</{sub}>\n'
                f"<ul>\n{links}\n</ul>\n</section>\n"
            )
        examples = "\n".join(f"<li>{e(x)}</li>" for x in topic.examples)
        anchor_attr = f' id="{e(anchor)}"' if anchor else ""
        return (
            f'<article class="topic"{anchor_attr}>\n'
            f"<{h}>{e(self.title(topic))}</{h}>\n"
            f'<p class="meta"><span class="theme">{e(self.theme(topic.theme))}</span> · '
            f"{e(self.t('Reviewed:'))} {self.date(topic.reviewed)}</p>\n"
            f'<section class="answer">\n<{sub}>{e(self.t("What the assistant says in web chat"))}</{sub}>\n'
            f'<div class="answer-body">\n{answer}\n</div>\n</section>\n'
            f'<section class="sms">\n<{sub}>{e(self.t("Text message (SMS and WhatsApp) version"))}</{sub}>\n'
            f'<p class="sms-text">{e(sms_answer(topic, self.content, self.lang))}</p>\n</section>\n'
            f'<section class="sources">\n<{sub}>{e(self.t("Sources"))}</{sub}>\n<ul>\n{sources}\n</ul>\n</section>\n'
            f"{related}"
            f'<section class="examples">\n<{sub}>{e(self.t("How parents ask about this"))}</{sub}>\n'
            f"<p>{e(self.t('Questions like these lead the assistant to this answer.'))}</p>\n<ul>\n{examples}\n</ul>\n"
            "</section>\n</article>"
        )

    def topic_page(self, topic: Topic) -> str:
        return self.page(self.title(topic), self.topic_article(topic, "../"), f"topics/{topic.id}.html")

    def all_topics_page(self) -> str:
        toc = "\n".join(
            f'<li><a href="#topic-{e(t.id)}">{e(self.title(t))}</a></li>' for t in self.sorted_topics()
        )
        articles = "\n".join(
            self.topic_article(t, "", heading=2, anchor=f"topic-{t.id}") for t in self.sorted_topics()
        )
        every = "Every topic on one page, to print or save as a PDF. Each topic starts on a new page when printed."
        body = (
            f"<h1>{e(self.t('All topics'))}</h1>\n"
            f'<p class="no-print">{e(self.t(every))}</p>\n'
            f'<nav aria-label="{e(self.t("Topics on this page"))}" class="toc">\n<ul>\n{toc}\n</ul>\n</nav>\n'
            f"{articles}"
        )
        return self.page(self.t("All topics"), body, "all-topics.html")

    def sorted_topics(self) -> list[Topic]:
        order = list(THEMES)
        return sorted(self.content.topics, key=lambda t: (order.index(t.theme), self.title(t).lower(), t.id))

    # -- index + search -----------------------------------------------------------------------------------

    def search_index(self) -> list[dict[str, str]]:
        index = []
        for topic in self.sorted_topics():
            body = plain_text(web_body(topic, self.content, self.lang))
            title = self.title(topic)
            index.append(
                {
                    "id": topic.id,
                    "title": title,
                    "theme": self.theme(topic.theme),
                    "url": f"topics/{topic.id}.html",
                    "title_key": search_key(title),
                    "questions_key": search_key(" ".join(topic.examples)),
                    "text_key": search_key(f"{sms_text(topic, self.content, self.lang)} {body}"),
                }
            )
        return index

    def index_page(self) -> str:
        name = self.field(self.council, "name")
        sections = []
        for theme in THEMES:
            topics = [t for t in self.sorted_topics() if t.theme == theme]
            if not topics:
                continue
            links = "\n".join(f'<li><a href="topics/{e(t.id)}.html">{e(self.title(t))}</a></li>' for t in topics)
            sections.append(
                f'<section class="theme" aria-labelledby="theme-{e(theme)}">\n'
                f'<h2 id="theme-{e(theme)}">{e(self.theme(theme))}</h2>\n<ul>\n{links}\n</ul>\n</section>'
            )
        register = "\n".join(
            f'<li><a href="register/{page}.html">{e(self.t(title))}</a></li>' for page, title in REGISTER_PAGES
        )
        data = json.dumps(self.search_index(), ensure_ascii=True, separators=(",", ":"))
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        intro = self.t(
            "These are the answers the {council} assistant gives parents about their family's records, with the "
            "sources they come from. Use them to explain things in your own words."
        ).format(council=name)
        none = self.t("No topics found. Try other words, or clear the search to see every topic.")
        body = (
            f"<h1>{e(self.t('Family records: answers for peer support workers'))}</h1>\n"
            f"<p>{e(intro)}</p>\n"
            f'<form class="search" role="search" id="search" hidden data-none="{e(none)}" '
            f'data-one="{e(self.t(" topic found."))}" data-many="{e(self.t(" topics found."))}">\n'
            f'<label for="search-input">{e(self.t("Search topics"))}</label>\n'
            '<p class="hint" id="search-hint">'
            f"{e(self.t(SEARCH_HINT))}</p>\n"
            '<input type="search" id="search-input" name="q" autocomplete="off" spellcheck="false" '
            'aria-describedby="search-hint" aria-controls="search-results">\n'
            "</form>\n"
            '<p id="search-status" class="search-status" role="status" aria-live="polite"></p>\n'
            '<ul id="search-results" class="search-results" hidden></ul>\n'
            f'<div id="topic-list">\n{chr(10).join(sections)}\n</div>\n'
            '<section class="register-links" aria-labelledby="register-heading">\n'
            f'<h2 id="register-heading">{e(self.t("{council} register").format(council=name))}</h2>\n'
            f"<ul>\n{register}\n</ul>\n</section>\n"
            f'<script type="application/json" id="search-index">{data}</script>'
        )
        return self.page(self.t("All topics"), body, "index.html", scripts=("assets/search.js",))

    # -- register -----------------------------------------------------------------------------------------

    def organisation_name(self, org_id: str) -> str:
        for org in self.council.organisations:
            if org.id == org_id:
                return self.field(org, "name")
        return org_id

    def purpose_section(self, purpose: Purpose) -> str:
        levels = ""
        if purpose.levels:
            levels = _items_html(
                f"<strong>{e(self.field(level, 'label'))}</strong>: {e(self.field(level, 'description'))}"
                for level in purpose.levels
            )
        rows = [
            (self.t("What it is for"), e(self.field(purpose, "plain"))),
            (self.t("Lawful basis"), e(purpose.lawful_basis)),
            (self.t("Choice offered"), e(self.t(CHOICE_TEXT.get(purpose.choice, purpose.choice)))),
            (self.t("If you do nothing"), e(self.t(purpose.default.replace("_", " ")))),
        ]
        if levels:
            rows.append((self.t("Levels you can choose"), levels))
        rows += [
            (self.t("Data held"), _items(purpose.data_held)),
            (self.t("Organisations"), _items([self.organisation_name(o) for o in purpose.organisations])),
            (self.t("How long it is kept"), e(self.field(purpose, "retention"))),
        ]
        if purpose.child_protection_exception:
            line = fill("{{safeguarding}}", self.content, "council register", channel="sms", lang=self.lang)
            rows.append((self.t("If a child may be in danger"), e(line)))
        return _entry("", purpose.id, self.field(purpose, "name"), rows)

    def processor_section(self, p: Processor) -> str:
        rows = [
            (self.t("Work it does"), e(self.field(p, "work"))),
            (self.t("Contract purpose"), e(p.contract_purpose)),
            (self.t("Data it handles"), _items(p.data)),
            (self.t("Risk assessment"), e(self.field(p, "risk_assessment"))),
            (self.t("Risk assessment date"), self.date(p.risk_assessment_date)),
        ]
        return _entry("processor", p.id, p.name, rows)

    def algorithm_section(self, a: Algorithm) -> str:
        figures = "\n".join(
            f"<tr><th scope=\"row\">{e(name.replace('_', ' ').capitalize())}</th><td>{e(value)}</td></tr>"
            for name, value in a.accuracy.figures.items()
        )
        by = self.t("By {by}, {date}.").format(by=e(self.field(a.accuracy, "by")), date=self.date(a.accuracy.date))
        accuracy = (
            f"<p>{by}</p>\n<p>{e(self.field(a.accuracy, 'summary'))}</p>\n"
            f'<table class="figures">\n<caption>{e(self.t("Figures from the assessment"))}</caption>\n'
            f'<thead><tr><th scope="col">{e(self.t("Measure"))}</th><th scope="col">{e(self.t("Value"))}</th>'
            f"</tr></thead>\n<tbody>\n{figures}\n</tbody>\n</table>"
        )
        rows = [
            (self.t("Status"), e(self.field(a, "status"))),
            (self.t("Owner"), e(a.owner)),
            (self.t("Purpose"), e(self.field(a, "purpose"))),
            (self.t("Data used"), _items(a.data_used)),
            (self.t("How decisions are made"), e(self.field(a, "how_decisions_are_made"))),
            (self.t("Human oversight"), e(a.human_oversight)),
            (self.t("Known risks"), _items(a.known_risks)),
            (self.t("Latest independent accuracy assessment"), accuracy),
            (self.t("Contact"), _email(a.contact)),
        ]
        return _entry("algorithm", a.id, self.field(a, "name"), rows)

    def register_page(self, name: str, title: str) -> str:
        council = self.council
        intro = {
            "purposes": "Each use of family records, the law the council relies on, and the choice parents have.",
            "organisations": "The organisations whose records the council links, and what each one shares.",
            "retention": "How long each kind of record is kept before it is deleted.",
            "processors": "Companies paid to do work with family records. They may only use the records for that "
            "work, and only as the council tells them (UK GDPR Article 28).",
            "algorithms": "Computer models used with family records, in the shape of the UK Algorithmic "
            "Transparency Recording Standard (ATRS): owner, purpose, data, how decisions are made, human "
            "oversight, risks and the latest independent check of accuracy.",
        }[name]
        t = self.t
        if name == "purposes":
            inner = "\n".join(self.purpose_section(p) for p in council.purposes)
        elif name == "organisations":
            rows = "\n".join(
                f'<tr><th scope="row">{e(self.field(o, "name"))}</th><td>{e(o.kind)}</td>'
                f'<td>{e(", ".join(o.shares_cy if self.lang == "cy" and o.shares_cy else o.shares))}</td></tr>'
                for o in council.organisations
            )
            inner = (
                f'<div class="table-wrap"><table>\n<caption>{e(t("Organisations and what they share"))}</caption>\n'
                f'<thead><tr><th scope="col">{e(t("Organisation"))}</th><th scope="col">{e(t("Kind"))}</th>'
                f'<th scope="col">{e(t("What it shares"))}</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n'
                "</table></div>"
            )
        elif name == "retention":
            rows = "\n".join(
                f'<tr><th scope="row">{e(self.field(r, "record"))}</th><td>{e(self.field(r, "period"))}</td>'
                f"<td>{e(r.source)}</td></tr>"
                for r in council.retention
            )
            inner = (
                f'<div class="table-wrap"><table>\n<caption>{e(t("Retention schedule"))}</caption>\n'
                f'<thead><tr><th scope="col">{e(t("Record"))}</th><th scope="col">{e(t("How long"))}</th>'
                f'<th scope="col">{e(t("Source"))}</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>'
            )
        elif name == "processors":
            inner = "\n".join(self.processor_section(p) for p in council.processors)
        else:
            inner = "\n".join(self.algorithm_section(a) for a in council.algorithms)
        current = ' aria-current="page"'
        others = "\n".join(
            f'<li><a href="{n}.html"{current if n == name else ""}>{e(t(page_title))}</a></li>'
            for n, page_title in REGISTER_PAGES
        )
        body = (
            f'<nav class="register-nav" aria-label="{e(t("Register pages"))}">\n<ul>\n{others}\n</ul>\n</nav>\n'
            f"<h1>{e(t(title))}</h1>\n<p>{e(self.field(council, 'name'))}. {e(t(intro))}</p>\n{inner}"
        )
        return self.page(t(title), body, f"register/{name}.html")

    # -- the whole site -----------------------------------------------------------------------------------

    def pages(self) -> dict[str, str]:
        """This language's pages, by their path inside its folder."""
        files = {"index.html": self.index_page(), "all-topics.html": self.all_topics_page()}
        for topic in self.content.topics:
            files[f"topics/{topic.id}.html"] = self.topic_page(topic)
        for name, title in REGISTER_PAGES:
            files[f"register/{name}.html"] = self.register_page(name, title)
        return files


def site_files(site_content: Content) -> dict[str, str]:
    """Every file of the site: the English pages at the top, the Welsh under cy/, and the assets both use."""
    files = {
        "assets/reference.css": (ASSETS_DIR / "reference.css").read_text(encoding="utf-8"),
        "assets/search.js": (ASSETS_DIR / "search.js").read_text(encoding="utf-8"),
    }
    for lang in HTML_LANG:
        for rel, text in Site(site_content, lang).pages().items():
            files[f"{FOLDER[lang]}{rel}"] = text
    return files


def build_reference(out_dir: Path, site_content: Content | None = None) -> list[Path]:
    """Write the reference site into out_dir; return the files written, sorted.

    Pages of topics that no longer exist are removed from out_dir/topics and out_dir/cy/topics. Files are only
    rewritten when their bytes change, so a rebuild of unchanged content touches nothing.
    """
    out_dir = Path(out_dir)
    files = site_files(site_content or content())
    written: list[Path] = []
    for rel, text in sorted(files.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    for folder in FOLDER.values():
        for stale in sorted((out_dir / folder / "topics").glob("*.html")):
            if f"{folder}topics/{stale.name}" not in files:
                stale.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.content.reference",
        description="Build the reference site for peer support workers.",
    )
    parser.add_argument("out_dir", type=Path, help="where to write the site, e.g. build/reference")
    args = parser.parse_args(argv)
    try:
        paths = build_reference(args.out_dir)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Wrote {len(paths)} files to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
