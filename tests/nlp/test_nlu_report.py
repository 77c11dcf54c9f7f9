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


def _held_out_run(tmp_path):
    results, sets = tmp_path / "results", tmp_path / "sets"
    results.mkdir()
    sets.mkdir()
    (sets / "1-first.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hiya\n    - hello there\n'
        "- intent: goodbye\n  examples: |\n    - bye now\n", encoding="utf-8")
    (sets / "2-second.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - morning all\n', encoding="utf-8")
    errors = [{"text": "bye now", "intent": "goodbye", "intent_prediction": {"name": "greet", "confidence": 0.6}}]
    successes = [{"text": t, "intent": "greet", "intent_prediction": {"name": "greet", "confidence": 0.9}}
                 for t in ("hiya", "hello there", "morning all")]
    (results / "intent_errors.json").write_text(json.dumps(errors), encoding="utf-8")
    (results / "intent_successes.json").write_text(json.dumps(successes), encoding="utf-8")
    return results, sets


def test_each_held_out_set_gets_its_own_figure(tmp_path):
    from bot.nlu_report import by_set

    results, sets = _held_out_run(tmp_path)
    lines = by_set(results, sets).splitlines()
    # first set: greet 2/2 right but goodbye taken for greet -> greet F1 0.8, goodbye F1 0 -> macro 0.4
    assert lines[1] == "1-first: 3 messages, intent macro-F1 0.400, 1 wrong"
    assert lines[2] == "2-second: 1 messages, intent macro-F1 1.000, 0 wrong"


def test_without_successes_it_says_how_to_get_them(tmp_path):
    from bot.nlu_report import by_set

    results, sets = _held_out_run(tmp_path)
    (results / "intent_successes.json").unlink()
    assert "--successes" in by_set(results, sets)


def test_main_adds_the_sets_after_the_summaries(tmp_path):
    from bot.nlu_report import main

    results, sets = _held_out_run(tmp_path)
    out = main([str(results), "--sets", str(sets)])
    assert out.startswith(f"No reports found in {results}") and "1-first: 3 messages" in out
