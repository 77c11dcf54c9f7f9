"""Which part of a topic page answers a question: one of its sections, or the page's short answer.

A topic page is a short answer and sections, each answering one question (content/topics/<id>.md, `## <question>`
lines). Once the topic selector has chosen the topic, the message's sentence vector (the one MeaningFeaturizer worked
out for every component; no second run of the model) is compared with each section's question and with the page
itself (its title and its short answer), by cosine. The nearest section is sent alone only when it is nearer than the
page by at least `margin`; otherwise the page's short answer goes, as before sections existed. A section sent alone
that is the wrong one costs a parent a "more"; a general question answered with one narrow section costs them the
rest of the page without their knowing it exists, so the page wins ties (docs/content.md has the measurements).

The vectors of the questions, titles and short answers are worked out at training time and saved with the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.content.loader import Content
from bot.nlp.encoder import encoder

MARGIN = 0.1
FILE = "sections.npz"


@dataclass
class SectionChooser:
    """For each topic with sections: its section ids, their questions' vectors, and its page vectors (title, short
    answer)."""

    margin: float = MARGIN
    ids: dict[str, list[str]] = field(default_factory=dict)
    questions: dict[str, np.ndarray] = field(default_factory=dict)
    pages: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def fit(cls, content: Content, topic_ids: list[str], margin: float = MARGIN) -> SectionChooser:
        """The vectors for the topics named (the topic selector's labels) that have sections, in one run of the
        sentence model."""
        topics = [t for t in content.topics if t.id in set(topic_ids) and t.sections]
        texts: list[str] = []
        for topic in topics:
            texts += [s.question for s in topic.sections] + [topic.title, topic.short_answer]
        vectors = encoder().encode(texts)
        chooser, start = cls(margin=margin), 0
        for topic in topics:
            n = len(topic.sections)
            chooser.ids[topic.id] = [s.id for s in topic.sections]
            chooser.questions[topic.id] = vectors[start:start + n]
            chooser.pages[topic.id] = vectors[start + n:start + n + 2]
            start += n + 2
        return chooser

    def scores(self, topic_id: str, meaning: np.ndarray) -> tuple[str, float] | None:
        """(nearest section, how much nearer it is than the page), or None for a topic without sections."""
        if topic_id not in self.ids:
            return None
        vector = np.asarray(meaning, dtype=np.float32).reshape(-1)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        near = self.questions[topic_id] @ vector
        best = int(near.argmax())
        return self.ids[topic_id][best], float(near[best] - (self.pages[topic_id] @ vector).max())

    def choose(self, topic_id: str, meaning: np.ndarray | None) -> str | None:
        """The section that answers the message, or None for the page's short answer (no meaning: the page)."""
        if meaning is None:
            return None
        scored = self.scores(topic_id, meaning)
        return scored[0] if scored is not None and scored[1] >= self.margin else None

    def save(self, folder: Path) -> None:
        arrays = {f"q_{t}": q for t, q in self.questions.items()} | {f"p_{t}": p for t, p in self.pages.items()}
        np.savez(folder / FILE, ids=np.array(json.dumps(self.ids)), **arrays)

    @classmethod
    def load(cls, folder: Path, margin: float = MARGIN) -> SectionChooser:
        """The saved chooser; an empty one (every answer the page's short answer) when the model has none."""
        path = folder / FILE
        if not path.is_file():
            return cls(margin=margin)
        with np.load(path) as saved:
            ids = json.loads(str(saved["ids"]))
            return cls(margin=margin, ids=ids, questions={t: saved[f"q_{t}"] for t in ids},
                       pages={t: saved[f"p_{t}"] for t in ids})
