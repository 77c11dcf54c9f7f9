"""`make nlu-report`'s summary: macro-F1 and the largest confusions of each results folder."""

from __future__ import annotations

import json

from bot.nlu_report import summarise


def test_summary_gives_macro_f1_and_confusions_largest_first(tmp_path):
    report = {
        "greet": {"f1-score": 0.9, "confused_with": {"goodbye": 2}},
        "out_of_scope": {"f1-score": 0.7, "confused_with": {"topic": 9, "help": 1}},
        "accuracy": 0.8,
        "macro avg": {"f1-score": 0.8123},
    }
    (tmp_path / "intent_report.json").write_text(json.dumps(report), encoding="utf-8")
    lines = summarise(tmp_path).splitlines()
    assert lines[0] == f"== {tmp_path}"
    assert lines[1] == "intent_report.json: macro-F1 0.812 (target 0.95)"
    assert lines[2:] == ["  out_of_scope -> topic: 9", "  greet -> goodbye: 2", "  out_of_scope -> help: 1"]


def test_a_folder_without_reports_says_so(tmp_path):
    assert summarise(tmp_path) == f"No reports found in {tmp_path}"
