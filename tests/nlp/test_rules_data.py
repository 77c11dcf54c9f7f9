"""The crisis rules as data (bot/nlp/rules/): the shipped files load, and a mistake in a file is reported with the
file and line where it is, before any message is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlp import danger_now, safety
from bot.nlp.rules import RULES_DIR, RulesError, load

WORDS = "AGENTS: he she\nKIDS: kids baby\n"
HARM = "violence:\n  - [{NORM: {IN: AGENTS}}, {NORM: hit}, {NORM: {IN: KIDS}}]\n"
NOW = "now_fire:\n  patterns:\n    - [{NORM: \"on\"}, {NORM: fire}]\n  negation_is_danger: true\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _error(tmp_path: Path, files: dict[str, str]) -> str:
    base = {"en/words.yml": WORDS, "en/harm.yml": HARM}
    with pytest.raises(RulesError) as caught:
        load(_write(tmp_path, {**base, **files}))
    return str(caught.value)


def test_the_shipped_rules_load_with_their_lists_by_name():
    rules = load(RULES_DIR)
    assert {"AGENTS", "CHILD_NOUNS", "CY_CHILDREN"} <= set(rules.words.names())
    assert "kids" in rules.words.CHILD_NOUNS
    assert rules.text_speak["2nite"] == "tonight"
    names = [r.name for r in rules.harm + rules.danger_now]
    assert len(names) == len(set(names))
    assert {"violence", "now_breathing", "now_welsh"} <= set(names)


def test_a_pattern_reads_a_list_by_name_and_a_computed_list_takes_words_away(tmp_path):
    words = WORDS + "FEARED:\n  words: AGENTS him\n  except: she\n"
    harm = HARM + "fear_of:\n  - [{NORM: scared}, {NORM: of}, {NORM: {IN: FEARED}}]\n"
    rules = load(_write(tmp_path, {"en/words.yml": words, "en/harm.yml": harm}))
    assert rules.words.FEARED == {"he", "him"}
    assert rules.harm[0].patterns[0][0] == {"NORM": {"IN": ["he", "she"]}}
    assert rules.harm[1].patterns[0][2] == {"NORM": {"IN": ["he", "him"]}}


def test_an_unknown_list_is_reported_with_its_file_and_line(tmp_path):
    harm = HARM + "\nfear:\n  - [{NORM: scared}, {NORM: of}, {NORM: {IN: AGENT}}]\n"
    message = _error(tmp_path, {"en/harm.yml": harm})
    assert message.startswith(f"{tmp_path / 'en' / 'harm.yml'}:5: ")
    assert "no word list named AGENT" in message


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    message = _error(tmp_path, {"en/words.yml": WORDS + "PLACES: [home, house\nMORE: flat\n"})
    assert message.startswith(f"{tmp_path / 'en' / 'words.yml'}:")
    assert "not valid YAML" in message


def test_a_word_yaml_reads_as_true_asks_for_quotes(tmp_path):
    # YAML reads a bare `on` as true: "on fire" would silently never match
    message = _error(tmp_path, {"en/danger_now.yml": "now_fire:\n  patterns:\n    - [{NORM: on}, {NORM: fire}]\n"})
    assert message.startswith(f"{tmp_path / 'en' / 'danger_now.yml'}:3: ")
    assert 'write it in quotes: "on"' in message


@pytest.mark.parametrize(("files", "line", "says"), [
    ({"en/harm.yml": "violence:\n  - [{NORM: hit, OP: '%'}]\n"}, 2, "OP is one of"),
    ({"en/harm.yml": "violence:\n  - [{NROM: hit}]\n"}, 2, "unknown token attribute 'NROM'"),
    ({"en/harm.yml": "violence:\n  - [{NORM: hit, OP: '*'}]\n"}, 2, "at least one token"),
    ({"en/danger_now.yml": NOW + "  neg_is_danger: true\n"}, 5, "unknown setting 'neg_is_danger'"),
    ({"en/danger_now.yml": NOW.replace("true", "yes please")}, 4, "must be true or false"),
    ({"cy/words.yml": "AGENTS: fe hi\n"}, 1, "already defined"),
    ({"en/words.yml": WORDS + "LOOP: LOOP me\n"}, 3, "names itself"),
    ({"en/words.yml": WORDS + "lower: me\n"}, 3, "CAPITALS"),
    ({"en/words.yml": WORDS + "SHOUT: Help me\n"}, 3, "lower case"),
    ({"en/text_speak.yml": "2nite: tonight\n2nite: today\n"}, 2, "written twice"),
    ({"en/patterns.yml": "x: y\n"}, 1, "unknown rules file"),
])
def test_each_kind_of_mistake_names_the_file_and_line(tmp_path, files, line, says):
    name = next(iter(files))
    message = _error(tmp_path, files)
    assert message.startswith(f"{tmp_path / name}:{line}: "), message
    assert says in message


def test_a_named_check_that_python_does_not_have_is_reported(tmp_path):
    rules = load(_write(tmp_path, {"en/words.yml": WORDS, "en/danger_now.yml": NOW + "  extra: [on_fire]\n"}))
    with pytest.raises(RulesError, match=rf"^{tmp_path / 'en' / 'danger_now.yml'}:1: now_fire: no check named on_fire"):
        danger_now.build(rules)


def test_a_harm_rule_without_its_check_in_python_is_reported(tmp_path):
    rules = load(_write(tmp_path, {"en/words.yml": WORDS, "en/harm.yml": HARM.replace("violence", "violent")}))
    with pytest.raises(RulesError, match=rf"^{tmp_path / 'en' / 'harm.yml'}:1: violent: .*_CHECKS"):
        safety._Detector(rules)


def test_rules_from_data_are_what_the_detector_matches(tmp_path):
    """A phrase added to the data is caught with no Python change: the data is the detector's only pattern source."""
    words = (RULES_DIR / "en" / "words.yml").read_text(encoding="utf-8")
    harm = "violence:\n  - [{NORM: {IN: AGENTS}}, {NORM: wallops}, {NORM: {IN: VICTIMS}}]\n"
    rules = load(_write(tmp_path, {"en/words.yml": words, "en/harm.yml": harm}))
    detector = safety._Detector(rules)
    doc = detector.nlp.make_doc("my partner wallops me")
    assert [detector.strings[m] for m, _, _ in detector.matcher(doc)] == ["violence"]


def test_the_rules_check_shows_how_a_message_is_read_and_which_rule_matched(capsys):
    from bot.nlp.rules.__main__ import main

    assert main(["cant wake him", "the weather is nice"]) == 0
    out = capsys.readouterr().out
    assert "read as: can not wake him" in out
    assert "rule now_unresponsive: 'cant wake him'" in out
    assert "the weather is nice\n  read as: the weather is nice\n  crisis: no" in out


def test_every_word_list_is_read_somewhere():
    """A word added to a list that no pattern, list or check reads would change nothing: no such list is kept."""
    import re

    texts = [p.read_text(encoding="utf-8") for p in [*RULES_DIR.parent.glob("*.py"), *RULES_DIR.glob("*/*.yml")]]
    rules = load(RULES_DIR)
    unread = [name for name in rules.words.names()
              if sum(len(re.findall(rf"\b{name}\b", text)) for text in texts) < 2]  # its own definition is one
    assert not unread
