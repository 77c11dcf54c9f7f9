"""Keyed messages: every sentence the assistant says outside a topic, in English and in Welsh.

The words live in content/messages/<lang>/<group>.yml. A key is `<group>.<name>`: `identity.failed` is the key
`failed` in content/messages/en/identity.yml (and its Welsh in content/messages/cy/identity.yml). Code refers to
keys only and calls `say(key, lang, channel, **params)`; a key named `utter_...` is also built into a Rasa response
of that name (bot/content/build.py), with its Welsh as a conditional variation on the `language` slot.

One message in the English file:

    confirm_objection:
      params: [purpose, due_date, child_protection]   # the values the code passes; English declares them
      text: You want to opt out of **{purpose}** ...   # everywhere, unless a channel has its own words
      short: ...                                       # SMS and WhatsApp (a phone screen; SMS segments cost)
      sms: ...                                         # SMS only, when it differs from WhatsApp
      whatsapp: ...                                    # WhatsApp only
      web: ...                                         # web chat and every other channel
      buttons: [[buttons.yes, /affirm]]                # a response's buttons: title key and payload
      send_alone: true                                 # a response whose SMS goes as its own text first

A message with only `text` can be written as a plain string. The Welsh file gives the same keys with the same word
fields (text / web / short / sms / whatsapp) and nothing else: the shape (params, buttons) is the English file's.

Two kinds of placeholder:
- `{name}`: a value the code passes (a reference, a date). Declared under `params`; `say()` refuses a missing or
  an undeclared value, and `check_calls()` (run by the build and the tests) reads every `say(...)` call in bot/
  and actions/ and fails when the values it passes are not exactly the ones the key declares.
- `{{name}}`: a register block or snippet filled from content/ (the council's phone, 999, the safeguarding line),
  as in topics (bot/content/render.py).
- `{{group.name}}`: the words of another key (without params) in the same language, for the same channel: a
  sentence several messages say ("Or say cancel to stop.", the 999 line) is written once.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.loader import REPO_ROOT, Content, ContentError, content
from bot.content.render import fill

MESSAGES_DIR = REPO_ROOT / "content" / "messages"
LANGUAGES = ("en", "cy")
SOURCE_LANGUAGE = "en"  # declares each key's shape; the other languages give its words
TEXT_CHANNELS = ("sms", "whatsapp")
WORD_FIELDS = ("text", "web", "short", "sms", "whatsapp")
SHAPE_FIELDS = ("params", "buttons", "send_alone")
RESPONSE_PREFIX = "utter_"
PARAM = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}(?!\})")
MESSAGE_REF = re.compile(r"\{\{\s*([a-z0-9_]+\.[a-z0-9_]+)\s*\}\}")  # {{common.or_cancel}}: another key's words
CODE_DIRS = ("bot", "actions")  # where check_calls() looks for say(...) calls
CALL_OPTIONS = ("lang", "channel", "content")  # say()'s own arguments, never message values


class MessageError(ContentError):
    """An unknown key, a missing or undeclared value, or a message file that does not fit the rules."""


@dataclass(frozen=True)
class Message:
    key: str
    where: str  # the English file, for error messages
    words: dict[str, dict[str, str]]  # language -> word field -> text
    params: tuple[str, ...] = ()
    buttons: tuple[tuple[str, str], ...] = ()  # (title key, payload)
    send_alone: bool = False

    @property
    def response(self) -> str | None:
        """The Rasa response this key is built into, or None."""
        name = self.key.split(".", 1)[1]
        return name if name.startswith(RESPONSE_PREFIX) else None

    def field_for(self, lang: str, channel: str) -> str:
        """Which word field a channel reads: sms -> sms, short or text; whatsapp -> whatsapp, short or text; any
        other channel (web chat, REST) -> web or text."""
        order = {"sms": ("sms", "short", "text"),
                 "whatsapp": ("whatsapp", "short", "text")}.get(channel, ("web", "text"))
        words = self.words[lang]
        return next(f for f in order if f in words)

    def template(self, lang: str, channel: str) -> str:
        return self.words[lang][self.field_for(lang, channel)]

    def refs(self) -> set[str]:
        return {key for texts in self.words.values() for text in texts.values() for key in MESSAGE_REF.findall(text)}

    def placeholders(self) -> set[str]:
        return {name for texts in self.words.values() for text in texts.values() for name in PARAM.findall(text)}


@dataclass(frozen=True)
class Messages:
    by_key: dict[str, Message] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Message:
        try:
            return self.by_key[key]
        except KeyError:
            raise MessageError(f"unknown message key {key!r}: add it to content/messages/en/"
                               f"{key.split('.', 1)[0]}.yml and content/messages/cy/") from None

    def __iter__(self) -> Iterator[Message]:
        return iter(self.by_key.values())

    def __len__(self) -> int:
        return len(self.by_key)


def _words(raw: Any, where: str, lang: str) -> dict[str, str]:
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict):
        raise MessageError(f"{where}: a message is a text or a mapping of {', '.join(WORD_FIELDS)}")
    allowed = WORD_FIELDS + (SHAPE_FIELDS if lang == SOURCE_LANGUAGE else ())
    unknown = set(raw) - set(allowed)
    if unknown:
        raise MessageError(f"{where}: unknown field(s) {sorted(unknown)}; allowed here: {', '.join(allowed)}")
    words = {f: raw[f] for f in WORD_FIELDS if f in raw}
    if "text" not in words:
        raise MessageError(f"{where}: field 'text' is missing (the words for every channel without its own)")
    for name, text in words.items():
        if not isinstance(text, str) or not text.strip():
            raise MessageError(f"{where}: field {name!r} must be a text")
    return {name: text.strip() for name, text in words.items()}


def _read(lang_dir: Path) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for path in sorted(lang_dir.glob("*.yml")):
        where = str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise MessageError(f"{where}: expected keys, each with its message")
        for name, raw in data.items():
            found[f"{path.stem}.{name}"] = (f"{where} {name}", raw)
    return found


def load_messages(root: Path = MESSAGES_DIR) -> Messages:
    """Every key in every language, checked: the same keys and word fields in each language, placeholders only
    from the declared params, every declared param used, responses without params, button titles known."""
    raw = {lang: _read(root / lang) for lang in LANGUAGES}
    source = raw[SOURCE_LANGUAGE]
    for lang in LANGUAGES:
        for key in sorted(set(source) ^ set(raw[lang])):
            missing_in = lang if key in source else SOURCE_LANGUAGE
            raise MessageError(f"message {key} is missing in content/messages/{missing_in}/ (every key is in "
                               f"{' and '.join(LANGUAGES)})")
    by_key: dict[str, Message] = {}
    for key, (where, shape) in source.items():
        words = {lang: _words(raw[lang][key][1], raw[lang][key][0], lang) for lang in LANGUAGES}
        for lang in LANGUAGES:
            if set(words[lang]) != set(words[SOURCE_LANGUAGE]):
                raise MessageError(f"{raw[lang][key][0]}: fields {sorted(words[lang])} differ from the English "
                                   f"{sorted(words[SOURCE_LANGUAGE])}")
        shape = shape if isinstance(shape, dict) else {}
        params = tuple(shape.get("params") or ())
        buttons = tuple((str(b[0]), str(b[1])) for b in shape.get("buttons") or ())
        message = Message(key, where, words, params, buttons, bool(shape.get("send_alone")))
        undeclared = message.placeholders() - set(params)
        if undeclared:
            raise MessageError(f"{where}: placeholder(s) {sorted(undeclared)} not declared under params")
        unused = set(params) - {n for t in words[SOURCE_LANGUAGE].values() for n in PARAM.findall(t)}
        if unused:
            raise MessageError(f"{where}: param(s) {sorted(unused)} declared but used in no English text")
        if message.response and params:
            raise MessageError(f"{where}: a response ({RESPONSE_PREFIX}...) cannot take params")
        by_key[key] = message
    messages = Messages(by_key)
    for message in messages:
        for ref in message.refs():
            if messages[ref].params:
                raise MessageError(f"{message.where}: {{{{{ref}}}}} takes params, so it cannot be used inside a text")
        for lang in LANGUAGES:
            for channel in ("web", *TEXT_CHANNELS):
                _expand(message.template(lang, channel), lang, channel, messages, (message.key,))
        for title, _payload in message.buttons:
            messages[title]  # noqa: B018 - raises on an unknown title key
    return messages


def _expand(text: str, lang: str, channel: str, known: Messages, inside: tuple[str, ...] = ()) -> str:
    """The text with each {{group.name}} replaced by that key's words (themselves expanded)."""
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in inside:
            raise MessageError(f"{inside[0]}: {{{{{key}}}}} includes itself")
        return _expand(known[key].template(lang, channel), lang, channel, known, (*inside, key))

    return MESSAGE_REF.sub(replace, text)


