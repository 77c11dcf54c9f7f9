"""The reference site for peer support workers: complete, linked, escaped, deterministic."""

from __future__ import annotations

import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.content.loader import CONTENT_DIR, Content, content, load_content
from bot.content.models import THEMES
from bot.content.reference import (
    build_reference,
    long_date,
    render_inline,
    render_markdown,
    search_key,
)
from bot.content.render import sms_text, topic_sources

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageParser(HTMLParser):
    """Collects links, ids, text and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "html":
            self.lang = a.get("lang")
        if a.get("id"):
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']}")
            self.ids.add(a["id"])  # type: ignore[arg-type]
        for attr in ("href", "src"):
            if a.get(attr):
                self.links.append(a[attr])  # type: ignore[arg-type]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in {"script", "style"}:
            return
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("site")
    return out, build_reference(out)


@pytest.fixture(scope="module")
def loaded() -> Content:
    return content()


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_links_to_its_twin_in_the_other_language(site: tuple[Path, list[Path]]) -> None:
    out, _ = site
    english = [p for p in html_pages(out) if not welsh(out, p)]
    assert sorted(p.relative_to(out) for p in english) == sorted(
        p.relative_to(out / "cy") for p in html_pages(out) if welsh(out, p)
    ), "the Welsh site mirrors the English one page for page"
    for page in html_pages(out):
        parsed = parse(page)
        other, name = ("en-GB", "English") if welsh(out, page) else ("cy", "Cymraeg")
        links = [a for t, a in parsed.tags if t == "a" and a.get("hreflang") == other]
        assert len(links) == 1 and links[0].get("lang") == other, page
        twin = (page.parent / str(links[0]["href"])).resolve()
        rel = page.relative_to(out)
        assert twin == (out / (rel.relative_to("cy") if welsh(out, page) else Path("cy") / rel)).resolve(), page
        assert name in parsed.plain
        alternates = [a for t, a in parsed.tags if t == "link" and a.get("rel") == "alternate"]
        assert [(a.get("hreflang"), a.get("href")) for a in alternates] == [(other, links[0]["href"])], page


def test_welsh_pages_are_in_welsh(site: tuple[Path, list[Path]], loaded: Content) -> None:
    out, _ = site
    for topic in loaded.topics:
        parsed = parse(out / "cy" / "topics" / f"{topic.id}.html")
        text = parsed.plain
        assert loaded.title(topic.id, "cy") in text and topic.title not in text
        assert " ".join(sms_text(topic, loaded, "cy").split()) in text
        for heading in ("Ffynonellau", "Adolygwyd:", "Neidio i'r prif gynnwys", "Pob pwnc", "Cofrestr algorithmau"):
            assert heading in text, f"{topic.id}: {heading!r} missing"
        for related in topic.related:
            assert loaded.title(related, "cy") in text
    index = search_index(out / "cy")
    assert {entry["title"] for entry in index} == {loaded.title(t.id, "cy") for t in loaded.topics}
    purposes = parse(out / "cy" / "register" / "purposes.html").plain
    assert all(p.name_cy in purposes and p.retention_cy in purposes for p in loaded.council.purposes)
    assert all(lv.label_cy in purposes for p in loaded.council.purposes for lv in p.levels)
    assert "Cyngor yn Lloegr: mae'r atebion yn dilyn y gyfraith yn Lloegr." in purposes


def test_every_topic_has_a_page(site: tuple[Path, list[Path]], loaded: Content) -> None:
    out, written = site
    assert loaded.topics, "no topics to check"
    for topic in loaded.topics:
        page = out / "topics" / f"{topic.id}.html"
        assert page in written
        parsed = parse(page)
        h1s = [t for t, _ in parsed.tags if t == "h1"]
        assert len(h1s) == 1
        assert topic.title in parsed.plain
    pages = {p.stem for p in (out / "topics").glob("*.html")}
    assert pages == set(loaded.topic_ids)


def welsh(out: Path, page: Path) -> bool:
    return page.relative_to(out).parts[0] == "cy"


def test_every_page_is_well_formed_in_its_language_with_a_title(site: tuple[Path, list[Path]]) -> None:
    out, _ = site
    for page in html_pages(out):
        parsed = parse(page)
        assert not parsed.errors, f"{page}: {parsed.errors[:3]}"
        assert not parsed.stack, f"{page}: unclosed {parsed.stack}"
        assert parsed.lang == ("cy" if welsh(out, page) else "en-GB"), page
        assert any(t == "title" for t, _ in parsed.tags), page
        assert any(t == "meta" and a.get("name") == "viewport" for t, a in parsed.tags), page
        assert any(t == "main" for t, _ in parsed.tags), page


def test_every_internal_link_resolves(site: tuple[Path, list[Path]]) -> None:
    out, _ = site
    checked = 0
    for page in html_pages(out):
        parsed = parse(page)
        for link in parsed.links:
            if re.match(r"^(https?:|mailto:|tel:)", link):
                continue
            assert not re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I), f"{page}: unexpected scheme in {link}"
            assert not link.startswith("/"), f"{page}: absolute path {link} breaks a copied or printed site"
            target, _, fragment = link.partition("#")
            resolved = (page.parent / target).resolve() if target else page
            assert resolved.is_file(), f"{page.relative_to(out)} links to missing {link}"
            assert out.resolve() in resolved.parents, f"{page}: {link} leaves the site"
            if fragment:
                assert fragment in parse(resolved).ids, f"{page}: no id {fragment} in {target or 'itself'}"
            checked += 1
    assert checked > 100


def test_topic_pages_show_sources_reviewed_date_sms_related_and_examples(
    site: tuple[Path, list[Path]], loaded: Content
) -> None:
    out, _ = site
    for topic in loaded.topics:
        page = out / "topics" / f"{topic.id}.html"
        parsed = parse(page)
        text = parsed.plain
        for source in topic_sources(topic, loaded):
            assert str(source.url) in parsed.links, f"{topic.id}: source link {source.url} missing"
            assert " ".join(source.title.split()) in text
        assert f"Reviewed: {long_date(topic.reviewed)}" in text
        assert f'datetime="{topic.reviewed.isoformat()}"' in page.read_text(encoding="utf-8")
        assert " ".join(sms_text(topic, loaded).split()) in text
        for related in topic.related:
            assert f"../topics/{related}.html" in parsed.links
        for example in topic.examples:
            assert " ".join(example.split()) in text


def test_placeholders_are_filled_from_the_register(site: tuple[Path, list[Path]], loaded: Content) -> None:
    out, _ = site
    for page in html_pages(out):
        assert "{{" not in page.read_text(encoding="utf-8"), f"{page}: unfilled placeholder"
    companies = parse(out / "topics" / "private_companies.html").plain
    for processor in loaded.council.processors:
        assert processor.name in companies


def test_register_pages_list_every_purpose_processor_and_algorithm(
    site: tuple[Path, list[Path]], loaded: Content
) -> None:
    out, _ = site
    council = loaded.council
    purposes = parse(out / "register" / "purposes.html").plain
    for purpose in council.purposes:
        assert purpose.name in purposes
        assert purpose.lawful_basis in purposes
        assert purpose.retention in purposes
        for level in purpose.levels:
            assert level.label in purposes
        for item in purpose.data_held:
            assert item in purposes

    processors = parse(out / "register" / "processors.html").plain
    for p in council.processors:
        for value in (
            p.name,
            p.work,
            p.contract_purpose,
            p.risk_assessment,
            long_date(p.risk_assessment_date),
        ):
            assert value in processors, f"processor {p.id}: {value!r} missing"
        for item in p.data:
            assert item in processors

    algorithms_page = parse(out / "register" / "algorithms.html")
    algorithms = algorithms_page.plain
    for a in council.algorithms:
        for value in (a.name, a.owner, a.purpose, a.how_decisions_are_made, a.human_oversight, a.status):
            assert value in algorithms, f"algorithm {a.id}: {value!r} missing"
        for value in a.data_used + a.known_risks:
            assert value in algorithms
        assert a.accuracy.summary in algorithms
        assert long_date(a.accuracy.date) in algorithms
        for name, figure in a.accuracy.figures.items():
            assert str(figure) in algorithms, f"algorithm {a.id}: figure {name} missing"
        assert f"mailto:{a.contact}" in algorithms_page.links or a.contact in algorithms

    retention = parse(out / "register" / "retention.html").plain
    for r in council.retention:
        assert r.record in retention and r.period in retention

    organisations = parse(out / "register" / "organisations.html").plain
    for o in council.organisations:
        assert o.name in organisations


def test_index_groups_topics_by_theme_and_links_the_register(
    site: tuple[Path, list[Path]], loaded: Content
) -> None:
    out, _ = site
    parsed = parse(out / "index.html")
    used_themes = {t.theme for t in loaded.topics}
    for theme in used_themes:
        assert THEMES[theme] in parsed.plain
    for topic in loaded.topics:
        assert f"topics/{topic.id}.html" in parsed.links
    for name in ("purposes", "organisations", "retention", "processors", "algorithms"):
        assert f"register/{name}.html" in parsed.links
    assert "assets/search.js" in parsed.links
    assert not any(
        link.startswith(("http://", "https://", "//"))
        for t, a in parsed.tags
        if t in {"script", "link"}
        for link in [a.get("src") or a.get("href") or ""]
    ), "no CDN"


def search_index(out: Path) -> list[dict[str, str]]:
    page = (out / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="search-index">(.*?)</script>', page, re.S)
    assert match, "the search index is not embedded in index.html"
    return json.loads(match.group(1))


def test_search_index_contains_every_topic(site: tuple[Path, list[Path]], loaded: Content) -> None:
    out, _ = site
    index = search_index(out)
    assert sorted(entry["id"] for entry in index) == sorted(loaded.topic_ids)
    for entry in index:
        topic = loaded.topic(entry["id"])
        assert entry["title"] == topic.title
        assert (out / entry["url"]).is_file()
        assert search_key(topic.examples[0]) in entry["questions_key"]
        assert entry["title_key"] == search_key(topic.title)


def test_print_and_phone_styles(site: tuple[Path, list[Path]]) -> None:
    out, _ = site
    css = (out / "assets" / "reference.css").read_text(encoding="utf-8")
    print_block = css[css.index("@media print") :]
    assert ".site-nav" in print_block and ".search" in print_block and "display: none" in print_block
    assert 'content: " (" attr(href) ")"' in print_block
    assert "break-before: page" in print_block
    assert "@media (max-width" in css
    assert "http" not in css.replace('a[href^="http"]', ""), "no remote fonts or images"
    all_topics = parse(out / "all-topics.html")
    assert sum(1 for t, a in all_topics.tags if t == "article") == len(content().topics)


def test_build_is_deterministic_and_does_not_rewrite_unchanged_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    paths_a = build_reference(first)
    paths_b = build_reference(second)
    rel_a = [p.relative_to(first) for p in paths_a]
    assert rel_a == [p.relative_to(second) for p in paths_b]
    for rel in rel_a:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    mtimes = {p: p.stat().st_mtime_ns for p in paths_a}
    time.sleep(0.01)
    build_reference(first)
    assert {p: p.stat().st_mtime_ns for p in paths_a} == mtimes


def copy_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def test_every_page_shows_the_councils_nation(site: tuple[Path, list[Path]], tmp_path: Path) -> None:
    out, _ = site
    for page in html_pages(out):
        line = (
            "Cyngor yn Lloegr: mae'r atebion yn dilyn y gyfraith yn Lloegr."
            if welsh(out, page)
            else "Council in England: the answers follow the law in England."
        )
        assert line in parse(page).plain, page
    wales = tmp_path / "wales"
    build_reference(wales, load_content(council=CONTENT_DIR / "councils" / "wales-demo.yml"))
    for page in html_pages(wales):
        line = (
            "Cyngor yng Nghymru: mae'r atebion yn dilyn y gyfraith yng Nghymru."
            if welsh(wales, page)
            else "Council in Wales: the answers follow the law in Wales."
        )
        assert line in parse(page).plain, page
    welsh_topic = parse(wales / "topics" / "child_protection_exception.html")
    assert "https://www.legislation.gov.uk/anaw/2014/4/section/130" in welsh_topic.links
    assert not any("working-together-to-safeguard-children" in link for link in welsh_topic.links)


def test_a_removed_topic_loses_its_page(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    out = tmp_path / "site"
    build_reference(out, load_content(root))
    victim = "supporting_families"
    assert (out / "topics" / f"{victim}.html").is_file()
    assert (out / "cy" / "topics" / f"{victim}.html").is_file()
    (root / "topics" / f"{victim}.md").unlink()
    (root / "cy" / "topics" / f"{victim}.md").unlink()  # its Welsh page goes with it
    for path in (root / "topics").glob("*.md"):  # nothing may point at the removed topic any more
        text = path.read_text(encoding="utf-8")
        text = re.sub(rf"(related: \[[^\]]*?)\b{victim}\b,? ?", r"\1", text).replace(", ]", "]")
        path.write_text(text, encoding="utf-8")
    build_reference(out, load_content(root))
    assert not (out / "topics" / f"{victim}.html").exists()
    assert not (out / "cy" / "topics" / f"{victim}.html").exists()


HOSTILE_TITLE = '<script>alert("title")</script> & "quotes" ŵ ŷ 👪'


def test_everything_is_html_escaped(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    path = root / "topics" / "see_my_data.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r"^title: .*$", "title: " + json.dumps(HOSTILE_TITLE, ensure_ascii=False), text, count=1, flags=re.M
    )
    text = re.sub(
        r"^examples:\n",
        "examples:\n  - \"</script><script>alert('ex')</script>\"\n",
        text,
        count=1,
        flags=re.M,
    )
    body_at = text.index("\n---", 4) + len("\n---\n")
    text = (
        text[:body_at] + "<img src=x onerror=alert(1)> [bad](javascript:alert(2)) "
        '[ok](https://example.org/?a=1&b="2")\n\n' + text[body_at:]
    )
    path.write_text(text, encoding="utf-8")
    hostile = load_content(root)
    assert hostile.topic("see_my_data").title == HOSTILE_TITLE

    out = tmp_path / "site"
    build_reference(out, hostile)
    for page in html_pages(out):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page
        assert "<img" not in html, page
        assert "javascript:" not in html.lower() or "javascript:alert(2)" in parse(page).plain, page
        assert 'href="javascript' not in html.lower(), page
    topic_page = (out / "topics" / "see_my_data.html").read_text(encoding="utf-8")
    assert (
        "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; ŵ ŷ 👪" in topic_page
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in topic_page
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in topic_page
    index_html = (out / "index.html").read_text(encoding="utf-8")
    assert "</script><script>" not in index_html
    titles = {entry["id"]: entry["title"] for entry in search_index(out)}
    assert titles["see_my_data"] == HOSTILE_TITLE  # escaped in the page, intact once parsed


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Hello **world**", "<p>Hello <strong>world</strong></p>"),
        ("- one\n- **two**", "<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("**Heading**\ntext", "<h2>Heading</h2>\n<p>text</p>"),
        ("# Big\n## Small", "<h2>Big</h2>\n<h3>Small</h3>"),
        ("line one\nline two", "<p>line one<br>\nline two</p>"),
        ("[ICO](https://ico.org.uk/)", '<p><a href="https://ico.org.uk/">ICO</a></p>'),
        (
            "See **[bold](https://a.example/)**",
            '<p>See <strong><a href="https://a.example/">bold</a></strong></p>',
        ),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](data:text/html,hi)", "<p>[x](data:text/html,hi)</p>"),
        ("[x](//evil.example/)", "<p>[x](//evil.example/)</p>"),
        ("<b>not bold</b>", "<p>&lt;b&gt;not bold&lt;/b&gt;</p>"),
        ("Croeso ŵ ŷ 👍", "<p>Croeso ŵ ŷ 👍</p>"),
        ("bell\x07 and\x00 nul", "<p>bell and nul</p>"),
        ("", ""),
        ("** not closed", "<p>** not closed</p>"),
        ("- item\n  continued\nafter", "<ul>\n<li>item continued</li>\n</ul>\n<p>after</p>"),
    ],
)
def test_markdown_subset(markdown: str, expected: str) -> None:
    assert render_markdown(markdown) == expected


def test_markdown_renders_huge_and_nasty_input() -> None:
    # Completes (no catastrophic backtracking hang) and stays safe; speed is not asserted here.
    nasty = ("**[" * 5000) + ("a](" * 5000) + ("*" * 20000) + "\n- " * 5000
    out = render_markdown(nasty)
    assert "<script" not in out
    assert render_inline("a < b & c > d") == "a &lt; b &amp; c &gt; d"


def test_search_key_matches_what_parents_type() -> None:
    assert search_key("Preifat? Ŵyr ŷ — RISK-score!") == "preifat wyr y risk score"
