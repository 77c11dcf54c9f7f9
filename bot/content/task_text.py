"""The sentences of the tasks (identity check, report, choices, opt-out, see my data, fix a mistake, reviews),
put together from the keyed messages in content/messages/<lang>/ (tasks.yml, identity.yml, status.yml,
data_map.yml, reviews.yml, requests.yml, dates.yml).

Only the logic lives here: which keys, in what order, with which values (lists, plurals, dates). No words: every
sentence is a key, so a Welsh conversation gets the same logic with the Welsh words. Pure functions of content and
plain values, so tests check every sentence for reading age and tone. Numbers and contacts come from
content/council.yml and content/helplines.yml through the messages' {{placeholders}}; a function given `content`
fills them from that content (a test's council in Wales), the others from the project's own.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.content.messages import say
from bot.content.models import Purpose

UK = ZoneInfo("Europe/London")
REQUEST_KINDS = ("objection", "access", "rectification", "consent")
STATUSES = ("received", "in_progress", "done", "refused")
TASKS = ("status", "consent", "objection", "access", "rectification", "request_status", "data_map", "reviews",
         "review")
REVIEW_CHANNELS = ("sms", "whatsapp")


def nice_date(value: dt.date | dt.datetime, lang: str = "en") -> str:
    """'3 April 2026'; a timestamp is shown as the date in the UK."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(UK)
    return say("dates.date", lang, day=value.day, month=say(f"dates.month_name_{value.month}", lang), year=value.year)


def nice_month(value: dt.date, lang: str = "en") -> str:
    """'April 2026'."""
    return say("dates.month_year", lang, month=say(f"dates.month_name_{value.month}", lang), year=value.year)


def request_name(kind: str, lang: str = "en") -> str:
    return say(f"requests.name_{kind if kind in REQUEST_KINDS else 'other'}", lang)


def status_name(status: str, lang: str = "en") -> str:
    return say(f"requests.status_{status}", lang) if status in STATUSES else status


def child_protection_line(content: Content, lang: str = "en") -> str:
    """When records are shared without asking (content/snippets/safeguarding.md, its short form) and free advice."""
    return say("tasks.child_protection", lang, channel="sms", content=content)


def identity_failed(lang: str = "en") -> str:
    return say("identity.failed", lang)


def identity_locked(content: Content, lang: str = "en") -> str:
    return say("identity.locked", lang, content=content)


def reference_not_recognised(content: Content, lang: str = "en") -> str:
    return say("identity.reference_not_recognised", lang, content=content)


def date_not_recognised(lang: str = "en") -> str:
    return say("identity.date_not_recognised", lang)


def task_intro(task: str | None, lang: str = "en") -> str:
    return say(f"tasks.intro_{task}", lang) if task in TASKS else ""


def identity_intro(task: str | None, lang: str = "en") -> str:
    """The first reply of a task that needs the identity check: which task, what it will ask, what happens after."""
    return f"{task_intro(task, lang)} {say('identity.check', lang)}".strip()


def verified(lang: str = "en") -> str:
    return say("identity.verified", lang)


def purpose_label(purpose: Purpose) -> str:
    return purpose.name


def choice_name(purpose: Purpose, choice: str, lang: str = "en") -> str:
    """The family's choice for a use, as words: a level's label (from the register) or included / asked to opt out."""
    levels = {level.id: level.label for level in purpose.levels}
    if choice in levels:
        return levels[choice]
    if choice in ("included", "objected"):
        return say(f"requests.choice_{choice}", lang)
    return choice


def status_summary(content: Content, choices: dict[str, str], lang: str = "en") -> str:
    """The report in a few lines for SMS and WhatsApp: each use and the family's choice."""
    lines = [say("status.summary_title", lang)]
    for purpose in content.council.purposes:
        choice = choice_name(purpose, choices.get(purpose.id, purpose.default), lang)
        lines.append(say("status.summary_line", lang, purpose=purpose.name, choice=choice))
    lines.append(say("tasks.safeguarding", lang, channel="sms", content=content))
    lines.append(say("status.summary_end", lang))
    return "\n".join(lines)