@functools.lru_cache(maxsize=4)
def messages(root: Path = MESSAGES_DIR) -> Messages:
    return load_messages(root)


def render(message: Message, lang: str, channel: str, params: dict[str, Any], content_: Content | None = None,
           known: Messages | None = None) -> str:
    """One message in a language for a channel: register blocks and snippets filled, then the code's values."""
    if lang not in LANGUAGES:
        raise MessageError(f"{message.key}: unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    extra = set(params) - set(message.params)
    if extra:
        raise MessageError(f"{message.key}: value(s) {sorted(extra)} not declared under params in {message.where}")
    missing = set(message.params) - set(params)
    if missing:
        raise MessageError(f"{message.key}: no value for {sorted(missing)}")
    text = _expand(message.template(lang, channel), lang, channel, known or messages(), (message.key,))
    if "{{" in text:  # register blocks and snippets: the content is loaded only for messages that use them
        text = fill(text, content_ or content(), f"{message.where} ({lang})",
                    channel="sms" if channel in TEXT_CHANNELS else "web", lang=lang)
    return PARAM.sub(lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), text)


def say(key: str, lang: str = "en", channel: str = "web", *, content: Content | None = None, **params: Any) -> str:
    """The words of `key` in `lang` for `channel` (sms, whatsapp, or anything else for the web form). `content`:
    the register and snippets to fill {{...}} from, when not the project's own (a test of a council in Wales)."""
    return render(messages()[key], lang, channel, params, content)


