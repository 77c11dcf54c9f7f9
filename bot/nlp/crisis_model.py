"""Danger now, learned: a small neural network on the sentence model's 384 numbers, and the three bands.

The rules (bot/nlp/safety.py, danger_now.py) know only the words on their lists. The sentence model knows English
beyond them: "our 3 year old has wandered off from the park" lands near "my son is missing" though it shares no
word with it. So a classifier is trained, at `make train` time, on the phrase lists in data/crisis/ (danger_now.txt
against not_now.txt) and on every data/nlu example as an ordinary message, and saved in the model archive.

Each detector does what it is good at (docs/safety.md, "How well"):
- *sure*: a rule matched, or the model's probability is at least `sure` and no check in bot/nlp/checks.py says the
  message is about the past, a record, a hypothetical, the news or a figure of speech. The crisis reply, at once.
- *possible*: the model's probability is at least `possible`. The parent gets the answer they asked for, with the
  999 line on top.
- *no*: neither.

`decide(text, vector, model)` is the one place the bands are decided; the Rasa component and `make crisis-report`
both call it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import skops.io
from sklearn.neural_network import MLPClassifier

from bot.nlp.checks import not_now_reason
from bot.nlp.safety import detect_crisis, writer_says_child

log = logging.getLogger(__name__)

CRISIS_KEY = "crisis"  # where the parse data holds the band of a message (read by bot/nlg.py)
SURE = "sure"
POSSIBLE = "possible"
DANGER_FILE = "danger_now.txt"
NOT_NOW_FILE = "not_now.txt"
MODEL_FILE = "crisis_model.skops"
# What a saved model may hold: skops refuses anything else (a file that is not ours is not loaded)
_TRUSTED = {"sklearn.neural_network._multilayer_perceptron.MLPClassifier",
            "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
            "sklearn.preprocessing._label.LabelBinarizer", "numpy.ndarray", "numpy.dtype", "builtins.list",
            "numpy.float64", "numpy.int64", "numpy.random.mtrand.RandomState", "numpy.core.multiarray._reconstruct"}


def read_phrases(path: Path) -> list[str]:
    """One phrase a line; blank lines and lines starting with # are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class Settings:
    hidden: int = 128  # one hidden layer this wide
    alpha: float = 0.01  # its L2 penalty
    sure: float = 0.8  # the model alone puts a message in the sure band at this probability (with no check speaking)
    possible: float = 0.3  # ... and in the possible band at this one
    random_state: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.possible <= self.sure <= 1:
            raise ValueError(f"crisis detector: need 0 < possible <= sure <= 1, got possible={self.possible}, "
                             f"sure={self.sure}")


def fit(danger: np.ndarray, ordinary: np.ndarray, settings: Settings) -> MLPClassifier:
    """The classifier: rows of `danger` are danger now (1), rows of `ordinary` are not (0)."""
    X = np.vstack([danger, ordinary])
    y = np.r_[np.ones(len(danger)), np.zeros(len(ordinary))]
    model = MLPClassifier(hidden_layer_sizes=(settings.hidden,), alpha=settings.alpha, max_iter=500,
                          random_state=settings.random_state)
    return model.fit(X, y)


def save(model: MLPClassifier, folder: Path) -> None:
    skops.io.dump(model, folder / MODEL_FILE)


def load(folder: Path) -> MLPClassifier | None:
    """The saved classifier, or None (logged) when there is none or it holds types a classifier of ours does not."""
    path = folder / MODEL_FILE
    if not path.is_file():
        return None
    held = set(skops.io.get_untrusted_types(file=path))
    if held - _TRUSTED:
        log.error("Not loading %s: it holds types our crisis classifier does not (%s).", path, sorted(held - _TRUSTED))
        return None
    model = skops.io.load(path, trusted=sorted(held))
    if not isinstance(model, MLPClassifier):
        log.error("Not loading %s: it holds a %s, not our crisis classifier.", path, type(model).__name__)
        return None
    return model


def probability(model: MLPClassifier | None, vectors: np.ndarray) -> np.ndarray:
    """The model's probability of danger now for each row (zeros without a model)."""
    if model is None or len(vectors) == 0:
        return np.zeros(len(vectors))
    return model.predict_proba(np.asarray(vectors, dtype=np.float32))[:, 1]


@dataclass(frozen=True)
class Verdict:
    band: str | None  # "sure" | "possible" | None
    kind: str | None  # the rules' kind (child_in_danger, self_harm, adult_in_danger); None from the model
    writer_may_be_child: bool
    source: str | None  # "rules" | "model" | None
    probability: float
    held_back_by: str | None = None  # the check that kept a model score out of the sure band

    @property
    def is_crisis(self) -> bool:
        return self.band == SURE


NOTHING = Verdict(band=None, kind=None, writer_may_be_child=False, source=None, probability=0.0)


def decide(text: str, p: float, settings: Settings) -> Verdict:
    """The band of a message, from the rules and the model's probability p (0 when it was not asked)."""
    rules = detect_crisis(text)
    if rules.is_crisis:
        return Verdict(SURE, rules.kind, rules.writer_may_be_child, "rules", p)
    if p < settings.possible:
        return Verdict(None, None, False, None, p)
    reason = not_now_reason(text)
    if p >= settings.sure and reason is None:
        return Verdict(SURE, None, writer_says_child(text), "model", p)
    return Verdict(POSSIBLE, None, False, "model", p, held_back_by=reason)
