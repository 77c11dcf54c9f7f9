"""Turn content into the words the assistant sends: the web answer and the SMS answer of a topic,
the council register blocks that topic bodies pull in with placeholders such as {{processors}}, and the shared
snippets (content/snippets/<id>.md) pulled in the same way, e.g. {{safeguarding}}.

Text is first cut to the council's nation: a {{#wales}} ... {{/wales}} passage stays only for a council in Wales,
an {{#england}} one only for a council in England.
"""

from __future__ import annotations

import re

from bot.content.loader import Content, ContentError
from bot.content.models import NATION_SECTION, Council, Helpline, Source, Topic

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
CHANNELS = ("web", "sms")


def for_nation(text: str, nation: str) -> str:
    """The text a council in `nation` shows: its own nation's passages kept, other nations' passages dropped."""
    cut = NATION_SECTION.sub(lambda m: m.group(2) if m.group(1) == nation else "", text)
    cut = re.sub(r"[ \t]+\n", "\n", cut)
    cut = re.sub(r"\n{3,}", "\n\n", cut)
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", cut).strip()


def _contact(council: Council) -> str:
    c = council.contact
    return f"Call {c.name} on {c.phone} ({c.hours}), or email {c.email}."


def _peer_support(council: Council) -> str:
    p = council.peer_support
    return f"{p.name}: call {p.phone} ({p.hours}), or email {p.email}."


def _processors(council: Council) -> str:
    lines = []
    for p in council.processors:
        lines.append(f"- **{p.name}**: {p.work} Risk check: {p.risk_assessment}")
    return "\n".join(lines)


def _algorithms(council: Council) -> str:
    lines = []
    for a in council.algorithms:
        lines.append(
            f"- **{a.name}** ({a.status}). {a.purpose} Who decides: {a.how_decisions_are_made} "
            f"Checked by {a.accuracy.by} in {a.accuracy.date:%B %Y}: {a.accuracy.summary}"
        )
    return "\n".join(lines)


def _retention(council: Council) -> str:
    return "\n".join(f"- {r.record}: {r.period}." for r in council.retention)


def _purposes(council: Council) -> str:
    return "\n".join(f"- **{p.name}**: {p.plain}" for p in council.purposes)


def _organisations(council: Council) -> str:
    return "\n".join(f"- **{o.name}**: {', '.join(o.shares)}." for o in council.organisations)


def _helplines(helplines: list[Helpline]) -> str:
    return "\n".join(f"- {h.name}: {h.number}. {h.when}. {h.who}." for h in helplines)


def register_blocks(content: Content) -> dict[str, str]:
    council = content.council
    return {
        "council_name": council.name,
        "chat_days": str(council.conversation_retention_days),
        "contact": _contact(council),
        "peer_support": _peer_support(council),
        "processors": _processors(council),
        "algorithms": _algorithms(council),
        "retention": _retention(council),
        "purposes": _purposes(council),
        "organisations": _organisations(council),
        "helplines": _helplines(content.helplines_for()),
        "emergency": content.helpline("emergency"),
    }


def fill(text: str, content: Content, where: str = "", channel: str = "web", _inside: tuple[str, ...] = ()) -> str:
    """The text for the council's nation with every {{placeholder}} filled: a register block, or a snippet (its
    body on the web, its short form on SMS and WhatsApp)."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    blocks = register_blocks(content)
    snippets = {s.id: s for s in content.snippets}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in blocks:
            return blocks[name]
        if name in snippets:
            if name in _inside:
                raise ContentError(f"{where}: snippet {{{{{name}}}}} includes itself")
            snippet = snippets[name]
            return fill(
                snippet.body if channel == "web" else snippet.sms,
                content,
                f"content/snippets/{name}.md",
                channel,
                (*_inside, name),
            )
        known = ", ".join(sorted({*blocks, *snippets}))
        raise ContentError(f"{where}: unknown placeholder {{{{{name}}}}}; known: {known}")

    return PLACEHOLDER.sub(replace, for_nation(text, content.nation))


def snippets_used(text: str, content: Content) -> list[str]:
    """The snippets a text pulls in, directly or through another snippet, in order of first use."""
    known = {s.id: s for s in content.snippets}
    found: list[str] = []

    def walk(part: str) -> None:
        for name in PLACEHOLDER.findall(part):
            if name in known and name not in found:
                found.append(name)
                walk(f"{known[name].body}\n{known[name].sms}")

    walk(text)
    return found


def topic_sources(topic: Topic, content: Content) -> list[Source]:
    """A topic's sources for the council's nation: its own first (the first is the SMS link), then those of the
    snippets it uses. Each URL once."""
    nation = content.nation
    sources = [s for s in topic.sources if s.nation in ("", nation)]
    for name in snippets_used(f"{topic.body}\n{topic.sms}", content):
        sources += [s for s in content.snippet(name).sources if s.nation in ("", nation)]
    unique: dict[str, Source] = {}
    for source in sources:
        unique.setdefault(str(source.url), source)
    if not unique:
        raise ContentError(f"content/topics/{topic.id}.md: field 'sources': none for a council in {nation}")
    return list(unique.values())


def sms_text(topic: Topic, content: Content) -> str:
    """The short answer of a topic for the council's nation, placeholders filled, without its link."""
    return fill(topic.sms, content, f"content/topics/{topic.id}.md", channel="sms")


def web_answer(topic: Topic, content: Content) -> str:
    """The web chat answer: the body with register blocks and snippets filled in, then its sources as links."""
    body = fill(topic.body, content, f"content/topics/{topic.id}.md")
    sources = " · ".join(f"[{s.title}]({s.url})" for s in topic_sources(topic, content))
    return f"{body}\n\nSource: {sources}"


def sms_answer(topic: Topic, content: Content) -> str:
    """The SMS / WhatsApp answer: the short answer and one short link to its main source."""
    return f"{sms_text(topic, content)} More: {topic_sources(topic, content)[0].url}"
