"""Load and validate everything under content/.

A content error stops the build with a message naming the file and the field, e.g.
`content/topics/see_my_data.md: field 'reviewed': invalid date format`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.content.models import Council, Helplines, Topic

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO_ROOT / "content"


class ContentError(Exception):
    """A content file is wrong. The message names the file and the field."""


@dataclass(frozen=True)
class Content:
    topics: tuple[Topic, ...]
    council: Council
    helplines: Helplines

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    @property
    def topic_ids(self) -> list[str]:
        return [t.id for t in self.topics]

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


def load_topic(path: Path) -> Topic:
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
    try:
        topic = Topic(**data)
    except ValidationError as exc:
        raise _describe(exc, where) from exc
    except TypeError as exc:
        raise ContentError(f"{where}: {exc}") from exc
    if topic.id != path.stem:
        raise ContentError(f"{where}: field 'id': '{topic.id}' must match the file name '{path.stem}'")
    return topic


def _load_yaml_model(path: Path, model: type) -> object:
    where = _rel(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError) as exc:
        raise ContentError(f"{where}: cannot read it: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{where}: expected a mapping at the top level")
    try:
        return model(**data)
    except ValidationError as exc:
        raise _describe(exc, where) from exc


def load_content(root: Path = CONTENT_DIR) -> Content:
    """Load and cross-check all content. Raises ContentError naming every problem found."""
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
    council = helplines = None
    try:
        council = _load_yaml_model(root / "council.yml", Council)
    except ContentError as exc:
        errors.append(str(exc))
    try:
        helplines = _load_yaml_model(root / "helplines.yml", Helplines)
    except ContentError as exc:
        errors.append(str(exc))
    if not topics and not errors:
        errors.append(f"{_rel(root / 'topics')}: no topics found")
    if errors:
        raise ContentError("\n".join(errors))
    return Content(topics=tuple(topics), council=council, helplines=helplines)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=1)
def content() -> Content:
    """The project's content, loaded once per process."""
    return load_content()
