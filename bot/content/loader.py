"""Load and validate everything under content/.

A content error stops the build with a message naming the file and the field, e.g.
`content/topics/see_my_data.md: field 'reviewed': invalid date format`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.content.models import (
    ENGLAND_ONLY,
    NATION_SECTION,
    NATIONS,
    Council,
    Helpline,
    Helplines,
    Snippet,
    Topic,
    WelshPage,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO_ROOT / "content"
# Which council register to use: a path (absolute, or relative to the repo root) to a register file, e.g.
# content/councils/wales-demo.yml. Unset: content/council.yml.
COUNCIL_ENV = "PDA_COUNCIL"
# The Welsh pages mirror the English ones under content/cy/: cy/topics/<id>.md and cy/snippets/<id>.md.
WELSH_DIR = "cy"
LANGUAGES = ("en", "cy")
# What a Welsh page must keep of its English page: every {{placeholder}} and nation passage marker.
TEMPLATE_TOKEN = re.compile(r"\{\{\s*[#/]?[a-z_]+\s*\}\}")


class ContentError(Exception):
    """A content file is wrong. The message names the file and the field."""


@dataclass(frozen=True)
class Content:
    topics: tuple[Topic, ...]
    council: Council
    helplines: Helplines
    snippets: tuple[Snippet, ...] = ()
    # The Welsh pages by id (content/cy/); an English page without one is shown in English.
    topics_cy: Mapping[str, WelshPage] = dataclasses.field(default_factory=dict)
    snippets_cy: Mapping[str, WelshPage] = dataclasses.field(default_factory=dict)

    @property
    def nation(self) -> str:
        return self.council.nation

    def topics_in(self, lang: str) -> dict[str, object]:
        """The pages written in `lang`, by topic id (English: every topic)."""
        return {t.id: t for t in self.topics} if lang == "en" else dict(self.topics_cy) if lang == "cy" else {}

    def title(self, topic_id: str, lang: str = "en") -> str:
        """A topic's title in `lang` (its Welsh page's title for "cy", where there is one)."""
        welsh = self.topics_cy.get(topic_id) if lang == "cy" else None
        return welsh.title if welsh is not None else self.topic(topic_id).title

    def snippet(self, snippet_id: str) -> Snippet:
        for snippet in self.snippets:
            if snippet.id == snippet_id:
                return snippet
        raise KeyError(snippet_id)

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    @property
    def topic_ids(self) -> list[str]:
        return [t.id for t in self.topics]

    def helplines_for(self, language: str = "en") -> list[Helpline]:
        """The helplines for this council's parents: every UK-wide one, and those of its nation. A Welsh conversation
        also gets those of Wales (Meic), wherever the council is."""
        nations = {"", self.nation} | ({"wales"} if language == "cy" else set())
        return [h for h in self.helplines.helplines if h.nation in nations]

    def helpline(self, helpline_id: str) -> str:
        for helpline in self.helplines.helplines:
            if helpline.id == helpline_id:
                return helpline.number
        raise KeyError(helpline_id)


def _describe(error: ValidationError, where: str) -> ContentError:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        problems.append(f"{where}: field '{field}': {item['msg']}")
    return ContentError("\n".join(problems))


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


class _TextDatesLoader(yaml.SafeLoader):
    """YAML without its own date parsing: dates stay text, so pydantic checks them and names the field."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_front_matter(path: Path, model: type, id_from_name: bool = False) -> object:
    """A markdown file with YAML front matter -> the model, with the text under the front matter as `body`.
    id_from_name: the file name is the id (a Welsh page, which holds only what differs from its English page)."""
    where = _rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{where}: cannot read it as UTF-8 text: {exc}") from exc
    match = FRONT_MATTER.match(text)
    if match is None:
        raise ContentError(f"{where}: no front matter: the file must start with a '---' line and close it with '---'")
    try:
        metadata = yaml.load(match.group(1), Loader=_TextDatesLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ContentError(f"{where}: the front matter is not valid YAML: {exc}") from exc
    if not isinstance(metadata, dict):
        raise ContentError(f"{where}: the front matter must be a set of fields (name: value)")
    data = dict(metadata)
    data["body"] = match.group(2)
    if id_from_name:
        data.setdefault("id", path.stem)
    try:
        loaded = model(**data)
    except ValidationError as exc:
        raise _describe(exc, where) from exc
    except TypeError as exc:
        raise ContentError(f"{where}: {exc}") from exc
    if loaded.id != path.stem:
        raise ContentError(f"{where}: field 'id': '{loaded.id}' must match the file name '{path.stem}'")
    return loaded


def load_topic(path: Path) -> Topic:
    return _load_front_matter(path, Topic)  # type: ignore[return-value]


def load_snippet(path: Path) -> Snippet:
    return _load_front_matter(path, Snippet)  # type: ignore[return-value]


def load_welsh_page(path: Path) -> WelshPage:
    return _load_front_matter(path, WelshPage, id_from_name=True)  # type: ignore[return-value]


def template_tokens(text: str) -> list[str]:
    """The placeholders and nation markers of a text, sorted, spaces removed: equal for a page and its translation."""
    return sorted(token.replace(" ", "") for token in TEMPLATE_TOKEN.findall(text))


def _load_welsh(
    root: Path, english: Mapping[str, Topic | Snippet], kind: str
) -> tuple[dict[str, WelshPage], list[str]]:
    """The Welsh pages of one kind ("topics" or "snippets"): each must have an English page of the same id and keep
    its placeholders and nation passages; a topic's needs a title, a snippet's has none."""
    pages: dict[str, WelshPage] = {}
    errors: list[str] = []
    for path in sorted((root / WELSH_DIR / kind).glob("*.md")):
        where = _rel(path)
        try:
            page = load_welsh_page(path)
        except ContentError as exc:
            errors.append(str(exc))
            continue
        source = english.get(page.id)
        if source is None:
            errors.append(f"{where}: field 'id': no English page content/{kind}/{page.id}.md for it to translate")
            continue
        if kind == "topics" and not page.title:
            errors.append(f"{where}: field 'title': missing (the Welsh title of the topic)")
        if kind == "snippets" and page.title:
            errors.append(f"{where}: field 'title': a snippet has no title")
        for name in ("sms", "body"):
            want, got = template_tokens(getattr(source, name)), template_tokens(getattr(page, name))
            if want != got:
                errors.append(
                    f"{where}: field '{name}': placeholders {' '.join(got) or '(none)'} differ from the English "
                    f"page's {' '.join(want) or '(none)'}"
                )
        english_urls = {str(s.url) for s in source.sources}
        for welsh_source in page.sources:
            if str(welsh_source.translates) not in english_urls:
                errors.append(
                    f"{where}: field 'sources': '{welsh_source.translates}' (translates) is not a source of "
                    f"content/{kind}/{page.id}.md"
                )
        pages[page.id] = page
    return pages, errors


def _read_mapping(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """A YAML mapping. `based_on: other.yml` (relative to this file) starts from that file's fields; the fields
    given here replace the base's whole (a demo register that differs from another in a few fields)."""
    where = _rel(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError) as exc:
        raise ContentError(f"{where}: cannot read it: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{where}: expected a mapping at the top level")
    base = data.pop("based_on", None)
    if base is None:
        return data
    base_path = (path.parent / str(base)).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ContentError(f"{where}: field 'based_on': '{base}' leads back to itself")
    return {**_read_mapping(base_path, (*seen, path.resolve())), **data}


def _load_yaml_model(path: Path, model: type) -> object:
    where = _rel(path)
    data = _read_mapping(path)
    try:
        return model(**data)
    except ValidationError as exc:
        raise _describe(exc, where) from exc


def _nation_problems(topic: Topic, where: str, nation: str) -> list[str]:
    """A topic for a council in Wales may name an England-only scheme only with a Wales passage beside it."""
    if nation != "wales":
        return []
    problems = []
    for field, text in (("body", f"{topic.title}\n{topic.body}"), ("sms", topic.sms)):
        has_wales = any(n == "wales" for n, _ in NATION_SECTION.findall(text))
        common = NATION_SECTION.sub("", text)
        for scheme, pattern in ENGLAND_ONLY.items():
            if pattern.search(common) and not has_wales:
                problems.append(
                    f"{where}: field '{field}': names {scheme}, which is England only, with no Wales passage "
                    f"({{{{#wales}}}} ... {{{{/wales}}}}) and this council is in {NATIONS[nation]}"
                )
    return problems


def council_file(root: Path = CONTENT_DIR) -> Path:
    """The register to load: $PDA_COUNCIL if set (relative to the repo root), else <root>/council.yml."""
    chosen = os.environ.get(COUNCIL_ENV, "").strip()
    if not chosen:
        return root / "council.yml"
    path = Path(chosen)
    return path if path.is_absolute() else REPO_ROOT / path


def load_content(root: Path = CONTENT_DIR, council: Path | None = None) -> Content:
    """Load and cross-check all content. Raises ContentError naming every problem found.

    `council` is the register file (default: <root>/council.yml); its `nation` picks the nation passages and
    sources, and a topic that names an England-only scheme without a Wales passage is refused for Wales."""
    topics: list[Topic] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    broken: set[str] = set()  # files that failed to load: links to them are not reported again
    for path in sorted((root / "topics").glob("*.md")):
        try:
            topic = load_topic(path)
        except ContentError as exc:
            errors.append(str(exc))
            broken.add(path.stem)
            continue
        if topic.id in seen:
            errors.append(f"{_rel(path)}: field 'id': duplicate id '{topic.id}' (also in {seen[topic.id]})")
            continue
        seen[topic.id] = _rel(path)
        topics.append(topic)
    for topic in topics:
        for related in topic.related:
            if related not in seen and related not in broken:
                errors.append(f"{seen[topic.id]}: field 'related': unknown topic '{related}'")
    snippets: list[Snippet] = []
    for path in sorted((root / "snippets").glob("*.md")):
        try:
            snippets.append(load_snippet(path))
        except ContentError as exc:
            errors.append(str(exc))
    topics_cy, welsh_errors = _load_welsh(root, {t.id: t for t in topics}, "topics")
    errors += welsh_errors
    snippets_cy, welsh_errors = _load_welsh(root, {s.id: s for s in snippets}, "snippets")
    errors += welsh_errors
    register = helplines = None
    try:
        register = _load_yaml_model(council or root / "council.yml", Council)
    except ContentError as exc:
        errors.append(str(exc))
    if isinstance(register, Council):
        for topic in topics:
            errors.extend(_nation_problems(topic, seen[topic.id], register.nation))
    try:
        helplines = _load_yaml_model(root / "helplines.yml", Helplines)
    except ContentError as exc:
        errors.append(str(exc))
    if not topics and not errors:
        errors.append(f"{_rel(root / 'topics')}: no topics found")
    if errors:
        raise ContentError("\n".join(errors))
    return Content(
        topics=tuple(topics),
        council=register,  # type: ignore[arg-type]
        helplines=helplines,  # type: ignore[arg-type]
        snippets=tuple(snippets),
        topics_cy=topics_cy,
        snippets_cy=snippets_cy,
    )


@functools.lru_cache(maxsize=1)
def content() -> Content:
    """The project's content, loaded once per process, with the register $PDA_COUNCIL names (default council.yml)."""
    return load_content(council=council_file())