def status_report(content: Content, choices: dict[str, str], lang: str = "en") -> list[str]:
    """One short chunk per purpose: what is held, who uses it, why, for how long, and the family's choice."""
    chunks = [say("status.report_intro", lang)]
    orgs = {o.id: o.name for o in content.council.organisations}
    for purpose in content.council.purposes:
        choice = choices.get(purpose.id, purpose.default)
        chunks.append(say(
            "status.report_part", lang, purpose=purpose.name, why=purpose.plain, what=", ".join(purpose.data_held),
            who=", ".join(orgs.get(o, o) for o in purpose.organisations), how_long=purpose.retention,
            choice=choice_name(purpose, choice, lang),
        ))
    chunks.append(child_protection_line(content, lang))
    chunks.append(say("status.report_end", lang))
    return chunks


def ask_purpose(task: str, lang: str = "en") -> str:
    if task == "consent":
        return say("tasks.ask_purpose_consent", lang)
    return say("tasks.ask_purpose_objection", lang)


def purpose_not_recognised(lang: str = "en") -> str:
    return say("tasks.purpose_not_recognised", lang)


def no_choice_offered(purpose: Purpose, content: Content, lang: str = "en") -> str:
    return say("tasks.no_choice_offered", lang, content=content, purpose=purpose.name)


def ask_level(purpose: Purpose, lang: str = "en") -> str:
    lines = [say("tasks.ask_level", lang, purpose=purpose.name)]
    lines += [say("tasks.level_line", lang, label=level.label, description=level.description)
              for level in purpose.levels]
    return "\n".join(lines)


def level_not_recognised(lang: str = "en") -> str:
    return say("tasks.level_not_recognised", lang)


def confirm_objection(purpose: Purpose, content: Content, due: dt.date, lang: str = "en") -> str:
    return say("tasks.confirm_objection", lang, purpose=purpose.name, due_date=nice_date(due, lang),
               child_protection=child_protection_line(content, lang))


def confirm_level(purpose: Purpose, level_label: str, content: Content, lang: str = "en") -> str:
    return say("tasks.confirm_level", lang, level=level_label, purpose=purpose.name,
               child_protection=child_protection_line(content, lang))


def confirm_access(due: dt.date, lang: str = "en") -> str:
    return say("tasks.confirm_access", lang, due_date=nice_date(due, lang))


def confirm_error(what: str, where: str, should: str, lang: str = "en") -> str:
    return say("tasks.confirm_error", lang, what=what, where=where, should=should)


def free_text_empty(lang: str = "en") -> str:
    return say("tasks.free_text_empty", lang)


def not_sent(lang: str = "en") -> str:
    return say("tasks.not_sent", lang)


def request_done(kind: str, reference: str, due: dt.date | None, lang: str = "en") -> str:
    lines = [say("tasks.done_sent", lang, request=request_name(kind, lang)),
             say("tasks.your_reference", lang, reference=reference)]
    if kind == "consent":
        lines.append(say("tasks.consent_saved", lang))
    elif due is not None:
        lines.append(say("tasks.reply_by", lang, due_date=nice_date(due, lang)))
    lines.append(say("tasks.ask_where", lang))
    return "\n".join(lines)


def already_objected(purpose: Purpose, reference: str, sent: dt.datetime, due: dt.datetime, overdue: bool,
                     content: Content, lang: str = "en") -> str:
    """Instead of a second objection: the one already sent, when, its reference and what to do now."""
    lines = [say("tasks.already_objected", lang, purpose=purpose.name, sent_date=nice_date(sent, lang),
                 reference=reference)]
    if overdue:
        lines.append(say("tasks.overdue", lang, content=content, due_date=nice_date(due, lang)))
    else:
        lines.append(say("tasks.reply_by", lang, due_date=nice_date(due, lang)))
    lines.append(say("tasks.ask_where", lang))
    return "\n".join(lines)


def request_status(kind: str, reference: str, status: str, due: dt.date, history: list[tuple],
                   lang: str = "en") -> str:
    lines = [
        say("tasks.request_status", lang, request=request_name(kind, lang), reference=reference,
            status=status_name(status, lang)),
        say("tasks.reply_by", lang, due_date=nice_date(due, lang)),
    ]
    for when, what in history:
        lines.append(say("tasks.history_line", lang, date=nice_date(when, lang), status=status_name(what, lang)))
    return "\n".join(lines)


