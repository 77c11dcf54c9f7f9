"""The words of the tasks (identity check, report, choices, opt-out, see my data, fix a mistake).

Pure functions of content and plain values, so tests check every sentence for reading age and tone.
Numbers and contacts come from content/council.yml and content/helplines.yml.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.content.models import Purpose
from bot.content.render import fill

REQUEST_NAMES = {
    "objection": "opt-out (objection)",
    "access": "request to see your data",
    "rectification": "report of a mistake",
    "consent": "change of choice",
}
STATUS_NAMES = {
    "received": "received, not started yet",
    "in_progress": "being worked on",
    "done": "done",
    "refused": "refused (the council must tell you why)",
}
# "objected": the parent has asked to opt out; the council has a month to act on it, so not "opted out" as if done
CHOICE_NAMES = {"included": "included", "objected": "you asked to opt out"}


UK = ZoneInfo("Europe/London")
ASK_WHERE = "You can ask me **where is my request** at any time."


def nice_date(value: dt.date | dt.datetime) -> str:
    """'3 April 2026'; a timestamp is shown as the date in the UK."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(UK)
    return f"{value.day} {value:%B %Y}"


def safeguarding_line(content: Content) -> str:
    """The short form of content/snippets/safeguarding.md: when records are shared without asking."""
    return fill("{{safeguarding}}", content, "task text", channel="sms")


def child_protection_line(content: Content) -> str:
    return (
        f"{safeguarding_line(content)} {fill('{{help_not_referral}}', content, 'task text', channel='sms')} "
        f"For free advice, call the Family Rights Group on {content.helpline('family_rights_group')}."
    )


def identity_failed() -> str:
    # the form asks for the family reference again straight after this
    return "Sorry, those details do not match what we hold. Please check the letter and try again."


def identity_locked(content: Content) -> str:
    c = content.council.contact
    return (
        "For your safety, I have paused the checks for 30 minutes after too many tries. "
        f"You can still ask me questions. Or call {c.name} on {c.phone} ({c.hours}). They can help you."
    )


def reference_not_recognised(content: Content) -> str:
    """Also for "I never got a letter" or "idk": a parent without the letter is told another way in, and how to stop,
    instead of being asked the same thing again and again."""
    c = content.council.contact
    return (
        "That does not look like a family reference. It is on the letter from the council and looks like ABC-1234. "
        f"No letter? Call {c.name} on {c.phone}. Or say cancel to stop."
    )


def date_not_recognised() -> str:
    """Also for "why do you need that?": what the date is for, and how to stop."""
    return (
        "Sorry, I could not read that date. Please type it like 3/4/2019 or 3 April 2019. "
        "I only use it to check this is your family. Or say cancel to stop."
    )


# What each task will do, said first when it starts, so the parent knows which task this is and what comes after.
TASK_INTROS = {
    "status": "I can show you the choices your family has made about how your records are used.",
    "consent": "I can change one of your family's choices about how your records are used.",
    "objection": "I can send the council your request to stop one use of your records (to opt out). "
                 "They must reply within one month.",
    "access": "I can send the council your request to see the records it holds about your family. "
              "They must reply within one month.",
    "rectification": "I can send the council your request to correct a mistake in your records. "
                     "They must reply within one month.",
    "request_status": "I can tell you where your request is.",
    "data_map": "I can show you what the council holds about your family, and how it is used.",
    "reviews": "I can remind you to look at your family's choices again.",
    "review": "I can go through your family's choices with you again.",
}


def identity_intro(task: str | None) -> str:
    """The first reply of a task that needs the identity check: which task, what it will ask, what happens after."""
    first = TASK_INTROS.get(task or "", "")
    check = ("First I need to check it is you. I will ask for your family reference and a child's date of birth. "
             "I will not keep these details after this chat.")
    return f"{first} {check}".strip()


def verified() -> str:
    return "Thank you, that matches. I will only use this for this chat."


def purpose_label(purpose: Purpose) -> str:
    return purpose.name


def _choice_name(purpose: Purpose, choice: str) -> str:
    names = {**CHOICE_NAMES, **{level.id: level.label for level in purpose.levels}}
    return names.get(choice, choice)


