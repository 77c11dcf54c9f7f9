"""Turn content into the words the assistant sends: the web answer and the SMS answer of a topic,
the council register blocks that topic bodies pull in with placeholders such as {{processors}}, and the shared
snippets (content/snippets/<id>.md) pulled in the same way, e.g. {{safeguarding}}.

Text is first cut to the council's nation: a {{#wales}} ... {{/wales}} passage stays only for a council in Wales,
an {{#england}} one only for a council in England.

Every function takes `lang`: "en" (the English pages) or "cy" (the Welsh pages under content/cy/, with the Welsh
of the register's fields where it gives them, e.g. `name_cy`). A page with no Welsh yet is shown in English.
"""

from __future__ import annotations

import re

from bot.content.loader import Content, ContentError
from bot.content.models import NATION_SECTION, Council, Helpline, Section, Source, Topic, WelshSource, in_language

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")
CHANNELS = ("web", "sms")
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "cy": ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
           "Tachwedd", "Rhagfyr"),
}


def _check_lang(lang: str) -> str:
    if lang not in MONTHS:
        raise ValueError(f"lang must be one of {tuple(MONTHS)}")
    return lang


def _messages():  # noqa: ANN202
    """The keyed messages, for the words around the council's details (content/messages/<lang>/page.yml); imported
    when first needed, as the messages module fills its own {{blocks}} with this one."""
    from bot.content import messages

    return messages


def for_nation(text: str, nation: str) -> str:
    """The text a council in `nation` shows: its own nation's passages kept, other nations' passages dropped."""
    cut = NATION_SECTION.sub(lambda m: m.group(2) if m.group(1) == nation else "", text)
    cut = re.sub(r"[ \t]+\n", "\n", cut)
    cut = re.sub(r"\n{3,}", "\n\n", cut)
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", cut).strip()


def _contact(council: Council, lang: str) -> str:
    c = council.contact
    return _messages().say("page.contact", lang,
        name=in_language(c, "name", lang), phone=c.phone, hours=in_language(c, "hours", lang), email=c.email
    )


def _peer_support(council: Council, lang: str) -> str:
    p = council.peer_support
    return _messages().say("page.peer_support", lang,
        name=in_language(p, "name", lang), phone=p.phone, hours=in_language(p, "hours", lang), email=p.email
    )


def _processors(council: Council, lang: str) -> str:
    check = _messages().say("page.risk_check", lang)
    return "\n".join(
        f"- **{p.name}**: {in_language(p, 'work', lang)} {check} {in_language(p, 'risk_assessment', lang)}"
        for p in council.processors
    )


def _algorithms(council: Council, lang: str) -> str:
    lines = []
    for a in council.algorithms:
        date = f"{MONTHS[lang][a.accuracy.date.month - 1]} {a.accuracy.date.year}"
        lines.append(
            _messages().say("page.algorithm", lang,
                name=in_language(a, "name", lang),
                status=in_language(a, "status", lang),
                purpose=in_language(a, "purpose", lang),
                decides=in_language(a, "how_decisions_are_made", lang),
                by=in_language(a.accuracy, "by", lang),
                date=date,
                summary=in_language(a.accuracy, "summary", lang),
            )
        )
    return "\n".join(lines)


def _retention(council: Council, lang: str) -> str:
    return "\n".join(
        f"- {in_language(r, 'record', lang)}: {in_language(r, 'period', lang)}." for r in council.retention
    )


def _purposes(council: Council, lang: str) -> str:
    return "\n".join(
        f"- **{in_language(p, 'name', lang)}**: {in_language(p, 'plain', lang)}" for p in council.purposes
    )


def _organisations(council: Council, lang: str) -> str:
    return "\n".join(
        f"- **{in_language(o, 'name', lang)}**: {', '.join(o.shares_cy if lang == 'cy' and o.shares_cy else o.shares)}."
        for o in council.organisations
    )