def request_not_found(lang: str = "en") -> str:
    return say("tasks.request_not_found", lang)


def talk_to_person(content: Content, lang: str = "en") -> str:
    return say("tasks.talk_to_person", lang, content=content)


def match_option(text: str, options: dict[str, list[str]]) -> str | None:
    """Match what a parent typed (an id, a number, a name or a key word) to one option id."""
    said = re.sub(r"[^a-z0-9 ]", " ", (text or "").lower()).split()
    if not said:
        return None
    joined = "_".join(said)
    ids = list(options)
    if joined in options:
        return joined
    if len(said) == 1 and said[0].isdigit() and 1 <= int(said[0]) <= len(ids):
        return ids[int(said[0]) - 1]
    scores = {}
    for option_id, words in options.items():
        keys = {w.lower() for w in words}
        scores[option_id] = sum(1 for w in said if w in keys)
    best = max(scores.values())
    winners = [k for k, v in scores.items() if v == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


# --- the family's data map (bot.records.holdings) -------------------------------------------------------------


def _held_for(content: Content, retention_id: str, lang: str) -> str:
    entry = content.council.retention_entry(retention_id)
    return entry.period if entry is not None else say("data_map.kept_default", lang)


def _used_by(content: Content, holding, lang: str) -> list[str]:  # type: ignore[no-untyped-def]
    algorithms = {a.id: a.name for a in content.council.algorithms}
    orgs = {o.id: o.name for o in content.council.organisations}
    used = [say("data_map.tool", lang, name=algorithms.get(a.id, a.id), date=nice_date(a.last_run, lang))
            for a in holding.algorithms]
    return used + [orgs.get(o, o) for o in holding.organisations]


def _uses(content: Content, holding, choices: dict[str, str], lang: str) -> list[str]:  # type: ignore[no-untyped-def]
    purposes = {p.id: p for p in content.council.purposes}
    lines = []
    for purpose_id in holding.purposes:
        purpose = purposes.get(purpose_id)
        if purpose is not None:
            choice = choice_name(purpose, choices.get(purpose.id, purpose.default), lang)
            lines.append(say("data_map.use", lang, purpose=purpose.name, choice=choice))
    return lines


def data_map(content: Content, holdings, choices: dict[str, str],  # type: ignore[no-untyped-def]
             lang: str = "en") -> list[str]:
    """The data map for web chat: one short part per system (what, since, kept, linked into, used by, the uses
    and the family's choice for each), after a line that says what this is."""
    if not holdings:
        return [no_holdings(content, lang)]
    intro = (say("data_map.intro_one", lang) if len(holdings) == 1
             else say("data_map.intro_many", lang, count=len(holdings)))
    chunks = [intro]
    for h in holdings:
        lines = [
            say("data_map.system", lang, system=h.system),
            say("data_map.what", lang, kinds=", ".join(h.record_kinds)),
            say("data_map.since", lang, date=nice_date(h.held_since, lang)),
            say("data_map.kept", lang, period=_held_for(content, h.retention_id, lang)),
        ]
        if h.linked_into:
            lines.append(say("data_map.linked", lang, systems=", ".join(h.linked_into)))
        used = _used_by(content, h, lang)
        if used:
            lines.append(say("data_map.used_by", lang))
            lines += [say("data_map.list_line", lang, item=user) for user in used]
        lines.append(say("data_map.uses", lang))
        lines += [say("data_map.list_line", lang, item=line) for line in _uses(content, h, choices, lang)]
        chunks.append("\n".join(lines))
    chunks.append(say("data_map.end", lang))
    return chunks


def data_map_summary(content: Content, holdings, choices: dict[str, str],  # type: ignore[no-untyped-def]
                     detail: bool = True, lang: str = "en") -> str:
    """The data map for SMS and WhatsApp: a short summary first (it fits in 3 text messages), then each
    system unless `detail` is False. The SMS channel sends the first 3 messages and keeps the rest for "MORE"."""
    if not holdings:
        return no_holdings(content, lang)
    names = ", ".join(say("data_map.summary_system", lang, system=h.system, year=h.held_since.year)
                      for h in holdings)
    objected = [p.name for p in content.council.purposes
                if choices.get(p.id, p.default) not in (p.default, "allow_all")]
    lines = [say("data_map.summary_one", lang, systems=names) if len(holdings) == 1
             else say("data_map.summary_many", lang, count=len(holdings), systems=names)]
    if objected:
        lines.append(say("data_map.summary_objected", lang, purposes=", ".join(objected)))
    if not detail:
        return " ".join(lines)
    lines.append(say("data_map.summary_next", lang))
    parts = [" ".join(lines)]
    for h in holdings:
        part = [say("data_map.summary_part", lang, system=h.system, kinds=", ".join(h.record_kinds),
                    date=nice_date(h.held_since, lang), period=_held_for(content, h.retention_id, lang))]
        if h.linked_into:
            part.append(say("data_map.summary_linked", lang, systems=", ".join(h.linked_into)))
        part += [say("data_map.summary_used_by", lang, user=user) for user in _used_by(content, h, lang)]
        part += [say("data_map.summary_use", lang, use=use) for use in _uses(content, h, choices, lang)]
        parts.append(" ".join(part))
    return "\n\n".join(parts)


def data_map_alt(content: Content, holdings, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    """The picture's text alternative: what it shows, in one or two sentences."""
    if not holdings:
        return say("data_map.alt_empty", lang)
    return say("data_map.alt", lang, count=len(holdings), systems=", ".join(h.system for h in holdings))


def no_holdings(content: Content, lang: str = "en") -> str:
    return say("data_map.no_holdings", lang)


# --- consent reviews (bot.records.reviews) ---------------------------------------------------------------------


def review_channel_name(channel: str, lang: str = "en") -> str:
    return say(f"reviews.channel_{channel if channel in REVIEW_CHANNELS else 'other'}", lang)


def review_due_sms(lang: str = "en") -> str:
    """The text a family gets when a review is due. It says nothing about the family: a phone can be shared."""
    return say("reviews.due_sms", lang, channel="sms")


def ask_review_channel(content: Content, lang: str = "en") -> str:
    return say("reviews.ask_channel", lang, content=content)


def review_channel_not_recognised(lang: str = "en") -> str:
    return say("reviews.channel_not_recognised", lang)


def ask_review_number(channel: str, from_here: bool = False, lang: str = "en") -> str:
    parts = [say("reviews.ask_number", lang, medium=review_channel_name(channel, lang))]
    if from_here:
        parts.append(say("reviews.ask_number_here", lang))
    parts.append(say("reviews.number_kept", lang))
    return " ".join(parts)


def review_number_not_recognised(lang: str = "en") -> str:
    return say("reviews.number_not_recognised", lang)


def confirm_reviews(content: Content, channel: str, number_end: str, first: dt.date, lang: str = "en") -> str:
    return say("reviews.confirm", lang, content=content, medium=review_channel_name(channel, lang),
               number_end=number_end,
               month=nice_month(first, lang))


def reviews_done(first: dt.date, lang: str = "en") -> str:
    return say("reviews.done", lang, month=nice_month(first, lang))


def reviews_stopped(had: bool, lang: str = "en") -> str:
    return say("reviews.stopped", lang) if had else say("reviews.nothing_to_stop", lang)


def review_intro(lang: str = "en") -> str:
    return say("reviews.intro", lang)


def ask_review_answer(purpose: Purpose, current: str, step: int, steps: int, lang: str = "en") -> str:
    lines = [say("reviews.ask_answer", lang, step=step, steps=steps, purpose=purpose.name, why=purpose.plain,
                 choice=choice_name(purpose, current, lang))]
    lines += [say("reviews.answer_line", lang, label=level.label) for level in purpose.levels]
    return "\n".join(lines)


def review_answer_not_recognised(lang: str = "en") -> str:
    return say("reviews.answer_not_recognised", lang)


def review_done(kept: int, changed: int, next_due: dt.date | None, lang: str = "en") -> str:
    lines = [say("reviews.finished_one", lang, changed=changed) if kept == 1
             else say("reviews.finished", lang, kept=kept, changed=changed)]
    if next_due is not None:
        lines.append(say("reviews.next", lang, month=nice_month(next_due, lang)))
    return " ".join(lines)