def status_summary(content: Content, choices: dict[str, str]) -> str:
    """The report in a few lines for SMS and WhatsApp: each use and the family's choice."""
    lines = ["Your choices for each way the council uses records:"]
    for purpose in content.council.purposes:
        lines.append(f"- {purpose.name}: {_choice_name(purpose, choices.get(purpose.id, purpose.default))}.")
    lines.append(safeguarding_line(content))
    lines.append("Ask about any of them, or say opt out.")
    return "\n".join(lines)


def status_report(content: Content, choices: dict[str, str]) -> list[str]:
    """One short chunk per purpose: what is held, who uses it, why, for how long, and the family's choice."""
    chunks = ["Here is your family's report. One part for each way the council uses records."]
    orgs = {o.id: o.name for o in content.council.organisations}
    for purpose in content.council.purposes:
        choice = choices.get(purpose.id, purpose.default)
        used_by = ", ".join(orgs.get(o, o) for o in purpose.organisations)
        chunks.append(
            f"**{purpose.name}**\n"
            f"Why: {purpose.plain}\n"
            f"What: {', '.join(purpose.data_held)}.\n"
            f"Who: {used_by}.\n"
            f"How long: {purpose.retention}\n"
            f"Your choice: {_choice_name(purpose, choice)}."
        )
    chunks.append(child_protection_line(content))
    chunks.append("You can say **change my choices**, **opt out**, or ask about any part.")
    return chunks


def ask_purpose(task: str) -> str:
    if task == "consent":
        return "Which use do you want to change your choice for?"
    return "Which use of your records do you want to opt out of?"


def purpose_not_recognised() -> str:
    return "Sorry, I did not catch which one. Please pick one from the list, or type its name. Or say cancel to stop."


def no_choice_offered(purpose: Purpose, content: Content) -> str:
    return (
        f"The council does not offer a choice for {purpose.name}. The law says it must do this. "
        f"You can still ask questions or talk to a person: call {content.council.contact.phone}."
    )


def ask_level(purpose: Purpose) -> str:
    lines = [f"What would you like for {purpose.name}?"]
    lines += [f"- {level.label}: {level.description}" for level in purpose.levels]
    return "\n".join(lines)


def level_not_recognised() -> str:
    return "Sorry, I did not catch that. Please pick one of the choices. Or say cancel to stop."


def confirm_objection(purpose: Purpose, content: Content, due: dt.date) -> str:
    return (
        f"You want to opt out of **{purpose.name}**. This is called an objection.\n"
        f"The council must stop this use for your family, unless it shows strong reasons that outweigh yours. "
        f"It will reply by {nice_date(due)}.\n"
        f"{child_protection_line(content)}\n"
        "Shall I send it?"
    )


def confirm_level(purpose: Purpose, level_label: str, content: Content) -> str:
    return (
        f"You want **{level_label}** for **{purpose.name}**. This takes the place of your last choice for it.\n"
        f"{child_protection_line(content)}\n"
        "Shall I save this?"
    )


def confirm_access(due: dt.date) -> str:
    return (
        "You want a copy of the records the council holds about your family. It is usually free.\n"
        "The reply will show what is held, where it came from, who it is shared with, how long it is kept, "
        "and if any risk score is used.\n"
        f"The council must reply by {nice_date(due)}. For a hard case it can take two more months, "
        "but it must tell you why in the first month.\n"
        "Shall I send the request?"
    )


def confirm_error(what: str, where: str, should: str) -> str:
    return (
        "Here is what you told me:\n"
        f"- What is wrong: {what}\n"
        f"- Where: {where}\n"
        f"- What it should say: {should}\n"
        "Shall I send this to the council?"
    )


def not_sent() -> str:
    return "OK, I have not sent anything. What would you like to do now?"


def request_done(kind: str, reference: str, due: dt.date | None) -> str:
    name = REQUEST_NAMES.get(kind, "request")
    lines = [f"Done. I have sent your {name}.", f"Your reference is **{reference}**. Please keep it."]
    if kind == "consent":
        lines.append("Your new choice is saved now.")
    elif due is not None:
        lines.append(f"The council must reply by {nice_date(due)}.")
    lines.append(ASK_WHERE)
    return "\n".join(lines)