def _helplines(helplines: list[Helpline], lang: str) -> str:
    return "\n".join(
        f"- {in_language(h, 'name', lang)}: {h.number}. {in_language(h, 'when', lang)}. {in_language(h, 'who', lang)}."
        for h in helplines
    )


def register_blocks(content: Content, lang: str = "en") -> dict[str, str]:
    council = content.council
    _check_lang(lang)
    return {
        "council_name": in_language(council, "name", lang),
        "chat_days": str(council.conversation_retention_days),
        "contact": _contact(council, lang),
        "peer_support": _peer_support(council, lang),
        "processors": _processors(council, lang),
        "algorithms": _algorithms(council, lang),
        "retention": _retention(council, lang),
        "purposes": _purposes(council, lang),
        "organisations": _organisations(council, lang),
        "helplines": _helplines(content.helplines_for(lang), lang),
        # one value each, for keyed messages (content/messages/) to build their own sentences around
        "council_short_name": in_language(council, "short_name", lang),
        "contact_name": in_language(council.contact, "name", lang),
        "contact_phone": council.contact.phone,
        "contact_hours": in_language(council.contact, "hours", lang),
        "contact_email": council.contact.email,
        "contact_web": str(council.contact.web),
        "peer_name": in_language(council.peer_support, "name", lang),
        "peer_phone": council.peer_support.phone,
        "peer_hours": in_language(council.peer_support, "hours", lang),
        "review_months": str(council.consent_review_months),
        **{h.id: h.number for h in content.helplines.helplines},  # {{emergency}}, {{nspcc}}, {{childline}}, ...
    }


def fill(
    text: str,
    content: Content,
    where: str = "",
    channel: str = "web",
    _inside: tuple[str, ...] = (),
    lang: str = "en",
) -> str:
    """The text for the council's nation with every {{placeholder}} filled: a register block, or a snippet (its
    body on the web, its short form on SMS and WhatsApp), in `lang`."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    blocks = register_blocks(content, lang)
    snippets: dict[str, object] = {s.id: s for s in content.snippets}
    if lang == "cy":
        snippets.update(content.snippets_cy)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in blocks:
            return blocks[name]
        if name in snippets:
            if name in _inside:
                raise ContentError(f"{where}: snippet {{{{{name}}}}} includes itself")
            snippet = snippets[name]
            return fill(
                snippet.body if channel == "web" else snippet.sms,  # type: ignore[attr-defined]
                content,
                f"content/{'cy/' if name in content.snippets_cy and lang == 'cy' else ''}snippets/{name}.md",
                channel,
                (*_inside, name),
                lang,
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


def topic_sources(topic: Topic, content: Content, lang: str = "en") -> list[Source]:
    """A topic's sources for the council's nation: its own first (the first is the SMS link), then those of the
    snippets it uses. Each URL once. In Welsh, a Welsh-language version of a source (listed by the Welsh page of the
    topic or of a snippet it uses) comes just before the English source it translates."""
    nation = content.nation
    sources = [s for s in topic.sources if s.nation in ("", nation)]
    welsh: list[WelshSource] = list(content.topics_cy[topic.id].sources) if topic.id in content.topics_cy else []
    for name in snippets_used(f"{topic.body}\n{topic.sms}", content):
        sources += [s for s in content.snippet(name).sources if s.nation in ("", nation)]
        if name in content.snippets_cy:
            welsh += content.snippets_cy[name].sources
    if lang == "cy":
        versions = {str(w.translates): w for w in welsh if w.nation in ("", nation)}
        sources = [v for s in sources for v in ((versions[str(s.url)], s) if str(s.url) in versions else (s,))]
    unique: dict[str, Source] = {}
    for source in sources:
        unique.setdefault(str(source.url), source)
    if not unique:
        raise ContentError(f"content/topics/{topic.id}.md: field 'sources': none for a council in {nation}")
    return list(unique.values())


def _page(topic: Topic, content: Content, lang: str) -> tuple[str, str, str]:
    """(sms, body, where) of a topic in `lang`: its Welsh page for "cy" where there is one, else the English."""
    _check_lang(lang)
    welsh = content.topics_cy.get(topic.id) if lang == "cy" else None
    if welsh is not None:
        return welsh.sms, welsh.body, f"content/cy/topics/{topic.id}.md"
    return topic.sms, topic.body, f"content/topics/{topic.id}.md"


def sms_text(topic: Topic, content: Content, lang: str = "en") -> str:
    """The short answer of a topic for the council's nation, placeholders filled, without its link."""
    sms, _, where = _page(topic, content, lang)
    return fill(sms, content, where, channel="sms", lang=lang)


