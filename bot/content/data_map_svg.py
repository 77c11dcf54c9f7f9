"""The family's data map as a picture for web chat: an SVG drawn on the server from the same holdings as the
text (systems -> linked records -> uses and organisations). No script, no fonts or images from anywhere
else; every label is escaped. It carries a <title> and <desc> (role="img"), and the chat also shows the text
alternative and the full written map, so the picture is never the only way to read it.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from bot.content.loader import Content
from bot.content.messages import say

COLUMN_X = (10, 300, 590)
BOX_W, BOX_H, GAP, TOP = 270, 44, 14, 60
WIDTH = COLUMN_X[2] + BOX_W + 10
MAX_LABEL = 42


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def _box(x: int, y: int, label: str, sub: str, kind: str) -> str:
    fills = {"system": "#e8f1fb", "linked": "#fff4d6", "use": "#e9f6ec", "org": "#f1ecf7"}
    return (
        f'<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fills[kind]}" '
        f'stroke="#0b0c0c" stroke-width="1"/>'
        f'<text x="{x + 8}" y="{y + 18}" font-size="13" font-weight="bold">{escape(_short(label))}</text>'
        f'<text x="{x + 8}" y="{y + 35}" font-size="12">{escape(_short(sub))}</text></g>'
    )


def _short_date(value: dt.date, lang: str, day: bool = True) -> str:
    """'03 Apr 2026', or 'Apr 2026' without the day: short, for a label."""
    month = say(f"dates.short_month_{value.month}", lang)
    if not day:
        return say("dates.month_year", lang, month=month, year=value.year)
    return say("dates.date", lang, day=f"{value.day:02d}", month=month, year=value.year)


def render(content: Content, holdings, choices: dict[str, str], alt: str,  # type: ignore[no-untyped-def]
           lang: str = "en") -> str:
    """The SVG document (a string), its words in `lang`. `alt` is its description for screen readers."""
    from bot.content.task_text import choice_name

    purposes = {p.id: p for p in content.council.purposes}
    orgs = {o.id: o.name for o in content.council.organisations}
    algorithms = {a.id: a.name for a in content.council.algorithms}
    systems = [h.system for h in holdings]
    linked: list[str] = []
    right: list[tuple[str, str, str]] = []  # (key, label, sub)
    for h in holdings:
        linked += [name for name in h.linked_into if name not in linked]
        for purpose_id in h.purposes:
            key = f"use:{purpose_id}"
            if purpose_id in purposes and key not in [r[0] for r in right]:
                p = purposes[purpose_id]
                right.append((key, p.name, say("picture.your_choice", lang,
                                                       choice=choice_name(p, choices.get(p.id, p.default), lang))))
        for a in h.algorithms:
            key = f"alg:{a.id}"
            if key not in [r[0] for r in right]:
                ran = say("picture.tool_ran", lang, date=_short_date(a.last_run, lang))
                right.append((key, algorithms.get(a.id, a.id), ran))
        for o in h.organisations:
            key = f"org:{o}"
            if key not in [r[0] for r in right]:
                right.append((key, orgs.get(o, o), say("picture.sees_some", lang)))

    def y_of(index: int) -> int:
        return TOP + index * (BOX_H + GAP)

    rows = max(len(systems), len(linked), len(right), 1)
    height = y_of(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="pda-map-title pda-map-desc" '
        'font-family="Arial, Helvetica, sans-serif" fill="#0b0c0c">',
        f'<title id="pda-map-title">{escape(say("picture.title", lang))}</title>',
        f'<desc id="pda-map-desc">{escape(alt)}</desc>',
    ]
    headings = (say("picture.heading_systems", lang), say("picture.heading_linked", lang),
                say("picture.heading_uses", lang))
    for x, heading in zip(COLUMN_X, headings, strict=True):
        parts.append(f'<text x="{x}" y="{TOP - 20}" font-size="15" font-weight="bold">{escape(heading)}</text>')
    lines: list[str] = []
    for i, h in enumerate(holdings):
        sy = y_of(i) + BOX_H // 2
        targets = [(1, linked.index(name)) for name in h.linked_into]
        keys = [r[0] for r in right]
        if not h.linked_into:  # straight to its uses and organisations
            targets += [(2, keys.index(k)) for k in
                        [f"use:{p}" for p in h.purposes if p in purposes]
                        + [f"alg:{a.id}" for a in h.algorithms] + [f"org:{o}" for o in h.organisations]]
        for column, index in targets:
            x1, x2 = COLUMN_X[0] + BOX_W, COLUMN_X[column]
            lines.append(f'<line x1="{x1}" y1="{sy}" x2="{x2}" y2="{y_of(index) + BOX_H // 2}" '
                         'stroke="#505a5f" stroke-width="1.5"/>')
        for name in h.linked_into:
            ly = y_of(linked.index(name)) + BOX_H // 2
            for k in [f"use:{p}" for p in h.purposes if p in purposes] + [f"alg:{a.id}" for a in h.algorithms] \
                    + [f"org:{o}" for o in h.organisations]:
                line = (f'<line x1="{COLUMN_X[1] + BOX_W}" y1="{ly}" x2="{COLUMN_X[2]}" '
                        f'y2="{y_of(keys.index(k)) + BOX_H // 2}" stroke="#505a5f" stroke-width="1.5"/>')
                if line not in lines:
                    lines.append(line)
    parts += lines
    for i, h in enumerate(holdings):
        parts.append(_box(COLUMN_X[0], y_of(i), h.system,
                          say("picture.since", lang, month=_short_date(h.held_since, lang, day=False)), "system"))
    for i, name in enumerate(linked):
        parts.append(_box(COLUMN_X[1], y_of(i), name, say("picture.linked", lang), "linked"))
    for i, (key, label, sub) in enumerate(right):
        parts.append(_box(COLUMN_X[2], y_of(i), label, sub, "use" if key.startswith("use:") else "org"))
    parts.append("</svg>")
    return "".join(parts)