def already_objected(purpose: Purpose, reference: str, sent: dt.datetime, due: dt.datetime, overdue: bool,
                     content: Content) -> str:
    """Instead of a second objection: the one already sent, when, its reference and what to do now."""
    lines = [
        f"You already asked to opt out of **{purpose.name}** on {nice_date(sent)}. "
        f"Your reference is **{reference}**. I have not sent it again.",
    ]
    if overdue:
        c = content.council.contact
        lines.append(f"The council should have replied by {nice_date(due)}. Call {c.name} on {c.phone} to ask why.")
    else:
        lines.append(f"The council must reply by {nice_date(due)}.")
    lines.append(ASK_WHERE)
    return "\n".join(lines)


def request_status(kind: str, reference: str, status: str, due: dt.date, history: list[tuple]) -> str:
    lines = [
        f"Your {REQUEST_NAMES.get(kind, 'request')} **{reference}** is {STATUS_NAMES.get(status, status)}.",
        f"The council must reply by {nice_date(due)}.",
    ]
    for when, what in history:
        lines.append(f"- {nice_date(when)}: {STATUS_NAMES.get(what, what)}")
    return "\n".join(lines)


def request_not_found() -> str:
    return (
        "I could not find a request with that reference for your family. "
        "Please check it. It looks like OPT-7Q2K9. Or say cancel to stop."
    )


def talk_to_person(content: Content) -> str:
    c = content.council.contact
    p = content.council.peer_support
    return (
        f"Want to talk to a person? Call {c.name} on {c.phone}. Lines are open {c.hours}. "
        f"Or email {c.email}.\n"
        f"To talk to another parent, call {p.name} on {p.phone} ({p.hours}).\n"
        f"For free advice that is not from the council, call the Family Rights Group on "
        f"{content.helpline('family_rights_group')}."
    )


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


def _held_for(content: Content, retention_id: str) -> str:
    entry = content.council.retention_entry(retention_id)
    return entry.period if entry is not None else "as the council's rules say"


def _used_by(content: Content, holding) -> list[str]:  # type: ignore[no-untyped-def]
    algorithms = {a.id: a.name for a in content.council.algorithms}
    orgs = {o.id: o.name for o in content.council.organisations}
    used = [f"{algorithms.get(a.id, a.id)} (a computer tool, last run {nice_date(a.last_run)})"
            for a in holding.algorithms]
    return used + [orgs.get(o, o) for o in holding.organisations]


