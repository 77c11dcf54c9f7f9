"""The crisis rules as data: word lists, spaCy Matcher patterns and the text-speak map, one folder per language.

Each folder (en/, cy/) may hold:
- words.yml: named word lists. `NAME: words` (several lines are fine, in a `|-` block), or `NAME:` with `words:`
  and `except:` (the first less the second). A word written in CAPITALS is the name of another list and stands for
  all its words, so a pattern or a list says AGENTS, not the 80 words of it. Names are shared by all folders.
- word_maps.yml: `NAME:` then `keys: words` lines: the words a key word needs near it (Python looks them up).
- text_speak.yml: `typed: normal` (one token, lower case, to the word the rules match on).
- harm.yml: the "who does what to whom" rules (bot/nlp/safety.py): `rule:` then a list of patterns.
- danger_now.yml: the everyday-words rules (bot/nlp/danger_now.py): `rule:` then `patterns:` and the settings of
  bot.nlp.danger_now.NowRule.

A pattern is a spaCy Matcher token pattern (https://spacy.io/usage/rule-based-matching) over NORM, in YAML flow
style: `[{NORM: {IN: AGENTS}}, {NORM: {IN: FILLER}, OP: "*"}, {NORM: hit}]`, where IN takes a list's name, words, or
`{words: ..., except: ...}`. Everything is checked on load; a mistake raises RulesError naming the file and line.
docs/safety.md ("How to change the rules") says how to add a phrase.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).resolve().parent
FIRST_LANGUAGE = "en"  # its rules are added to the Matcher first, then the other folders' in name order

END = "<end>"  # in a list of words: no word at all, i.e. the end of the message ("the word after must be one of")
_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_TEXT_ATTRS = frozenset({"NORM", "LOWER", "ORTH", "TEXT"})
_FLAG_ATTRS = frozenset({"LIKE_NUM", "IS_PUNCT", "IS_DIGIT", "IS_ALPHA", "IS_SPACE"})
_OPS = frozenset({"?", "*", "+", "!"})
_SET_KEYS = frozenset({"IN", "NOT_IN"})
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"

# The settings of a danger_now rule (bot.nlp.danger_now.NowRule), by the kind of value each takes
NOW_BOOLS = frozenset({"self_harm", "negation_is_danger", "context_outside", "not_writer", "needs_person",
                       "adult_agent", "everyone"})
NOW_WORDS = frozenset({"context", "next_ok", "next_not"})
NOW_TEXT = frozenset({"default_who"})
NOW_NAMES = frozenset({"extra"})


class RulesError(ValueError):
    """A mistake in a rules file: the message starts with the file and line."""


@dataclass(frozen=True)
class Where:
    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(RULES_DIR.parents[2])
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}"

    def error(self, message: str) -> RulesError:
        return RulesError(f"{self}: {message}")


class Words:
    """The word lists by name: `words.AGENTS` is a frozenset of NORM values; a word map (word_maps.yml) is a dict of
    word -> frozenset."""

    def __init__(self, lists: dict[str, frozenset[str] | dict[str, frozenset[str]]]) -> None:
        self._lists = lists

    def __getattr__(self, name: str):  # noqa: ANN204 - a frozenset, or a dict of them
        try:
            return self.__dict__["_lists"][name]
        except KeyError:
            raise AttributeError(f"no word list named {name} in {RULES_DIR}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._lists

    def names(self) -> list[str]:
        return sorted(self._lists)


@dataclass(frozen=True)
class Rule:
    name: str
    patterns: list[list[dict]]
    where: Where
    settings: dict = field(default_factory=dict)  # danger_now rules only


@dataclass(frozen=True)
class RuleSet:
    words: Words
    maps: dict[str, dict[str, frozenset[str]]]
    text_speak: dict[str, str]
    harm: list[Rule]
    danger_now: list[Rule]


# ------------------------------------------------------------------------------------------------------------------
# Reading YAML with line numbers
# ------------------------------------------------------------------------------------------------------------------

def _compose(path: Path) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Where(path, 1).error(f"cannot read the file ({exc})") from exc
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise Where(path, line).error(f"not valid YAML: {exc.problem or exc}") from exc


def _where(path: Path, node: yaml.Node) -> Where:
    return Where(path, node.start_mark.line + 1)


def _mapping(path: Path, node: yaml.Node | None, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise _where(path, node).error(f"expected {what} (name: value lines)")
    seen: set[str] = set()
    for key, _ in node.value:
        name = _text(path, key, "a name")
        if name in seen:
            raise _where(path, key).error(f"{name} is written twice")
        seen.add(name)
    return node.value


def _text(path: Path, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
        shown = getattr(node, "value", "")
        hint = f'; write it in quotes: "{shown}"' if isinstance(node, yaml.ScalarNode) else ""
        raise _where(path, node).error(f"expected {what}, found {shown!r}{hint}")
    return node.value


def _bool(path: Path, node: yaml.Node, what: str) -> bool:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in {"true", "yes", "on"}
    raise _where(path, node).error(f"{what} must be true or false")


# ------------------------------------------------------------------------------------------------------------------
# Word lists and the small set syntax
# ------------------------------------------------------------------------------------------------------------------

class _Lists:
    """Resolves `words` strings (with list names in CAPITALS) and `{words, except}` mappings to sets of words."""

    def __init__(self) -> None:
        self.raw: dict[str, tuple[Path, yaml.Node, yaml.Node]] = {}  # name -> (file, key node, value node)
        self.done: dict[str, frozenset[str]] = {}
        self._busy: list[str] = []

    def add(self, path: Path, key: yaml.Node, value: yaml.Node) -> None:
        name = _text(path, key, "a list name")
        if not _NAME.match(name):
            raise _where(path, key).error(f"a list name is written in CAPITALS (A-Z, 0-9, _): {name!r}")
        if name in self.raw:
            other = self.raw[name]
            raise _where(path, key).error(f"the list {name} is already defined at {_where(other[0], other[1])}")
        self.raw[name] = (path, key, value)

    def get(self, name: str, path: Path, node: yaml.Node) -> frozenset[str]:
        if name in self.done:
            return self.done[name]
        if name not in self.raw:
            raise _where(path, node).error(f"no word list named {name} (lists are defined in words.yml)")
        if name in self._busy:
            raise _where(path, node).error(f"the list {name} names itself: {' -> '.join([*self._busy, name])}")
        self._busy.append(name)
        list_path, _, value = self.raw[name]
        self.done[name] = self.spec(list_path, value)
        self._busy.pop()
        return self.done[name]

    def spec(self, path: Path, node: yaml.Node) -> frozenset[str]:
        """Words written as a string ("hit hits AGENTS"), a list of words, or {words: ..., except: ...}."""
        if isinstance(node, yaml.MappingNode):
            parts = dict((_text(path, k, "words or except"), v) for k, v in node.value)
            unknown = set(parts) - {"words", "except"}
            if unknown or "words" not in parts:
                raise _where(path, node).error("a computed list has `words:` and, if needed, `except:`; found "
                                               + ", ".join(sorted(parts)))
            minus = self.spec(path, parts["except"]) if "except" in parts else frozenset()
            return self.spec(path, parts["words"]) - minus
        if isinstance(node, yaml.SequenceNode):
            items = [_text(path, item, "a word") for item in node.value]
        else:
            items = _text(path, node, "words").split()
        words: set[str] = set()
        for item in items:
            if _NAME.match(item):
                words |= self.get(item, path, node)
            elif item == END:
                words.add("")
            elif item != item.lower():
                raise _where(path, node).error(f"{item!r}: words are in lower case; a list name is in CAPITALS")
            else:
                words.add(item)
        if not words and not items:
            raise _where(path, node).error("an empty list of words")
        return frozenset(words)


# ------------------------------------------------------------------------------------------------------------------
# Patterns
# ------------------------------------------------------------------------------------------------------------------

def _token(lists: _Lists, path: Path, node: yaml.Node) -> dict:
    if not isinstance(node, yaml.MappingNode):
        raise _where(path, node).error("a token is written {NORM: word} or {NORM: {IN: LIST}}, with OP if needed")
    token: dict = {}
    for key, value in node.value:
        attr = _text(path, key, "a token attribute")
        if attr == "OP":
            op = _text(path, value, "an OP")
            if op not in _OPS:
                raise _where(path, value).error(f'OP is one of "?", "*", "+", "!", not {op!r}')
            token["OP"] = op
        elif attr in _FLAG_ATTRS:
            token[attr] = _bool(path, value, attr)
        elif attr in _TEXT_ATTRS:
            if isinstance(value, yaml.MappingNode):
                inner = {}
                for k, v in value.value:
                    how = _text(path, k, "IN or NOT_IN")
                    if how not in _SET_KEYS:
                        raise _where(path, k).error(f"{attr} takes a word, {{IN: ...}} or {{NOT_IN: ...}}, not {how}")
                    inner[how] = sorted(lists.spec(path, v))
                token[attr] = inner
            else:
                token[attr] = _text(path, value, f"a word after {attr}")
        else:
            raise _where(path, key).error(f"unknown token attribute {attr!r} (known: "
                                          + ", ".join(sorted(_TEXT_ATTRS | _FLAG_ATTRS | {"OP"})) + ")")
    return token


def _patterns(lists: _Lists, path: Path, node: yaml.Node, rule: str) -> list[list[dict]]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise _where(path, node).error(f"{rule}: expected a list of patterns (- [token, token, ...])")
    patterns = []
    for pattern in node.value:
        if not isinstance(pattern, yaml.SequenceNode) or not pattern.value:
            raise _where(path, pattern).error(f"{rule}: a pattern is a list of tokens: [{{NORM: ...}}, ...]")
        tokens = [_token(lists, path, t) for t in pattern.value]
        if all(t.get("OP") in {"?", "*"} for t in tokens):
            raise _where(path, pattern).error(f"{rule}: a pattern needs at least one token without OP ? or *")
        patterns.append(tokens)
    return patterns


def _now_rule(lists: _Lists, path: Path, key: yaml.Node, node: yaml.Node) -> Rule:
    name = _text(path, key, "a rule name")
    settings: dict = {}
    patterns = None
    for k, v in _mapping(path, node, f"the rule {name}: patterns and settings"):
        setting = _text(path, k, "a setting")
        if setting == "patterns":
            patterns = _patterns(lists, path, v, name)
        elif setting in NOW_BOOLS:
            settings[setting] = _bool(path, v, setting)
        elif setting in NOW_WORDS:
            settings[setting] = lists.spec(path, v)
        elif setting in NOW_TEXT:
            settings[setting] = _text(path, v, setting)
        elif setting in NOW_NAMES:
            if not isinstance(v, yaml.SequenceNode):
                raise _where(path, v).error(f"{setting} is a list: [name, ...]")
            settings[setting] = tuple(_text(path, item, "a check's name") for item in v.value)
        else:
            known = ", ".join(sorted(NOW_BOOLS | NOW_WORDS | NOW_TEXT | NOW_NAMES | {"patterns"}))
            raise _where(path, k).error(f"{name}: unknown setting {setting!r} (known: {known})")
    if patterns is None:
        raise _where(path, key).error(f"the rule {name} has no patterns")
    return Rule(name, patterns, _where(path, key), settings)


# ------------------------------------------------------------------------------------------------------------------
# Loading a rules folder
# ------------------------------------------------------------------------------------------------------------------

def languages(root: Path) -> list[Path]:
    folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))),
                     key=lambda p: (p.name != FIRST_LANGUAGE, p.name))
    if not folders:
        raise RulesError(f"{root}: no language folders (en/, cy/, ...)")
    return folders


def load(root: Path = RULES_DIR) -> RuleSet:
    """Read and check every rules file under root. Raises RulesError naming the file and line of a mistake."""
    lists = _Lists()
    docs: dict[str, list[tuple[Path, yaml.Node | None]]] = {}
    for folder in languages(root):
        for name in ("words", "word_maps", "text_speak", "harm", "danger_now"):
            path = folder / f"{name}.yml"
            if path.is_file():
                docs.setdefault(name, []).append((path, _compose(path)))
        known = {"words.yml", "word_maps.yml", "text_speak.yml", "harm.yml", "danger_now.yml"}
        for path in sorted(folder.glob("*.y*ml")):
            if path.name not in known:
                raise Where(path, 1).error(f"unknown rules file (known: {', '.join(sorted(known))})")
    for path, node in docs.get("words", []):
        for key, value in _mapping(path, node, "named word lists"):
            lists.add(path, key, value)
    for name, (path, key, _) in list(lists.raw.items()):
        lists.get(name, path, key)

    maps: dict[str, dict[str, frozenset[str]]] = {}
    for path, node in docs.get("word_maps", []):
        for key, value in _mapping(path, node, "named word maps"):
            name = _text(path, key, "a map name")
            if name in maps or name in lists.raw:
                raise _where(path, key).error(f"{name} is already defined")
            maps[name] = {}
            for keys, words in _mapping(path, value, f"{name}: key words and their words"):
                found = lists.spec(path, words)
                for word in _text(path, keys, "key words").split():
                    maps[name][word] = found

    text_speak: dict[str, str] = {}
    for path, node in docs.get("text_speak", []):
        for key, value in _mapping(path, node, "typed: normal lines"):
            typed, normal = _text(path, key, "a typed word"), _text(path, value, "its normal form")
            if typed in text_speak:
                raise _where(path, key).error(f"{typed!r} is already in the text-speak map")
            if typed != typed.lower() or " " in typed:
                raise _where(path, key).error(f"{typed!r}: one token in lower case")
            text_speak[typed] = normal

    rules: dict[str, list[Rule]] = {"harm": [], "danger_now": []}
    names: dict[str, Where] = {}
    for family in rules:
        for path, node in docs.get(family, []):
            for key, value in _mapping(path, node, "rules: name, then its patterns"):
                name = _text(path, key, "a rule name")
                if name in names:
                    raise _where(path, key).error(f"the rule {name} is already defined at {names[name]}")
                if family == "harm":
                    rule = Rule(name, _patterns(lists, path, value, name), _where(path, key))
                else:
                    rule = _now_rule(lists, path, key, value)
                names[name] = rule.where
                rules[family].append(rule)
    return RuleSet(Words({**lists.done, **maps}), maps, text_speak, rules["harm"], rules["danger_now"])


@functools.cache
def rules() -> RuleSet:
    """The rules in this folder, read once."""
    return load()


def __getattr__(name: str) -> Words:
    """`from bot.nlp.rules import WORDS`: the word lists, read on first use (so `python -m bot.nlp.rules` can report a
    mistake itself). The crisis modules import it, so a mistake in a file stops the assistant starting."""
    if name == "WORDS":
        return rules().words
    raise AttributeError(name)