def variants(key: str, lang: str) -> list[str]:
    """Every form of a message with no values to pass (web, SMS, WhatsApp), to find it among what was said before."""
    return sorted({render(messages()[key], lang, channel, {}) for channel in ("web", *TEXT_CHANNELS)})


def buttons(pairs: Iterable[tuple[str, str]], lang: str = "en") -> list[dict[str, str]]:
    """Buttons from (title key, payload) pairs, the titles in `lang`."""
    return [{"title": render(messages()[title], lang, "web", {}), "payload": payload} for title, payload in pairs]


# --- the calls in the code match the declared params ------------------------------------------------------------


def _is_say(call: ast.Call) -> bool:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id == "say"
    return (isinstance(f, ast.Attribute) and f.attr == "say"
            and isinstance(f.value, ast.Name) and f.value.id == "messages")


def _call_problem(call: ast.Call, known: Messages) -> str | None:
    if any(k.arg is None for k in call.keywords):
        return "passes **values: name each value, so the call can be checked"
    if not call.args:
        return "has no key"
    passed = {k.arg for k in call.keywords} - set(CALL_OPTIONS)
    key = call.args[0]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        if key.value not in known.by_key:
            return f"key {key.value!r} is in no file under content/messages/en/"
        declared = set(known[key.value].params)
        if passed != declared:
            return f"key {key.value!r} declares {sorted(declared)}, the call passes {sorted(passed)}"
        return None
    if isinstance(key, ast.JoinedStr) and key.values and isinstance(key.values[0], ast.Constant):
        prefix = str(key.values[0].value)
        matching = [m for m in known if m.key.startswith(prefix)]
        if not matching:
            return f"no key starts with {prefix!r}"
        wrong = [m.key for m in matching if set(m.params) != passed]
        if wrong:
            return f"keys {wrong} do not declare exactly {sorted(passed)}"
        return None
    return "the key must be a literal or an f-string starting with a literal"


def check_calls(known: Messages | None = None, root: Path = REPO_ROOT) -> list[str]:
    """Every say(...) call in bot/ and actions/ whose key or values do not fit content/messages: one line each."""
    known = known or messages()
    problems = []
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _is_say(node):
                    problem = _call_problem(node, known)
                    if problem:
                        problems.append(f"{path.relative_to(root)}:{node.lineno}: say() {problem}")
    return problems