def _uses(content: Content, holding, choices: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    purposes = {p.id: p for p in content.council.purposes}
    lines = []
    for purpose_id in holding.purposes:
        purpose = purposes.get(purpose_id)
        if purpose is not None:
            lines.append(f"{purpose.name}: {_choice_name(purpose, choices.get(purpose.id, purpose.default))}")
    return lines


def data_map(content: Content, holdings, choices: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The data map for web chat: one short part per system (what, since, kept, linked into, used by, the uses
    and the family's choice for each), after a line that says what this is."""
    if not holdings:
        return [no_holdings(content)]
    chunks = [f"Here is what the council's systems hold about your family. "
              f"There {'is 1 system' if len(holdings) == 1 else f'are {len(holdings)} systems'}."]
    for h in holdings:
        lines = [
            f"**{h.system}**",
            f"What: {', '.join(h.record_kinds)}.",
            f"Since: {nice_date(h.held_since)}.",
            f"Kept: {_held_for(content, h.retention_id)}.",
        ]
        if h.linked_into:
            lines.append(f"Linked into: {', '.join(h.linked_into)}.")
        used = _used_by(content, h)
        if used:
            lines.append("Used by:")
            lines += [f"- {user}" for user in used]
        lines.append("Uses and your choice:")
        lines += [f"- {line}" for line in _uses(content, h, choices)]
        chunks.append("\n".join(lines))
    chunks.append("Is something wrong or missing? You can ask to see all of it, fix a mistake, or opt out of a use.")
    return chunks


def data_map_summary(content: Content, holdings, choices: dict[str, str],  # type: ignore[no-untyped-def]
                     detail: bool = True) -> str:
    """The data map for SMS and WhatsApp: a short summary first (it fits in 3 text messages), then each
    system unless `detail` is False. The SMS channel sends the first 3 messages and keeps the rest for "MORE"."""
    if not holdings:
        return no_holdings(content)
    names = ", ".join(f"{h.system} (since {h.held_since.year})" for h in holdings)
    objected = [p.name for p in content.council.purposes
                if choices.get(p.id, p.default) not in (p.default, "allow_all")]
    lines = [f"Your family's records are in {len(holdings)} council system{'s' if len(holdings) != 1 else ''}: "
             f"{names}."]
    if objected:
        lines.append(f"You said no or asked for less for: {', '.join(objected)}.")
    if not detail:
        return " ".join(lines)
    lines.append("Say see my data, fix a mistake or opt out.")
    parts = [" ".join(lines)]
    for h in holdings:
        part = (f"{h.system}: {', '.join(h.record_kinds)}. Since {nice_date(h.held_since)}. "
                f"Kept {_held_for(content, h.retention_id)}.")
        if h.linked_into:
            part += f" Linked into {', '.join(h.linked_into)}."
        part += "".join(f" Used by {user}." for user in _used_by(content, h))
        part += "".join(f" {use}." for use in _uses(content, h, choices))
        parts.append(part)
    return "\n\n".join(parts)


def data_map_alt(content: Content, holdings) -> str:  # type: ignore[no-untyped-def]
    """The picture's text alternative: what it shows, in one or two sentences."""
    if not holdings:
        return "A picture of your family's records. No systems are listed yet."
    systems = ", ".join(h.system for h in holdings)
    return (f"A picture of your family's records. It shows {len(holdings)} systems: {systems}. "
            "It shows the linked records they go into, and who uses them. The same facts are written above.")


def no_holdings(content: Content) -> str:
    return ("The council has not told me about any system that holds your family's records yet. "
            "You can ask for a copy of everything it holds.")


# --- consent reviews (bot.records.reviews) ---------------------------------------------------------------------

REVIEW_CHANNEL_NAMES = {"sms": "text message", "whatsapp": "WhatsApp"}


def review_due_sms(council) -> str:  # type: ignore[no-untyped-def]
    """The text a family gets when a review is due. It says nothing about the family: a phone can be shared."""
    return (f"{council.short_name} Council: it is time to check your choices about how your family's records "
            "are used. Reply REVIEW to start. Reply STOP to stop these messages.")


def ask_review_channel(content: Content) -> str:
    months = content.council.consent_review_months
    return (f"I can ask you again every {months} months to look at your choices. "
            "How shall I ask you: by text message or by WhatsApp?")


def review_channel_not_recognised() -> str:
    return "Sorry, please pick text message or WhatsApp. Or say cancel to stop."


def ask_review_number(channel: str, from_here: bool = False) -> str:
    ask = (f"Which mobile number shall I send the {REVIEW_CHANNEL_NAMES.get(channel, 'message')} to? "
           "For example 07700 900123.")
    if from_here:
        ask += " Or say this number."
    return ask + " It is kept locked away, and deleted when you stop."


def review_number_not_recognised() -> str:
    return "Sorry, that does not look like a UK mobile number. It starts 07 and has 11 digits. Or say cancel to stop."


def confirm_reviews(content: Content, channel: str, number_end: str, first: dt.date) -> str:
    return (f"I will send a {REVIEW_CHANNEL_NAMES.get(channel, 'message')} to the number ending {number_end} "
            f"in {first:%B %Y}, and every {content.council.consent_review_months} months after that. "
            "It will ask you to look at your choices again. Shall I set this up?")


def reviews_done(first: dt.date) -> str:
    return (f"Done. I will ask you again in {first:%B %Y}. "
            "To stop, say stop reviews at any time. Your number is then deleted.")


def reviews_stopped(had: bool) -> str:
    if had:
        return "Done. I will not ask you again, and your number is deleted."
    return "You have not asked me to ask you again, so there is nothing to stop."


def review_intro() -> str:
    return "Thank you for looking at your choices again. First, here is what is held about your family."


def ask_review_answer(purpose: Purpose, current: str, step: int, steps: int) -> str:
    lines = [f"{step} of {steps}: **{purpose.name}**. {purpose.plain}",
             f"Your choice now: {_choice_name(purpose, current)}.",
             "Keep it, or pick another:"]
    lines += [f"- {level.label}" for level in purpose.levels]
    return "\n".join(lines)


def review_answer_not_recognised() -> str:
    return "Sorry, I did not catch that. Say keep, or pick one of the choices. Or say cancel to stop."


def review_done(kept: int, changed: int, next_due: dt.date | None) -> str:
    lines = [f"Thank you. You kept {kept} choice{'s' if kept != 1 else ''} and changed {changed}. "
             "Each one is saved with today's date."]
    if next_due is not None:
        lines.append(f"I will ask you again in {next_due:%B %Y}.")
    return " ".join(lines)
