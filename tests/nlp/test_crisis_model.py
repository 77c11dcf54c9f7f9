"""The learned crisis detector and its three bands (bot/nlp/crisis_model.py), the message-level checks
(bot/nlp/checks.py) and the 999 line on top of an answer (bot/nlg.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlp import crisis_model
from bot.nlp.checks import not_now_reason
from bot.nlp.crisis_model import POSSIBLE, SURE, Settings, decide

SETTINGS = Settings(sure=0.8, possible=0.3)


def test_a_rule_match_is_sure_whatever_the_model_says():
    verdict = decide("he's hitting the kids right now", 0.0, SETTINGS)
    assert (verdict.band, verdict.source) == (SURE, "rules")


def test_the_model_alone_is_sure_when_no_check_speaks():
    verdict = decide("a grown man has arranged to meet my 11 year old at the park today", 0.95, SETTINGS)
    assert (verdict.band, verdict.source, verdict.held_back_by) == (SURE, "model", None)


@pytest.mark.parametrize("text, reason", [
    ("my bro tried to kill himself last year, hes ok now, who can see that", "past"),
    ("the social worker's report says i hit her, can i get that changed", "quoted record"),
    ("what if i said i was scared of my partner, would they take the kids", "hypothetical"),
    ("ma mam's gonna skin me alive when she finds out lol", "figure of speech"),
    ("we watched a film about a kidnapping and now he cant sleep", "news or film"),
    ("do you know any good jokes about dads", "figure of speech"),
])
def test_a_check_keeps_a_model_score_in_the_possible_band(text, reason):
    assert not_now_reason(text) == reason
    verdict = decide(text, 0.99, SETTINGS)
    assert (verdict.band, verdict.held_back_by) == (POSSIBLE, reason)
    assert not verdict.is_crisis


@pytest.mark.parametrize("text", ["my baby is not breathing", "he has a knife and he is at the door",
                                  "this is not a joke, he says he will take the kids tonight",
                                  "mae'r babi wedi stopio anadlu"])
def test_no_check_speaks_for_danger_now(text):
    assert not_now_reason(text) is None


def test_below_possible_is_no_band():
    assert decide("how do i see my file", 0.1, SETTINGS).band is None


def test_a_child_writing_gets_the_child_reply_from_the_model_too():
    verdict = decide("im 12 and a grown man has arranged to meet me at the park today", 0.9, SETTINGS)
    assert verdict.is_crisis and verdict.writer_may_be_child


@pytest.mark.parametrize("sure, possible", [(0.3, 0.8), (1.5, 0.3), (0.8, 0.0)])
def test_thresholds_out_of_order_are_refused(sure, possible):
    with pytest.raises(ValueError, match="possible <= sure"):
        Settings(sure=sure, possible=possible)


def test_a_trained_classifier_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    danger, ordinary = rng.normal(1, 0.3, (40, 8)), rng.normal(-1, 0.3, (40, 8))
    model = crisis_model.fit(danger, ordinary, Settings(hidden=4))
    crisis_model.save(model, tmp_path)
    loaded = crisis_model.load(tmp_path)
    np.testing.assert_allclose(crisis_model.probability(loaded, danger), crisis_model.probability(model, danger))
    assert crisis_model.probability(loaded, danger).min() > 0.5 > crisis_model.probability(loaded, ordinary).max()


def test_a_saved_file_that_is_not_our_classifier_is_not_loaded(tmp_path, caplog):
    import skops.io
    from sklearn.linear_model import LogisticRegression

    other = LogisticRegression().fit(np.array([[0.0], [1.0]]), [0, 1])
    skops.io.dump(other, tmp_path / crisis_model.MODEL_FILE)
    assert crisis_model.load(tmp_path) is None
    assert "Not loading" in caplog.text


def test_no_model_means_no_probability():
    assert crisis_model.probability(None, np.zeros((3, 384))).tolist() == [0, 0, 0]


def test_no_classifier_example_and_no_held_out_question_is_in_the_sure_band():
    """What parents ask when nobody is in danger (data/nlu, and the held-out NLU sets written by others) must never get
    the crisis reply instead of an answer. Uses the trained model (`make test` trains it first)."""
    from bot.nlp.report import MODEL_ARCHIVE, NLU_HOLDOUT_DIR, Learned
    from bot.nlu_report import nlu_examples

    learned = Learned.from_archive(MODEL_ARCHIVE)
    assert learned is not None, f"no learned crisis detector in {MODEL_ARCHIVE}: run `python -m bot train`"
    texts = sorted({t for folder in (MODEL_ARCHIVE.parents[1] / "data" / "nlu", NLU_HOLDOUT_DIR)
                    for path in sorted(folder.glob("*.yml")) for _, t in nlu_examples(path)})
    assert len(texts) > 4000
    verdicts = learned.verdicts(texts)
    assert [t for t, v in zip(texts, verdicts, strict=True) if v.is_crisis] == []


# -- the 999 line on top (bot/nlg.py) -------------------------------------------------------------------------------

def _tracker(band: str | None, replies: list[str]):
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    parse = {"intent": {"name": "topic", "confidence": 0.9}, "entities": []}
    if band:
        parse["crisis"] = {"band": band}
    events = [UserUttered("hello", parse_data=parse), *(BotUttered(text) for text in replies)]
    return DialogueStateTracker.from_events("s", events)


def _nlg():
    from rasa.shared.core.domain import Domain

    from bot.nlg import DangerLineNLG

    domain = Domain.from_dict({"responses": {"utter_danger_line": [{"text": "If a child is in danger now, call 999."}],
                                             "utter_answer": [{"text": "Here is the answer."}]}})
    return DangerLineNLG(domain=domain)


async def test_the_first_answer_to_a_possible_message_starts_with_the_999_line():
    reply = await _nlg().generate("utter_answer", _tracker(POSSIBLE, []), "rest")
    assert reply["text"] == "If a child is in danger now, call 999.\n\nHere is the answer."


@pytest.mark.parametrize("band, replies",
                         [(None, []), (SURE, []), (POSSIBLE, ["If a child is in danger now, call 999."])])
async def test_no_line_when_not_possible_or_already_said(band, replies):
    reply = await _nlg().generate("utter_answer", _tracker(band, replies), "rest")
    assert reply["text"] == "Here is the answer."