def web_body(topic: Topic, content: Content, lang: str = "en") -> str:
    """The web answer's text without its sources: the body with register blocks and snippets filled in."""
    _, body, where = _page(topic, content, lang)
    return fill(body, content, where, lang=lang)


def web_answer(topic: Topic, content: Content, lang: str = "en") -> str:
    """The web chat answer: the body with register blocks and snippets filled in, then its sources as links."""
    return with_sources(web_body(topic, content, lang), topic, content, lang)


def with_sources(text: str, topic: Topic, content: Content, lang: str = "en") -> str:
    """A web answer from a topic page, then the page's sources as links: every answer says where it comes from."""
    sources = " · ".join(f"[{s.title}]({s.url})" for s in topic_sources(topic, content, lang))
    return f"{text}\n\n{_messages().say('page.source', lang)} {sources}"


SENTENCE_END = re.compile(r"[.!?][\"')\]’”]*$")  # a full stop, ! or ?, perhaps inside a closing quote or bracket


def end_sentence(text: str) -> str:
    """The text with a full stop at its end if it has none, so what follows it starts a new sentence."""
    text = text.rstrip()
    return text if not text or SENTENCE_END.search(text) else f"{text}."


def sms_answer(topic: Topic, content: Content, lang: str = "en") -> str:
    """The SMS / WhatsApp answer: the short answer, ended as a sentence, and one short link to its main source."""
    more = f"{_messages().say('page.more', lang)} {topic_sources(topic, content, lang)[0].url}"
    return f"{end_sentence(sms_text(topic, content, lang))} {more}"


def section_web_answer(topic: Topic, section: Section, content: Content) -> str:
    """The web answer to a question one section answers: that section under its question, then the page's sources."""
    return with_sources(fill(f"{section.heading}\n{section.body}", content, f"content/topics/{topic.id}.md"), topic,
                        content)


def section_sms_text(topic: Topic, section: Section, content: Content) -> str:
    """A section's short form for the council's nation, placeholders filled."""
    return fill(section.sms, content, f"content/topics/{topic.id}.md", channel="sms")


def section_sms_answer(topic: Topic, section: Section, content: Content) -> str:
    """The SMS / WhatsApp answer to a question one section answers: its short form with the page's main source, and
    how to get the rest."""
    more = _messages().say("channels.more_suffix", channel="sms")
    source = f"{_messages().say('page.more')} {topic_sources(topic, content)[0].url}"
    return f"{end_sentence(section_sms_text(topic, section, content))} {source}\n\n{more}"


def rest_web_answer(topic: Topic, shown: Section, content: Content) -> str:
    """What "more" shows after a section on the web: the page without that section, then its sources."""
    parts = [topic.short_answer] + [f"{s.heading}\n{s.body}" for s in topic.sections if s.id != shown.id]
    return with_sources(fill("\n\n".join(parts), content, f"content/topics/{topic.id}.md"), topic, content)


def rest_sms_answer(topic: Topic, shown: Section, content: Content) -> str:
    """What "more" sends after a section on SMS and WhatsApp: the page's short answer, the other sections' short
    forms, and the link. It may run past one reply's segments; the SMS channel keeps the rest for the next MORE."""
    parts = [sms_text(topic, content)] + [section_sms_text(topic, s, content) for s in topic.sections
                                           if s.id != shown.id]
    return f"{end_sentence(' '.join(parts))} {_messages().say('page.more')} {topic_sources(topic, content)[0].url}"
