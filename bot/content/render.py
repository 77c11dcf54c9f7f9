"""Turn content into the words the assistant sends: the web answer and the SMS answer of a topic,
and the council register blocks that topic bodies pull in with placeholders such as {{processors}}.
"""

from __future__ import annotations

import re

from bot.content.loader import Content, ContentError
from bot.content.models import Council, Helplines, Topic

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


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


def _helplines(helplines: Helplines) -> str:
    return "\n".join(f"- {h.name}: {h.number}. {h.when}. {h.who}." for h in helplines.helplines)


def register_blocks(content: Content) -> dict[str, str]:
    council = content.council
    return {
        "council_name": council.name,
        "contact": _contact(council),
        "peer_support": _peer_support(council),
        "processors": _processors(council),
        "algorithms": _algorithms(council),
        "retention": _retention(council),
        "purposes": _purposes(council),
        "organisations": _organisations(council),
        "helplines": _helplines(content.helplines),
        "emergency": content.helpline("emergency"),
    }


def fill(text: str, content: Content, where: str = "") -> str:
    blocks = register_blocks(content)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in blocks:
            raise ContentError(f"{where}: unknown placeholder {{{{{name}}}}}; known: {', '.join(sorted(blocks))}")
        return blocks[name]

    return PLACEHOLDER.sub(replace, text)


def web_answer(topic: Topic, content: Content) -> str:
    """The web chat answer: the body with register blocks filled in, then its sources as links."""
    body = fill(topic.body, content, f"content/topics/{topic.id}.md")
    sources = " · ".join(f"[{s.title}]({s.url})" for s in topic.sources)
    return f"{body}\n\nSource: {sources}"


def sms_answer(topic: Topic, content: Content) -> str:
    """The SMS / WhatsApp answer: the short answer and one short link to its main source."""
    text = fill(topic.sms, content, f"content/topics/{topic.id}.md")
    return f"{text} More: {topic.primary_source.url}"
