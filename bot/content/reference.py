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
from bot.content.models import NATIONS, THEMES, Algorithm, Council, Processor, Purpose, Topic
from bot.content.render import fill, sms_answer, sms_text, topic_sources

ASSETS_DIR = Path(__file__).with_name("reference_templates")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def long_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def time_tag(value: dt.date) -> str:
    return f'<time datetime="{value.isoformat()}">{e(long_date(value))}</time>'


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
    content: Content

    @property
    def council(self) -> Council:
        return self.content.council

    def page(self, title: str, body: str, depth: int, *, scripts: tuple[str, ...] = ()) -> str:
        root = "../" * depth
        council = self.council
        script_tags = "".join(f'\n<script src="{root}{e(s)}" defer></script>' for s in scripts)
        nav = (
            f'<nav class="site-nav" aria-label="Reference site">\n<ul>\n'
            f'<li><a href="{root}index.html">All topics</a></li>\n'
            f'<li><a href="{root}register/purposes.html">Council register</a></li>\n'
            f'<li><a href="{root}register/algorithms.html">Algorithm register</a></li>\n'
            f'<li><a href="{root}all-topics.html">Print all topics</a></li>\n'
            f"</ul>\n</nav>"
        )
        peer = council.peer_support
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{e(title)} - {e(council.short_name)} reference for peer support workers</title>\n"
            f'<link rel="stylesheet" href="{root}assets/reference.css">{script_tags}\n'
            "</head>\n<body>\n"
            '<a class="skip-link" href="#main">Skip to main content</a>\n'
            '<header class="site-header">\n'
            f'<p class="site-name"><a href="{root}index.html">{e(council.name)}: '
            "family records reference</a></p>\n"
            '<p class="site-audience">For peer support workers. '
            "The same answers the assistant gives parents.</p>\n"
            f'<p class="site-nation">Council in {e(NATIONS[council.nation])}: '
            f"the answers follow the law in {e(NATIONS[council.nation])}.</p>\n"
            f"{nav}\n</header>\n"
            f'<main id="main">\n{body}\n</main>\n'
            '<footer class="site-footer">\n'
            f"<p>{e(peer.name)}: {e(peer.phone)} ({e(peer.hours)}), "
            f"{_email(peer.email)}.</p>\n"
            f"<p>Questions about these records: {e(council.contact.name)}, {e(council.contact.phone)}, "
            f"{_email(council.contact.email)}. Data protection officer: {_email(council.dpo_email)}.</p>\n"
            "</footer>\n</body>\n</html>\n"
        )

    # -- topics -------------------------------------------------------------------------------------------

    def topic_article(self, topic: Topic, link_root: str, heading: int = 1, anchor: str = "") -> str:
        """The body of one topic, used by its own page (heading 1) and by all-topics.html (heading 2)."""
        where = f"content/topics/{topic.id}.md"
        h, sub = f"h{heading}", f"h{heading + 1}"
        answer = render_markdown(fill(topic.body, self.content, where), heading_level=heading + 2)
        sources = "\n".join(f"<li>{_external(s.url, s.title)}</li>" for s in topic_sources(topic, self.content))
        related = ""
        if topic.related:
            links = "\n".join(
                f'<li><a href="{link_root}topics/{e(r)}.html">{e(self.content.topic(r).title)}</a></li>'
                for r in topic.related
            )
            related = (
                f'<section class="related">\n<{sub}>Related topics</{sub}>\n'
                f"<ul>\n{links}\n</ul>\n</section>\n"
            )
        examples = "\n".join(f"<li>{e(x)}</li>" for x in topic.examples)
        anchor_attr = f' id="{e(anchor)}"' if anchor else ""
        return (
            f'<article class="topic"{anchor_attr}>\n'
            f"<{h}>{e(topic.title)}</{h}>\n"
            f'<p class="meta"><span class="theme">{e(THEMES[topic.theme])}</span> · '
            f"Reviewed: {time_tag(topic.reviewed)}</p>\n"
            f'<section class="answer">\n<{sub}>What the assistant says in web chat</{sub}>\n'
            f'<div class="answer-body">\n{answer}\n</div>\n</section>\n'
            f'<section class="sms">\n<{sub}>Text message (SMS and WhatsApp) version</{sub}>\n'
            f'<p class="sms-text">{e(sms_answer(topic, self.content))}</p>\n</section>\n'
            f'<section class="sources">\n<{sub}>Sources</{sub}>\n<ul>\n{sources}\n</ul>\n</section>\n'
            f"{related}"
            f'<section class="examples">\n<{sub}>How parents ask about this</{sub}>\n'
            f"<p>Questions like these lead the assistant to this answer.</p>\n<ul>\n{examples}\n</ul>\n"
            "</section>\n</article>"
        )

    def topic_page(self, topic: Topic) -> str:
        return self.page(topic.title, self.topic_article(topic, "../"), depth=1)

    def all_topics_page(self) -> str:
        toc = "\n".join(f'<li><a href="#topic-{e(t.id)}">{e(t.title)}</a></li>' for t in self.sorted_topics())
        articles = "\n".join(
            self.topic_article(t, "", heading=2, anchor=f"topic-{t.id}") for t in self.sorted_topics()
        )
        body = (
            "<h1>All topics</h1>\n"
            '<p class="no-print">Every topic on one page, to print or save as a PDF. '
            "Each topic starts on a new page when printed.</p>\n"
            f'<nav aria-label="Topics on this page" class="toc">\n<ul>\n{toc}\n</ul>\n</nav>\n'
            f"{articles}"
        )
        return self.page("All topics", body, depth=0)

    def sorted_topics(self) -> list[Topic]:
        order = list(THEMES)
        return sorted(self.content.topics, key=lambda t: (order.index(t.theme), t.title.lower(), t.id))

    # -- index + search -----------------------------------------------------------------------------------

    def search_index(self) -> list[dict[str, str]]:
        index = []
        for topic in self.sorted_topics():
            body = plain_text(fill(topic.body, self.content, f"content/topics/{topic.id}.md"))
            index.append(
                {
                    "id": topic.id,
                    "title": topic.title,
                    "theme": THEMES[topic.theme],
                    "url": f"topics/{topic.id}.html",
                    "title_key": search_key(topic.title),
                    "questions_key": search_key(" ".join(topic.examples)),
                    "text_key": search_key(f"{sms_text(topic, self.content)} {body}"),
                }
            )
        return index

    def index_page(self) -> str:
        sections = []
        for theme, theme_title in THEMES.items():
            topics = [t for t in self.sorted_topics() if t.theme == theme]
            if not topics:
                continue
            links = "\n".join(f'<li><a href="topics/{e(t.id)}.html">{e(t.title)}</a></li>' for t in topics)
            sections.append(
                f'<section class="theme" aria-labelledby="theme-{e(theme)}">\n'
                f'<h2 id="theme-{e(theme)}">{e(theme_title)}</h2>\n<ul>\n{links}\n</ul>\n</section>'
            )
        register = "\n".join(
            f'<li><a href="register/{name}.html">{e(title)}</a></li>' for name, title in REGISTER_PAGES
        )
        data = json.dumps(self.search_index(), ensure_ascii=True, separators=(",", ":"))
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        body = (
            "<h1>Family records: answers for peer support workers</h1>\n"
            f"<p>These are the answers the {e(self.council.name)} assistant gives parents about their "
            "family's records, with the sources they come from. "
            "Use them to explain things in your own words.</p>\n"
            '<form class="search" role="search" id="search" hidden>\n'
            '<label for="search-input">Search topics</label>\n'
            '<p class="hint" id="search-hint">'
            'Type a word or a question, like "risk score" or "see my data".</p>\n'
            '<input type="search" id="search-input" name="q" autocomplete="off" spellcheck="false" '
            'aria-describedby="search-hint" aria-controls="search-results">\n'
            "</form>\n"
            '<p id="search-status" class="search-status" role="status" aria-live="polite"></p>\n'
            '<ul id="search-results" class="search-results" hidden></ul>\n'
            f'<div id="topic-list">\n{chr(10).join(sections)}\n</div>\n'
            '<section class="register-links" aria-labelledby="register-heading">\n'
            f'<h2 id="register-heading">{e(self.council.name)} register</h2>\n'
            f"<ul>\n{register}\n</ul>\n</section>\n"
            f'<script type="application/json" id="search-index">{data}</script>'
        )
        return self.page("All topics", body, depth=0, scripts=("assets/search.js",))

    # -- register -----------------------------------------------------------------------------------------

    def organisation_name(self, org_id: str) -> str:
        for org in self.council.organisations:
            if org.id == org_id:
                return org.name
        return org_id

    def purpose_section(self, purpose: Purpose) -> str:
        levels = ""
        if purpose.levels:
            levels = _items_html(
                f"<strong>{e(level.label)}</strong>: {e(level.description)}" for level in purpose.levels
            )
        rows = [
            ("What it is for", e(purpose.plain)),
            ("Lawful basis", e(purpose.lawful_basis)),
            ("Choice offered", e(CHOICE_TEXT.get(purpose.choice, purpose.choice))),
            ("If you do nothing", e(purpose.default.replace("_", " "))),
        ]
        if levels:
            rows.append(("Levels you can choose", levels))
        rows += [
            ("Data held", _items(purpose.data_held)),
            ("Organisations", _items([self.organisation_name(o) for o in purpose.organisations])),
            ("How long it is kept", e(purpose.retention)),
        ]
        if purpose.child_protection_exception:
            rows.append(
                (
                    "If a child may be in danger",
                    e(fill("{{safeguarding}}", self.content, "council register", channel="sms")),
                )
            )
        return _entry("", purpose.id, purpose.name, rows)

    def processor_section(self, p: Processor) -> str:
        rows = [
            ("Work it does", e(p.work)),
            ("Contract purpose", e(p.contract_purpose)),
            ("Data it handles", _items(p.data)),
            ("Risk assessment", e(p.risk_assessment)),
            ("Risk assessment date", time_tag(p.risk_assessment_date)),
        ]
        return _entry("processor", p.id, p.name, rows)

    def algorithm_section(self, a: Algorithm) -> str:
        figures = "\n".join(
            f"<tr><th scope=\"row\">{e(name.replace('_', ' ').capitalize())}</th><td>{e(value)}</td></tr>"
            for name, value in a.accuracy.figures.items()
        )
        accuracy = (
            f"<p>By {e(a.accuracy.by)}, {time_tag(a.accuracy.date)}.</p>\n<p>{e(a.accuracy.summary)}</p>\n"
            f'<table class="figures">\n<caption>Figures from the assessment</caption>\n'
            f'<thead><tr><th scope="col">Measure</th><th scope="col">Value</th></tr></thead>\n'
            f"<tbody>\n{figures}\n</tbody>\n</table>"
        )
        rows = [
            ("Status", e(a.status)),
            ("Owner", e(a.owner)),
            ("Purpose", e(a.purpose)),
            ("Data used", _items(a.data_used)),
            ("How decisions are made", e(a.how_decisions_are_made)),
            ("Human oversight", e(a.human_oversight)),
            ("Known risks", _items(a.known_risks)),
            ("Latest independent accuracy assessment", accuracy),
            ("Contact", _email(a.contact)),
        ]
        return _entry("algorithm", a.id, a.name, rows)

    def register_page(self, name: str, title: str) -> str:
        council = self.council
        intro = {
            "purposes": "Each use of family records, the law the council relies on, "
            "and the choice parents have.",
            "organisations": "The organisations whose records the council links, and what each one shares.",
            "retention": "How long each kind of record is kept before it is deleted.",
            "processors": "Companies paid to do work with family records. They may only use the records "
            "for that work, and only as the council tells them (UK GDPR Article 28).",
            "algorithms": "Computer models used with family records, in the shape of the UK Algorithmic "
            "Transparency Recording Standard (ATRS): owner, purpose, data, how decisions are made, "
            "human oversight, risks and the latest independent check of accuracy.",
        }[name]
        if name == "purposes":
            inner = "\n".join(self.purpose_section(p) for p in council.purposes)
        elif name == "organisations":
            rows = "\n".join(
                f'<tr><th scope="row">{e(o.name)}</th><td>{e(o.kind)}</td>'
                f'<td>{e(", ".join(o.shares))}</td></tr>'
                for o in council.organisations
            )
            inner = (
                '<div class="table-wrap"><table>\n<caption>Organisations and what they share</caption>\n'
                '<thead><tr><th scope="col">Organisation</th><th scope="col">Kind</th>'
                f'<th scope="col">What it shares</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>'
            )
        elif name == "retention":
            rows = "\n".join(
                f'<tr><th scope="row">{e(r.record)}</th><td>{e(r.period)}</td><td>{e(r.source)}</td></tr>'
                for r in council.retention
            )
            inner = (
                '<div class="table-wrap"><table>\n<caption>Retention schedule</caption>\n'
                '<thead><tr><th scope="col">Record</th><th scope="col">How long</th>'
                f'<th scope="col">Source</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>'
            )
        elif name == "processors":
            inner = "\n".join(self.processor_section(p) for p in council.processors)
        else:
            inner = "\n".join(self.algorithm_section(a) for a in council.algorithms)
        current = ' aria-current="page"'
        others = "\n".join(
            f'<li><a href="{n}.html"{current if n == name else ""}>{e(t)}</a></li>' for n, t in REGISTER_PAGES
        )
        body = (
            f'<nav class="register-nav" aria-label="Register pages">\n<ul>\n{others}\n</ul>\n</nav>\n'
            f"<h1>{e(title)}</h1>\n<p>{e(council.name)}. {e(intro)}</p>\n{inner}"
        )
        return self.page(title, body, depth=1)

    # -- the whole site -----------------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        files = {
            "index.html": self.index_page(),
            "all-topics.html": self.all_topics_page(),
            "assets/reference.css": (ASSETS_DIR / "reference.css").read_text(encoding="utf-8"),
            "assets/search.js": (ASSETS_DIR / "search.js").read_text(encoding="utf-8"),
        }
        for topic in self.content.topics:
            files[f"topics/{topic.id}.html"] = self.topic_page(topic)
        for name, title in REGISTER_PAGES:
            files[f"register/{name}.html"] = self.register_page(name, title)
        return files


def build_reference(out_dir: Path, site_content: Content | None = None) -> list[Path]:
    """Write the reference site into out_dir; return the files written, sorted.

    Pages of topics that no longer exist are removed from out_dir/topics. Files are only rewritten when their
    bytes change, so a rebuild of unchanged content touches nothing.
    """
    out_dir = Path(out_dir)
    files = Site(site_content or content()).files()
    written: list[Path] = []
    for rel, text in sorted(files.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    topic_dir = out_dir / "topics"
    for stale in sorted(topic_dir.glob("*.html")):
        if f"topics/{stale.name}" not in files:
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
