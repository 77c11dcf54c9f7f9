"""The data map picture: well-formed SVG, labelled for screen readers, drawn from the holdings, escaped, and
with nothing loaded from anywhere else."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET

from bot.content import data_map_svg
from bot.content import task_text as say
from bot.content.loader import content
from bot.records.holdings import DEMO_HOLDINGS

SVG = "{http://www.w3.org/2000/svg}"


def _render(reference: str, **change):  # type: ignore[no-untyped-def]
    held = [dataclasses.replace(h, **change) for h in DEMO_HOLDINGS if h.reference == reference]
    alt = say.data_map_alt(content(), held)
    return held, data_map_svg.render(content(), held, {"predictive_analytics": "object"}, alt), alt


def test_it_shows_each_system_linked_set_and_use_with_a_text_alternative() -> None:
    held, svg, alt = _render("DEMO-1002")
    root = ET.fromstring(svg)  # well-formed
    assert root.get("role") == "img" and root.get("aria-labelledby") == "pda-map-title pda-map-desc"
    assert root.find(f"{SVG}desc").text == alt
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for h in held:
        assert h.system in texts
    assert "Family support linked records" in texts
    assert "Risk scores" in texts and "Your choice: I object to risk scores" in texts
    assert "Family Support Finder" in texts
    assert len(list(root.iter(f"{SVG}line"))) > len(held)


def test_labels_are_escaped_and_nothing_is_fetched() -> None:
    _, svg, _ = _render("DEMO-1001", system='Evil <script>alert(1)</script> & "x"', held_since=dt.date(2020, 1, 1))
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert "<script>" not in svg
    assert "href" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
