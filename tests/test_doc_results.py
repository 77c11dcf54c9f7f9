"""bot/doc_results.py: a command's figures replace only its own results block in a guide."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.doc_results import update

GUIDE = """# A guide

## How well

<!-- results: make nlu-report -->
old figures
<!-- /results: make nlu-report -->

<!-- results: make bench -->
bench figures
<!-- /results: make bench -->

The end.
"""


def test_the_output_replaces_only_its_own_block(tmp_path):
    doc = tmp_path / "guide.md"
    doc.write_text(GUIDE, encoding="utf-8")
    update(doc, "make nlu-report", "intent macro-F1 0.900\n", when=dt.date(2026, 12, 7), commit="abc1234")
    text = doc.read_text(encoding="utf-8")
    assert "old figures" not in text
    assert "Last run: 2026-12-07, commit abc1234, by `make nlu-report`" in text
    assert "```text\nintent macro-F1 0.900\n```\n<!-- /results: make nlu-report -->" in text
    assert "bench figures" in text and text.startswith("# A guide") and text.endswith("The end.\n")
    update(doc, "make nlu-report", "intent macro-F1 0.910", when=dt.date(2026, 12, 8), commit="def5678")
    again = doc.read_text(encoding="utf-8")
    assert "0.900" not in again and "0.910" in again and again.count("<!-- results: make nlu-report -->") == 1


def test_a_guide_without_the_markers_is_an_error_not_an_append(tmp_path):
    doc = tmp_path / "guide.md"
    doc.write_text("# A guide\n", encoding="utf-8")
    with pytest.raises(ValueError, match="results: make bench"):
        update(doc, "make bench", "figures")
    assert doc.read_text(encoding="utf-8") == "# A guide\n"
