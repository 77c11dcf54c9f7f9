"""What the simulated parents say to our assistant: a realistic mix, with the reply each turn must contain.

Out of every 10 conversations: 5 ask topic questions, 3 do the identity check and then opt out (one request
written to the records database each), 1 checks their family's status, 1 sends a crisis message.
Each identity check uses its own bench family (BENCH-000001, ...), imported into the records database first,
so that no two conversations share a family and none trips the lockout.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.load import Script, Turn

TOPIC_QUESTIONS = (
    "who can see my family's records",
    "how long does the council keep our records",
    "does the council give our data to private companies",
    "what is predictive analytics",
    "how do i get a copy of what the council has on my family",
    "what rights do i have over my family's data",
    "what does data linking mean",
    "if i ask for help will they take my kids",
    "what is an algorithm register",
    "can i get my family's records deleted",
)
OPT_OUT_PURPOSES = ("research and planning", "risk scores", "offering early help")
CRISIS = "he's going to hurt the kids tonight"
FAMILY_COUNT = 5000


def family(index: int) -> tuple[str, dt.date]:
    """The bench family for a conversation number: a reference and one child's date of birth."""
    number = index % FAMILY_COUNT + 1
    born = dt.date(2012, 1, 1) + dt.timedelta(days=(number * 37) % 3650)
    return f"BENCH-{number:06d}", born


def families_csv(path: Path, count: int = FAMILY_COUNT) -> Path:
    lines = ["family_reference,child_date_of_birth"]
    lines += [f"{ref},{born.isoformat()}" for ref, born in (family(i) for i in range(count))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _identity(task_text: str, index: int, after_check: tuple[str, ...]) -> tuple[Turn, ...]:
    reference, born = family(index)
    return (
        Turn(task_text, ("family reference",)),
        Turn(reference.replace("-", " ").lower(), ("date of birth",)),
        Turn(f"{born.day}/{born.month}/{born.year}", after_check),
    )


def our_script(index: int) -> Script:
    slot = index % 10
    if slot < 5:
        first = TOPIC_QUESTIONS[index % len(TOPIC_QUESTIONS)]
        second = TOPIC_QUESTIONS[(index + 3) % len(TOPIC_QUESTIONS)]
        return Script(
            "topic",
            (Turn("hi", ("records",)), Turn(first, ("source:",)), Turn(second, ("source:",)), Turn("thanks")),
        )
    if slot < 8:
        purpose = OPT_OUT_PURPOSES[index % len(OPT_OUT_PURPOSES)]
        return Script(
            "opt_out",
            (
                *_identity("opt me out", index, ("opt out of",)),
                Turn(purpose, ("shall i send it",)),
                Turn("yes", ("your reference is",)),
            ),
        )
    if slot == 8:
        return Script("status", _identity("check my status", index, ("your choice",)))
    return Script("crisis", (Turn(CRISIS, ("999",)), Turn("thanks")))
