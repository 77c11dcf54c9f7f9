"""Rule-based crisis detector: does a message say that a child, the writer or another adult is in danger now?

Built on spacy.blank("en") (no model to download): the tokenizer, token NORM values set from a text-speak map
(bot/nlp/patterns/crisis_lexicon.py) and one spaCy Matcher of token patterns over NORM. Every match then
passes checks that throw out the near-misses the patterns alone would let in: negation ("he would never hurt
the kids"), possessives ("my child's data is not safe"), things that are not people ("the data could hurt our
chances"), figurative verbs ("this form is killing me", "my son beat me at chess"), the distant past ("my son
hurt his knee at football last year"), accidents, and fear of services ("will the social take my kids").

Kinds: "child_in_danger" (a child is being hurt, threatened, unsafe, has taken something, is missing or is
harming themselves; also any danger to a writer who seems to be a child), "self_harm" (the writer may harm or
kill themselves), "adult_in_danger" (the writer or another adult is being hurt or threatened).

detect_crisis never raises: odd input gives NOT_CRISIS.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.nlp import danger_now
from bot.nlp.patterns import crisis_lexicon as lex
from bot.nlp.patterns.tokens import any_of as _any
from bot.nlp.patterns.tokens import one as _one

log = logging.getLogger(__name__)

CHILD_IN_DANGER = "child_in_danger"
SELF_HARM = "self_harm"
ADULT_IN_DANGER = "adult_in_danger"
KIND_PRIORITY = (CHILD_IN_DANGER, SELF_HARM, ADULT_IN_DANGER)

MAX_CHARS = 100_000  # longer input is checked on its first MAX_CHARS characters
MAX_SPAN_TOKENS = 16  # a longer match is too loose to mean what the pattern says
WINDOW_TOKENS = 64  # the Matcher runs over windows this long (overlapping by MAX_SPAN_TOKENS)
MAX_FOUND = 20  # stop checking matches once this many have passed
CONTEXT_TOKENS = 30  # how far either side of a match the sentence checks (past, accident...) look


@dataclass(frozen=True)
class CrisisResult:
    is_crisis: bool
    kind: str | None  # "child_in_danger" | "self_harm" | "adult_in_danger" | None
    writer_may_be_child: bool  # e.g. "my dad hits me", "im 12 and scared to go home" -> show Childline too
    matched: str | None  # the matched span text (normalised, lower case), for logs and tests


NOT_CRISIS = CrisisResult(is_crisis=False, kind=None, writer_may_be_child=False, matched=None)


# --------------------------------------------------------------------------------------------------------------
# Text clean-up before tokenizing
# --------------------------------------------------------------------------------------------------------------

_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u201b\u02bc\u2032\u00b4`"), "'")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]+")
_REPEATS = re.compile(r"(\S)\1{3,}")
_LONG_RUN = re.compile(r"\S{40}(?=\S)")
_LETTER_HYPHEN = re.compile(r"(?<=[a-z])[-\u2010\u2011](?=[a-z])")
_VOWEL_RUN = re.compile(r"([aeiou])\1{2,}")
_CONSONANT_RUN = re.compile(r"([b-df-hj-np-tv-z])\1{2,}")
_SPACES = re.compile(r"[ \t]{2,}")


def clean_text(text: object) -> str | None:
    """Lower-cased, NFKC-normalised text with invisible characters dropped, or None for non-text."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return None
    text = text[: MAX_CHARS * 2]
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width, direction marks
    text = _CONTROL.sub(" ", text).lower()
    text = text.replace("&", " and ")
    text = _LETTER_HYPHEN.sub(" ", text)  # "self-harm" -> "self harm", "step-dad" -> "step dad"
    text = _VOWEL_RUN.sub(r"\1", text)  # "hiiit" -> "hit", "scaaared" -> "scared"
    text = _CONSONANT_RUN.sub(r"\1\1", text)  # "killlll" -> "kill"
    # spaCy's tokenizer is slow on long runs without spaces ("!!!!..." thousands long): shorten them first
    text = _REPEATS.sub(r"\1\1\1", text)
    text = _LONG_RUN.sub(lambda m: m.group(0) + " ", text)
    text = _SPACES.sub(" ", text)
    return text[:MAX_CHARS].strip()


# --------------------------------------------------------------------------------------------------------------
# Markers that change what a sentence means
# --------------------------------------------------------------------------------------------------------------

_PAST = re.compile(
    r"\b(last (year|month|summer|winter|spring|autumn|season|term|christmas|easter)|(years|months) ago"
    r"|(a|one|two|three|few|couple of) (years?|months?) ago|long time ago|while ago|in the past|used to"
    r"|when (i|he|she|they|we) (was|were) (little|small|young|younger|a baby|a child|a kid|a toddler|"
    r"at (primary|school)|in primary|a teenager|growing up)|as a (child|kid|teenager|teen|baby|little)"
    r"|back in (19|20)\d\d|in (19|20)\d\d|growing up|childhood|historic|historical|years back)\b"
)
_ACCIDENT = re.compile(
    r"\b(at (football|rugby|school|the park|the playground|training|the gym|cricket|netball|hockey|"
    r"swimming|practice|soccer|play|nursery|sports?|pe|judo|karate|boxing|dance|gymnastics)|playing|fell|"
    r"falls?|falling|tripped|slipped|accident|accidentally|by mistake|trampoline|(his|her|my|the) "
    r"(bike|scooter|skateboard)|on the (stairs|ice|swing|slide)|sports?|match|game|tackle|rugby|football"
    r"|shaving|cooking|chopping|kitchen|gym|final|finals|semis?|race|competition|tournament|league|cup|chess|quiz"
    r"|election)\b"
)
_DENIAL = re.compile(
    r"\b(not true|isn't true|is n't true|untrue|a lie|all lies|never happened|didn't happen|did not happen|"
    r"made up|incorrect|not what happened|false report|false allegation|false allegations|malicious report|"
    r"never did that|never did it|wrote lies|lies about)\b"
)
_FICTION = re.compile(  # "he was stabbed in a film we watched"
    r"\b(in|on) (a|the|this|that|some|my|his|her|an) (film|movie|game|video game|computer game|tv show|"
    r"programme|book|episode|story|series|cartoon|novel|dream|soap)\b"
)
# Words of a question about records and sharing (see _Ctx.asks_about_records_if).
_RECORDS_TALK = frozenset({"share", "shares", "shared", "sharing", "record", "records", "data", "information",
                           "permission", "consent", "model", "prediction", "predict", "algorithm"})
_SERVICES = re.compile(
    r"\b(social|socials|council|care|services|worker|workers|school|court|police|authorities|protection|"
    r"referral|professionals?|ofsted|cafcass|health visitor|gp|doctor|nurse|teacher|judge|judged|"
    r"assessment|data|records?|information|system|report|taken away|take (them|him|her|my|our))\b"
)


# --------------------------------------------------------------------------------------------------------------
# The spaCy pipeline and matcher, built once
# --------------------------------------------------------------------------------------------------------------




def _patterns() -> dict[str, list[list[dict]]]:
    L = lex
    person_feared = (L.AGENTS - {"i", "someone", "somebody", "hell", "shell", "they", "he", "she"}) | {
        "him",
        "her",
    }
    return {
        # "he's gonna hurt the kids", "my partner is hitting me", "he said he'll kill us", "he hit my baby"
        "violence": [
            [_any(L.AGENTS), _any(L.FILLER, "*"), _any(L.VIOLENT_VERBS), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)]
        ],
        # "he comes home drunk and hits us", "he smashed my phone and hit me"
        "violence_and": [[_one("and"),
                          _any({"just", "then", "now", "also", "again", "he", "she", "has", "'s", "s", "is", "keeps",
                                "started"}, "*"),
                          _any(L.VIOLENT_VERBS), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)]],
        # "she's been beaten", "my daughter is being abused", "my son got stabbed"
        "passive": [[_any(L.STATE_SUBJECTS), _any(L.PASSIVE_AUX, "+"), _any(L.PARTICIPLES)]],
        # "my kid ain't safe tonight", "we're not safe", "I don't feel safe", "my child is in danger"
        "unsafe": [
            [_any(L.STATE_SUBJECTS), _any(L.STATE_AUX, "*"), _any(L.NEGATIONS), _any(L.STATE_AUX, "*"), _one("safe")],
            [_any(L.STATE_SUBJECTS), _any(L.STATE_AUX, "*"), _one("unsafe")],
            [_any(L.STATE_SUBJECTS), _any(L.STATE_AUX, "*"), _one("in"), _any(L.DANGER_ADJ, "?"), _one("danger")],
            [
                _any(L.NEGATIONS),
                _any({"think", "believe", "feel"}),
                _one("that", "?"),
                _any(L.DETERMINERS, "*"),
                _any(L.STATE_SUBJECTS),
                _any(L.STATE_AUX, "+"),
                _one("safe"),
            ],
        ],
        "unsafe_it": [
            [_one("it"), _any(L.STATE_AUX, "*"), _any(L.NEGATIONS), _any(L.STATE_AUX, "*"), _one("safe")],
        ],
        # "I can't keep them safe", "I'm not able to protect my kids"
        "cant_protect": [
            [
                _any(L.CAN),
                _any(L.NEGATIONS),
                _any(L.KEEP_FILL, "*"),
                _any({"keep", "protect"}),
                _any(L.DETERMINERS, "*"),
                _any(L.VICTIMS),
            ],
            [
                _any(L.NEGATIONS),
                _one("able"),
                _one("to"),
                _any(L.KEEP_FILL, "*"),
                _any({"keep", "protect"}),
                _any(L.DETERMINERS, "*"),
                _any(L.VICTIMS),
            ],
            [
                _any(L.UNABLE),
                _one("to"),
                _any(L.KEEP_FILL, "*"),
                _any({"keep", "protect"}),
                _any(L.DETERMINERS, "*"),
                _any(L.VICTIMS),
            ],
        ],
        # "I'm scared to go home"
        "fear_home": [
            [_any(L.FEAR), _one("to"), _any(L.FEAR_GO), _any(L.FEAR_PLACE_FILL, "*"), _any(L.FEAR_PLACE)],
            [_any(L.FEAR), _one("to"), _any({"go", "get"}), _one("back"), _any({",", ".", "!", "there", "tonight"})],
        ],
        # "scared for my life", "terrified for our safety"
        "fear_life": [[_any(L.FEAR), _any({"for", "of"}), _any({"my", "our"}), _any(L.LIFE)]],
        # "I'm scared for my kids tonight", "scared for my children's safety"
        "fear_for": [[_any(L.FEAR), _one("for"), _any(L.DETERMINERS, "*"), _any(L.VICTIMS - {"me", "us"})]],
        # "I'm scared of him", "terrified of my partner"
        "fear_of": [[_any(L.FEAR), _one("of"), _any(L.DETERMINERS, "*"), _any(person_feared)]],
        # "I'm scared of what he'll do"
        "fear_what": [
            [
                _any(L.FEAR),
                _any({"of", "about"}),
                _one("what"),
                _any({"he", "she", "hell", "shell"}),
                _any(L.FILLER, "*"),
                _any({"do", "does", "did"}),
            ]
        ],
        # "I want to kill myself", "wanna kill myself", "I'm going to hurt myself"
        "self_harm": [
            [_any(L.SELF_HARM_VERBS), _any(L.REFLEX_WRITER)],
            [_any(L.SELF_HARM_VERBS), _any({"my", "me"}), _one("self")],
            [_any({"end", "ending"}), _any({"my", "it"}), _one("own", "?"), _any({"life", "all"})],
            [_any({"take", "taking", "took"}), _one("my"), _one("own", "?"), _one("life")],
            [_any(L.WANT_DIE), _any({"to", "na"}, "?"), _any(L.DIE)],
            [_any(L.WANT_DIE), _any({"to", "na"}, "?"), _one("be"), _one("dead")],
            [_one("wish"), _one("i"), _any({"was", "were"}), _one("dead")],
            [_any(L.NEGATIONS), _any({"want", "wanna"}), _any({"to", "na"}, "?"), _any(L.NOT_LIVE)],
            [_one("better"), _one("off"), _any({"dead", "without"})],
            [_any({"nobody", "noone"}), _any({"will", "would", "'ll", "ll", "gon", "going"}), _any({"na", "to"}, "?"),
             _one("miss"), _one("me")],
            [_one("no"), _one("one"), _any({"will", "would", "'ll", "ll"}), _one("miss"), _one("me")],
            [_any(L.CAN), _any(L.NEGATIONS), _one("go"), _one("on")],
            [_any({"no", "nothing"}), _any({"reason", "point"}, "?"), _one("to"), _one("live")],
            [_one("kms")],
        ],
        # "I want to jump off a bridge", "he's threatening to jump in front of a train"
        "jump": [
            [
                _any(L.JUMP_VERBS),
                _any({"myself", "himself", "herself"}, "?"),
                _any(L.JUMP_PREPS),
                _any(L.DETERMINERS | {"front", "of", "the", "a", "top"}, "*"),
                _any(L.JUMP_PLACES),
            ]
        ],
        # "I've got the pills ready", "I've saved enough tablets to die"
        "pills_ready": [
            [
                _any(L.HAVE_GOT),
                _any(L.QUANTITY | L.OWN_DET | {"enough", "up"}, "*"),
                _any({"pills", "tablets", "paracetamol", "meds"}),
                _any(L.PILLS_READY | {"to"}),
            ]
        ],
        # "he forces me to have sex", "he made me touch him"
        "forced": [
            [
                _any(L.AGENTS),
                _any(L.FILLER, "*"),
                _any(L.FORCE_VERBS),
                _any(L.DETERMINERS, "*"),
                _any(L.VICTIMS),
            ]
        ],
        # "my daughter has cut her wrists", "he's cutting his arms"
        "cut_body": [
            [
                _any({"cut", "cuts", "cutting", "slit", "slits", "slitting", "slashed", "slashing"}),
                _any({"my", "his", "her", "their", "your"}),
                _any({"wrist", "wrists", "arms", "legs", "thighs"}),
            ]
        ],
        # "he says he will burn the house down with us inside"
        "arson": [
            [
                _any(L.AGENTS),
                _any(L.FILLER, "*"),
                _any({"burn", "burns", "burning", "torch", "torching", "set", "setting"}),
                _any({"fire", "to"}, "*"),
                _any(L.DETERMINERS, "*"),
                _any({"house", "home", "flat", "place", "car"}),
            ],
            # "he says he's going to burn it down with us in it"
            [_any(L.AGENTS), _any(L.FILLER, "*"), _any({"burn", "torch"}), _one("it"), _one("down")],
        ],
        # "my daughter is cutting herself", "my son says he wants to kill himself"
        "self_harm_other": [[_any(L.SELF_HARM_VERBS), _any(L.REFLEX_OTHER)]],
        # "my son is self harming", "I self harm"
        "self_harm_noun": [
            [
                _any(L.SUBJECT_PEOPLE),
                _any(L.PASSIVE_AUX | L.STATE_AUX, "*"),
                _one("self"),
                _any({"harm", "harming", "harms", "harmed"}),
            ]
        ],
        # "my son has taken pills", "I've taken an overdose", "she swallowed bleach"
        "ingest": [
            [
                _any(L.SUBJECT_PEOPLE),
                _any(L.PASSIVE_AUX | L.WRITER_AUX | L.FILLER, "*"),
                _any(L.INGEST_VERBS),
                _any(L.QUANTITY | L.OWN_DET | L.INGEST_ADJ | {"mum", "mums", "'s", "dad", "dads", "nan", "s", "'"},
                     "*"),
                {"LIKE_NUM": True, "OP": "?"},
                _any(L.INGEST_OBJECTS),
            ]
        ],
        "overdose": [[_any(L.SUBJECT_PEOPLE), _any(L.FILLER | L.PASSIVE_AUX, "*"), _any(L.OVERDOSE)]],
        "suicidal": [
            [_any(L.SUBJECT_PEOPLE), _any(L.STATE_AUX, "*"), _one("suicidal")],
            [_any({"feel", "feeling", "felt", "having", "have", "had", "getting"}), _one("suicidal")],
            [
                _any(L.SUBJECT_PEOPLE),
                _any(L.FILLER, "*"),
                _any(L.SUICIDE_VERBS),
                _any({"about", "of"}, "?"),
                _one("suicide"),
            ],
        ],
        # "my baby is choking", "my son isn't breathing"
        "medical": [
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any(L.MEDICAL)],
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any(L.NEGATIONS), _one("breathing")],
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _one("stopped"), _one("breathing")],
            # "my son is having a fit", "my baby's having a seizure", "she is fitting", "the wean's took a fit"
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any({"took", "taken", "takes", "taking"}),
             _any({"a", "another"}), _any(L.SEIZURE)],
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _one("having"), _any({"a", "another"}, "?"),
             _any(L.SEIZURE)],
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any(L.SEIZING)],
            # "my daughter won't wake up", "my son can't breathe", "my baby is struggling to breathe"
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any({"can", "could", "do", "does"}, "?"),
             _any(L.NEGATIONS), _any({"wake", "waking", "breathe"})],
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any({"struggling", "fighting"}), _one("to"),
             _one("breathe")],
            # "my baby has gone blue"
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any({"gone", "turned", "turning", "going"}),
             _one("blue")],
            # "my baby is not moving", "my son is bleeding badly"
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _any(L.NEGATIONS), _one("moving")],
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _one("bleeding")],
            # "my daughter is having an asthma attack", "my son is having an allergic reaction"
            [_any(L.MEDICAL_SUBJECTS), _any(L.PASSIVE_AUX, "*"), _one("having"), _any({"a", "an", "another"}, "?"),
             _any({"asthma", "allergic", "anaphylactic"}), _any({"attack", "reaction", "shock"})],
        ],
        # "my toddler fell down the stairs and isn't moving": the child is named earlier in the sentence
        "and_not_moving": [
            [_one("and"), _any(L.PASSIVE_AUX, "*"), _any(L.NEGATIONS), _any({"moving", "breathing"})],
            [_one("and"), _any(L.PASSIVE_AUX, "*"), _any(L.NEGATIONS), _any({"wake", "waking"}), _one("up")],
        ],
        # "the house is on fire"
        "fire_now": [
            [_any(L.DETERMINERS, "?"), _any({"house", "home", "flat", "building", "kitchen", "bedroom"}),
             _any(L.PASSIVE_AUX, "*"), _one("on"), _one("fire")],
        ],
        # "my daughter is missing", "my son has run away"
        "missing": [
            [_any(L.CHILD_NOUNS), _any(L.PASSIVE_AUX, "+"), _any(L.MISSING)],
            [_any(L.CHILD_NOUNS), _any(L.PASSIVE_AUX, "*"), _one("gone"), _one("missing")],
            [_any(L.CHILD_NOUNS), _any(L.PASSIVE_AUX, "*"), _any({"run", "ran"}), _one("away")],
        ],
        # "my partner gets violent when he drinks"
        "disposition": [[_any(L.AGENTS), _any(L.DISPOSITION_AUX, "*"), _any(L.DISPOSITION)]],
        # "he put his hands round my neck"
        "strangle_hands": [
            [
                _any({"hands", "hand"}),
                _any({"round", "around", "on", "over"}),
                _any({"my", "her", "his", "the", "our", "me", "their", "mums", "mum", "mams", "dads", "nans", "sisters",
                      "brothers", "wifes", "partners"}),
                _any(L.CHILD_NOUNS | {"'s", "s", "baby", "'"}, "*"),
                _any({"neck", "throat", "mouth"}),
            ]
        ],
        # "he's got a knife"
        "weapon": [
            [
                _any(L.AGENTS),
                _any(L.ARRIVAL_FILL | L.WEAPON_VERBS, "*"),
                _any({"a", "the", "his", "her", "another", "my"}, "?"),
                _any(L.WEAPONS),
            ]
        ],
        # "he's trying to break in", "he's kicking the door down"
        "break_in": [
            [
                _any(L.AGENTS),
                _any(L.FILLER, "*"),
                _any(L.BREAK_VERBS),
                _any(L.DETERMINERS | L.DOOR, "*"),
                _any({"in", "down"}),
            ]
        ],
    }


class _Detector:
    """The spaCy objects: a blank English pipeline and one Matcher."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        self.nlp.max_length = MAX_CHARS * 2
        # Welsh joins "'r" (the) and "'n" (yn) to the word before: "mae e'n curo'r plant", "mae'r babi'n tagu".
        # Split them off, as English "'s" is, so the Welsh rules see "e 'n curo 'r plant" and "babi 'n tagu".
        suffixes = [*self.nlp.Defaults.suffixes, r"(?<=[^\W\d_])['’][nr]$"]
        self.nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
        for word, norm in lex.TEXT_SPEAK.items():
            self.nlp.vocab[word].norm_ = norm  # a lexeme's NORM applies to every token of that word
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        for rule, patterns in _patterns().items():
            self.matcher.add(rule, patterns)
        for rule, now_rule in danger_now.RULES.items():
            self.matcher.add(rule, now_rule.patterns)
        self.strings = self.nlp.vocab.strings


_detector: _Detector | None = None
_lock = threading.Lock()


def _get_detector() -> _Detector:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = _Detector()
    return _detector


# --------------------------------------------------------------------------------------------------------------
# Checking one match
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Match:
    rule: str
    start: int
    end: int
    who: str  # the word that says who is in danger: "kids", "me", "myself"...
    agent: str | None = None
    agent_prev: str | None = None


_child_word_ok = lex.child_word_ok


class _Ctx:
    """What the checks need to know about a document: norms, sentence bounds, a few whole-text facts."""

    def __init__(self, doc) -> None:  # noqa: ANN001 - a spaCy Doc
        self.doc = doc
        self.norms: list[str] = [t.norm_ for t in doc]
        self.n = len(self.norms)
        self.sent_of: list[int] = []
        self.sent_bounds: list[tuple[int, int]] = []
        start = 0
        for i, t in enumerate(doc):
            text = t.text
            self.sent_of.append(len(self.sent_bounds))
            if text in {".", "!", "?", "\n"} or "\n" in text or (text and set(text) <= {".", "!", "?"}):
                self.sent_bounds.append((start, i + 1))
                start = i + 1
        if start < self.n or not self.sent_bounds:
            self.sent_bounds.append((start, self.n))
        self.has_child = any(n in lex.CHILD_NOUNS and _child_word_ok(self.norms, i) for i, n in enumerate(self.norms))
        self._sentence_cache: dict[tuple[int, int], str] = {}

    @functools.cached_property
    def writer_says_child(self) -> bool:
        """The writer gives an age under 18, a school year or "I'm a kid", or (in Welsh) says a parent of theirs is
        hurting them (see _age_says_child)."""
        return _age_says_child(self.doc.text)

    def at(self, i: int) -> str:
        return self.norms[i] if 0 <= i < self.n else ""

    def window(self, i: int) -> tuple[int, int]:
        """Token bounds of the sentence around token i, clipped to CONTEXT_TOKENS either side (long rants have no
        full stops)."""
        lo, hi = self.sent_bounds[self.sent_of[i]]
        return max(lo, i - CONTEXT_TOKENS), min(hi, i + CONTEXT_TOKENS)

    def sentence(self, i: int) -> str:
        """The text of window(i)."""
        lo, hi = self.window(i)
        if (lo, hi) not in self._sentence_cache:
            self._sentence_cache[(lo, hi)] = " ".join(t.text for t in self.doc[lo:hi])
        return self._sentence_cache[(lo, hi)]

    def sentence_start(self, i: int) -> int:
        return self.sent_bounds[self.sent_of[i]][0]

    def negated(self, lo: int, hi: int) -> bool:
        """A negation between lo and hi (looking a few tokens further back, not past a comma) that no 'stop' turns
        round. "I can't cope, I've got the knife": the "can't" belongs to another clause."""
        start = lo
        lo = max(self.sentence_start(lo), lo - 3)
        lo = next((j + 1 for j in range(start - 1, lo - 1, -1) if self.norms[j] in {",", ";"}), lo)
        for i in range(lo, hi):
            if self.norms[i] in lex.NEGATIONS:
                if i < start and self.norms[start] in lex.AGENTS and not set(self.norms[i:start]) & _THINK_SAY:
                    continue  # "can't get out, he's got the knife"; but "I don't think he's got a knife"
                if self.norms[i] == "no" and self.at(i + 1) in {"one", "matter", "way"}:
                    continue
                later = self.norms[i + 1 : hi + 1]
                if not any(w in {"stop", "stops", "stopping", "leave"} for w in later):
                    return True
        return False

    def asks_about_records_if(self, i: int) -> bool:
        """'can they share my records if they think my kids are in danger': the danger at token i is the
        condition ('if', 'whether', up to 6 words before) of a question about records, not news of danger now.
        The classifier then answers the question; the child-protection answer itself says 'If a child is in danger
        now, call 999.'"""
        lo = max(self.sentence_start(i), i - 6)
        if not any(self.norms[j] in {"if", "whether"} for j in range(lo, i)):
            return False
        lo, hi = self.window(i)
        return bool(set(self.norms[lo:hi]) & _RECORDS_TALK)

    def past(self, i: int) -> bool:
        return bool(_PAST.search(self.sentence(i)))

    def accident(self, i: int) -> bool:
        return bool(_ACCIDENT.search(self.sentence(i)))

    def denied(self, i: int) -> bool:
        """'the report says I hit my son, that's not true'"""
        return bool(_DENIAL.search(self.sentence(i)))

    def fiction(self, i: int) -> bool:
        return bool(_FICTION.search(self.sentence(i)))

    def services(self, i: int) -> bool:
        return bool(_SERVICES.search(self.sentence(i)))

    def is_gerund(self, i: int) -> bool:
        word = self.at(i)
        return len(word) > 4 and word.endswith("ing") and word not in {"being", "morning", "evening", "thing"}

    def possessive(self, i: int) -> bool:
        """Token i is followed by 's or ' and then a noun: "my child's data"."""
        if self.at(i + 1) not in {"'s", "'", "s"}:
            return False
        after = self.at(i + 2)
        return (
            after not in lex.FILLER
            and after not in lex.STATE_AUX
            and after not in lex.NEGATIONS
            and (after not in lex.PARTICIPLES and after not in _NOT_POSSESSED)
            and after not in lex.BODY_PARTS
        )

    def her_is_determiner(self, i: int) -> bool:
        """'her' at i is a determiner ('hit her son') rather than a person ('hit her hard')."""
        nxt = self.at(i + 1)
        if not nxt or not nxt[0].isalpha():
            return False
        return nxt not in _FUNCTION_WORDS and nxt not in lex.ADVERB_AFTER_HER

    def next_content(self, i: int) -> tuple[int, str]:
        """The first token from i on that is not a determiner."""
        while i < self.n and self.norms[i] in lex.WITH_DETS | lex.DETERMINERS:
            i += 1
        return i, self.at(i)


_THINK_SAY = frozenset({"think", "believe", "reckon", "know", "mean", "say", "saying", "said", "feel", "suppose",
                        "guess", "sure", "expect", "thought", "want", "wanted", "like", "ever", "worry"})

_NOT_POSSESSED = (
    frozenset({"safe", "unsafe", "in", "scared", "missing", "", "gone", "run", "ran", "self", "suicidal", "choking",
               "having", "struggling", "turned", "turning", "bleeding", "collapsed", "took", "fitting", "not",
               "wandered", "got", "been", "just", "swallowed", "taken", "drunk", "eaten", "fallen", "fell", "cut",
               "burnt", "locked", "stopped"})
    | lex.SEIZING
    | lex.INGEST_VERBS
    | lex.OVERDOSE
    | lex.MEDICAL
    | lex.FEAR
)

_FUNCTION_WORDS = frozenset(
    "and or but in on at with to because cos coz when if so up down out around about into over off against across"
    " for till until while then every he she i they we you it is was are again from by as like after before"
    " now tonight today".split()
)


def _victim_ok(ctx: _Ctx, i: int) -> bool:
    word = ctx.at(i)
    if not _child_word_ok(ctx.norms, i):
        return False
    if word == "her" and ctx.her_is_determiner(i):
        return False
    if word == "me" and ctx.at(i + 1) in lex.CHILD_NOUNS:
        return False  # "me kids": the longer match has the child as victim
    return not ctx.possessive(i)


def _with_nonviolent(ctx: _Ctx, after: int) -> bool:
    """'with a huge council tax bill', 'with court action' (but not 'with a knife')."""
    if ctx.at(after) != "with":
        return False
    for j in range(after + 1, min(ctx.n, after + 7)):
        word = ctx.norms[j]
        if word in lex.WEAPONS or not word[:1].isalnum():
            return False
        if word in lex.NONVIOLENT_WITH:
            return True
    return False


def _find_back(ctx: _Ctx, lo: int, hi: int, words: frozenset[str]) -> int:
    for i in range(hi - 1, lo - 1, -1):
        if ctx.norms[i] in words:
            return i
    return -1


def _check_violence(ctx: _Ctx, start: int, end: int) -> _Match | None:
    victim = end - 1
    verb = _find_back(ctx, start + 1, victim, lex.VIOLENT_VERBS)
    return _violence(ctx, start, verb, start, end)


def _check_violence_and(ctx: _Ctx, start: int, end: int) -> _Match | None:
    """ "he comes home drunk and hits us": the person is further back in the sentence."""
    agent = _find_back(ctx, ctx.sentence_start(start), start, lex.AGENTS)
    if agent < 0:
        return None
    return _violence(ctx, agent, _find_back(ctx, start + 1, end - 1, lex.VIOLENT_VERBS), start, end)


def _violence(ctx: _Ctx, agent: int, verb: int, start: int, end: int) -> _Match | None:
    victim = end - 1
    if verb < 0 or not _victim_ok(ctx, victim):
        return None
    v, who, nxt = ctx.norms[verb], ctx.norms[victim], ctx.at(end)
    if ctx.negated(min(agent, start), verb):
        return None
    threat = any(ctx.at(j).startswith("threat") for j in range(verb - 3, verb))  # "he's threatening to throw her"
    if v in lex.VERBS_NEEDING_PARTICLE and not threat and not any(
        ctx.at(j) in lex.VERBS_NEEDING_PARTICLE[v] for j in range(end, end + 5)
    ):
        return None
    childish = who in lex.CHILD_NOUNS or (who in lex.AMBIGUOUS_PEOPLE and ctx.has_child)
    if v in lex.VERBS_CHILD_ONLY and not childish:
        return None
    if v.startswith("kill") and who in {"me", "us"} and v == "killing" and ctx.at(verb - 1) in _BE:
        return None  # "this form is killing me", "my kids are killing me"
    if "one more time" in ctx.sentence(verb):
        return None  # "if he leaves his boots in the hall one more time I'll kill him"
    if v.startswith("murder") and nxt == "for":
        return None  # "she'll murder me for telling you"
    granny = ctx.norms[agent] in {"nan", "nana", "nanna", "gran", "granny", "grandma", "nain", "mamgu"}
    if v in {"kill", "murder"} and who == "me" and nxt == "if" and granny:
        return None  # "my nan will kill me if she finds out"
    stakes = set(ctx.norms[end + 1 : end + 9])  # what the "kill me if ..." is about
    if v in {"kill", "murder"} and who in {"me", "us"} and nxt in {"if", "when"} and stakes & _SCHOOL_STAKES:
        return None  # "mum will murder me if she sees my phone bill", "me mum will kill me if i fail my GCSEs"
    if v == "kill" and who in {"me", "us"} and nxt == "if" and (
        (ctx.at(end + 1) == "i" and ctx.at(end + 2) in {"do", "forget", "miss", "lose", "break", "am", "'m", "m"})
        or stakes & _MONEY_STAKES
    ):
        return None  # "mum's going to kill me if I don't get this sorted", "if she sees what I spent"
    he_will = ctx.norms[agent] in {"hell", "shell"}  # "he'll kill me" typed without the apostrophe
    if v in {"kill", "kills"} and who in {"me", "us"} and verb == agent + 1 and not he_will:
        return None  # "they kill me" (they make me laugh / wear me out); threats say "will kill me"
    if v.startswith("beat") and nxt in {"at", "to", "in"}:
        return None  # "my son beat me at chess"
    if v.startswith(("hit", "shoot", "shot", "kick", "burn")) and nxt in {"up", "out", "a", "an"}:
        return None  # "hit me up", "kick me out", "shot me a look", "burn me out"
    if _with_nonviolent(ctx, end):
        return None  # "they threatened us with eviction"
    if ctx.past(verb) or ctx.fiction(verb) or ctx.denied(verb):
        return None
    return _Match("violence", min(agent, start), end, who, agent=ctx.norms[agent], agent_prev=ctx.at(agent - 2))


# "kill me if ..." over these is a figure of speech, not a threat: school and phone bills, then money and lateness.
_SCHOOL_STAKES = frozenset({"sees", "fail", "fails", "bill", "gcses", "exams", "grades", "phone"})
_MONEY_STAKES = _SCHOOL_STAKES - {"sees"} | frozenset(
    {"spent", "spend", "bought", "buy", "forgot", "late", "lost", "broke", "failed", "exam", "report", "homework"})

_BY_ADVERBS = frozenset({"hard", "badly", "really", "so", "very", "financially", "most", "worst", "harder"})
_BE = frozenset({"is", "'s", "s", "are", "'re", "re", "am", "'m", "m"})
_BE_GET = _BE | frozenset({"was", "were", "been", "being", "be", "get", "gets", "got", "getting", "gotten"})
_PASSIVE_ADVERBS = frozenset(
    "still always just again repeatedly regularly constantly sexually physically badly seriously now already"
    " really probably".split()
)
_WEAK_PARTICIPLES = frozenset(
    {"hurt", "touched", "harmed", "injured", "threatened", "hit", "attacked", "burnt", "burned", "shaken"}
)


def _by_person(ctx: _Ctx, after: int) -> bool | None:
    """None when no 'by' follows; True/False whether the 'by' names a person."""
    while ctx.at(after) in _BY_ADVERBS:
        after += 1  # "hit hard by the changes"
    if ctx.at(after) != "by":
        return None
    _, word = ctx.next_content(after + 1)
    return word in lex.AGENTS or word in {"him", "her", "them", "someone", "somebody"}


def _check_passive(ctx: _Ctx, start: int, end: int) -> _Match | None:
    verb = end - 1
    who, v = ctx.norms[start], ctx.norms[verb]
    if not _child_word_ok(ctx.norms, start):
        return None
    auxes = set(ctx.norms[start + 1 : verb])
    last_aux = next((w for w in reversed(ctx.norms[start + 1 : verb]) if w not in _PASSIVE_ADVERBS), "")
    if last_aux not in _BE_GET:
        return None  # "he's going to hurt" is not passive
    by = _by_person(ctx, end)
    if by is False or _with_nonviolent(ctx, end):
        return None  # "hurt by the council's decision", "threatened with court"
    if v in _WEAK_PARTICIPLES:
        strong = auxes & (lex.STRONG_PASSIVE_AUX - {"was", "were"})
        if not strong and not by and not (v == "touched" and ctx.at(end) in {"inappropriately", "up"}):
            return None  # "I'm hurt", "I was touched by your message"
    elif v not in lex.STRONG_PARTICIPLES and not auxes & lex.STRONG_PASSIVE_AUX and not by:
        return None  # "I'm beaten" (I give up)
    if v.startswith(("kick", "burn", "burnt")) and ctx.at(end) == "out":
        return None  # "kicked out", "I got burnt out caring for my mum"
    if ctx.negated(start, verb) or ctx.past(verb) or ctx.fiction(verb) or ctx.denied(verb):
        return None
    if ctx.asks_about_records_if(start):
        return None  # "can a prediction model tell if a child will be harmed"
    if v in _WEAK_PARTICIPLES | {"kicked", "knocked", "bashed", "whacked", "beaten", "beat"} and ctx.accident(verb):
        return None
    return _Match("passive", start, end, who)


_TO_OK = frozenset({"go", "be", "stay", "leave", "sleep", "come", "return", "live", "walk", "get"})


def _safe_suffix_ok(ctx: _Ctx, after: int) -> bool:
    nxt = ctx.at(after)
    if nxt in {"online", "internet", "about", "sharing", "using", "giving", "telling", "if"}:
        return False
    if nxt == "on" and ctx.at(after + 1) in {"the", "this", "that", "your", "line", "social", "here", "there"}:
        return False
    if nxt == "to" and ctx.at(after + 1) not in _TO_OK:
        return False
    if nxt == "with":
        _, word = ctx.next_content(after + 1)
        return word in lex.AGENTS or word in {"him", "her", "them"}
    return not ctx.is_gerund(after)


def _check_unsafe(ctx: _Ctx, start: int, end: int) -> _Match | None:
    last = ctx.norms[end - 1]
    subject = next(i for i in range(start, end) if ctx.norms[i] in lex.STATE_SUBJECTS)
    who = ctx.norms[subject]
    if not _child_word_ok(ctx.norms, subject):
        return None
    if last == "safe":
        if not _safe_suffix_ok(ctx, end):
            return None
    elif last == "unsafe":
        if ctx.negated(start, end - 1) or not _safe_suffix_ok(ctx, end):
            return None
    else:  # in danger
        if ctx.negated(start, end - 1):
            return None
        if ctx.at(end) == "of":
            nxt, after = ctx.at(end + 1), ctx.at(end + 2)
            violent = nxt in {"being", "getting"} and after in lex.PARTICIPLES and ctx.at(end + 3) != "out"
            if not (violent or nxt in {"him", "her", "death", "dying", "harm", "abuse", "violence"}):
                return None  # "in danger of failing maths"
    if ctx.past(start) or ctx.asks_about_records_if(subject):
        return None  # "... share my records if they think my kids are in danger"
    return _Match("unsafe", start, end, who)


def _check_unsafe_it(ctx: _Ctx, start: int, end: int) -> _Match | None:
    nxt, after = ctx.at(end), ctx.at(end + 1)
    place = nxt in lex.SAFE_PLACES or (nxt in {"at", "in"} and after in {"home", "the", "this", "my", "our"})
    person = nxt == "for" and (after in lex.VICTIMS or ctx.next_content(end + 1)[1] in lex.VICTIMS)
    home = nxt == "to" and after in {"go", "stay", "be"} and ctx.at(end + 2) in {"home", "back", "there"}
    if not (place or person or home) or ctx.past(start):
        return None
    if person:
        i, who = ctx.next_content(end + 1) if after not in lex.VICTIMS else (end + 1, after)
        if ctx.possessive(i):
            return None
        return _Match("unsafe", start, end, who)
    return _Match("unsafe", start, end, "me")


def _check_cant_protect(ctx: _Ctx, start: int, end: int) -> _Match | None:
    victim = end - 1
    if not _victim_ok(ctx, victim):
        return None
    verb = _find_back(ctx, start, victim, frozenset({"keep", "protect"}))
    if ctx.norms[verb] == "keep" and ctx.at(end) != "safe":
        return None
    if ctx.at(end) == "safe" and not _safe_suffix_ok(ctx, end + 1):
        return None
    if ctx.past(start):
        return None
    return _Match("cant_protect", start, end, ctx.norms[victim])


def _check_fear(ctx: _Ctx, start: int, end: int, rule: str) -> _Match | None:
    if ctx.negated(start, start + 1) or ctx.past(start):
        return None
    last = ctx.norms[end - 1]
    if rule == "fear_home":
        return _Match(rule, start, end, "me")
    if rule == "fear_life":
        return _Match(rule, start, end, "me")
    if rule == "fear_what":
        if ctx.at(end) in {"with", "about", "to"} or ctx.services(start):
            return None
        return _Match(rule, start, end, "me", agent=ctx.norms[end - 1])
    if rule == "fear_for":
        nxt = ctx.at(end)
        if not _victim_ok(ctx, end - 1) and not (nxt in {"'s", "'", "s"} and ctx.at(end + 1) in lex.LIFE):
            return None
        ok_next = nxt == "" or nxt in lex.FEAR_FOR_OK_NEXT or (nxt in {"'s", "'", "s"} and ctx.at(end + 1) in lex.LIFE)
        if not ok_next or ctx.services(start):
            return None
        return _Match(rule, start, end, last)
    # fear_of
    if last == "her" and ctx.her_is_determiner(end - 1):
        return None
    if ctx.possessive(end - 1) or ctx.services(start):
        return None
    if ctx.at(end) in _BENIGN_GERUNDS and last != "ex":
        return None  # "scared of my mum finding out"
    return _Match(rule, start, end, "me", agent=last, agent_prev=ctx.at(end - 3))


_BENIGN_GERUNDS = frozenset(
    "finding seeing knowing reading hearing thinking judging getting being losing asking calling".split()
)


def _check_self_harm(ctx: _Ctx, start: int, end: int, rule: str) -> _Match | None:
    words = ctx.norms[start:end]
    nxt = ctx.at(end)
    if words[0] in lex.NEGATIONS:  # "don't want to live"
        last = words[-1]
        after = ctx.at(end)
        if last == "live" and after not in {"", ".", "!", ",", "anymore", "any", "like", "without", "no"}:
            return None
        if last == "be" and not (
            after == "alive" or (after == "here" and ctx.at(end + 1) in {"", ".", "!", ",", "anymore", "any", "no",
                                                                          "now", "nomore"})
        ):
            return None
        if last == "wake" and after != "up":
            return None
        if last == "exist" and after not in {"", ".", "!", ",", "anymore", "any"}:
            return None
    elif words[0] in lex.CAN:  # "can't go on"
        if nxt not in {"", ".", "!", ",", "anymore", "any", "like", "living"}:
            return None
    elif words[0] not in {"no", "nothing"} and ctx.negated(start, start + 1):
        return None
    if words[-1] in lex.DIE and nxt in {"of", "laughing", "for", "than", "to"}:
        return None  # "I'd rather die than fill in this form", "dying of embarrassment"
    if words[0] == "killing" and nxt in {"trying", "to", "with", "over", "working", "doing", "for", "here"}:
        return None  # "I've been killing myself trying to get these forms done"
    if words[-1] == "without" and nxt not in {"me", "us"}:
        return None
    if words[0] in {"cut", "cuts", "cutting", "hurt", "hurts", "burn"} and (
        nxt in {"on", "shaving", "by"} or ctx.accident(start)
    ):
        return None
    if ctx.past(start):
        return None
    if ctx.norms[end - 1] not in lex.REFLEX_WRITER | {"self"}:
        who = _speaker_before(ctx, start)
        if who is not None and who != "i":
            return _Match("self_harm_other", start, end, who)
    return _Match(rule, start, end, "myself")


def _speaker_before(ctx: _Ctx, start: int) -> str | None:
    """Who a phrase like "wants to die" is about: the nearest person before it in the sentence."""
    for i in range(start - 1, ctx.sentence_start(start) - 1, -1):
        word = ctx.norms[i]
        if word in {"i", "he", "she", "they", "we"} or word in lex.CHILD_NOUNS or word in lex.ADULT_NOUNS:
            return word
    return None


def _check_self_harm_other(ctx: _Ctx, start: int, end: int) -> _Match | None:
    deadly = ctx.norms[start] in {"kill", "kills", "killing", "end", "ending", "hang", "hanging", "drown", "poison"}
    if ctx.negated(start, start + 1) or ctx.past(start) or (ctx.accident(start) and not deadly):
        return None  # "he hurt himself at football"; not "he's going to kill himself, he's got a kitchen knife"
    return _Match("self_harm_other", start, end, "him")


def _check_subject_event(ctx: _Ctx, start: int, end: int, rule: str) -> _Match | None:
    """Patterns that start with the person in danger: self harm, ingestion, overdose, suicidal, medical..."""
    who = ctx.norms[start]
    if not _child_word_ok(ctx.norms, start):
        return None
    if rule == "suicidal" and who in {"feel", "feeling", "felt", "having", "have", "had", "getting"}:
        who = "i"
    # "not breathing", "won't wake", "can't breathe": the negation is the danger, not a denial of it
    not_breathing = rule == "medical" and ctx.norms[end - 1] in {"breathing", "breathe", "wake", "waking", "moving"}
    if (not not_breathing and ctx.negated(start, end - 1)) or ctx.past(start):
        return None
    if danger_now.STATISTICS.search(ctx.sentence(start)):
        return None  # "how many children commit suicide each year"
    if rule != "medical" and any(ctx.at(j) in {"if", "whether", "when"} for j in range(start - 3, start)):
        return None  # "what happens to my data if my child self harms"
    if ctx.possessive(start) and rule != "suicidal":
        return None
    nxt = ctx.at(end)
    if rule == "ingest":
        mids = ctx.norms[start + 1 : end - 1]
        obj = ctx.norms[end - 1]
        verb_at = _find_back(ctx, start + 1, end - 1, lex.INGEST_VERBS)
        between = ctx.norms[verb_at + 1 : end - 1]
        strong_quantity = set(between) & (lex.QUANTITY - {"some", "a", "an", "the", "of"})
        if any(_number(w) >= 5 for w in between):
            strong_quantity = {"many"}  # "I've taken 30 paracetamol"
        if who == "i" and set(mids) & {"already", "just"} and not set(between) & lex.OWN_DET:
            strong_quantity = {"already"}  # "I have already taken the tablets"
        if set(between) & lex.INGEST_ADJ:
            strong_quantity = {"kind"}  # "the washing tablet", "nan's heart pills": harmful in any amount
        own = set(between) & lex.OWN_DET
        child_took_parents = who in lex.CHILD_NOUNS and (
            own & {"my", "your"} or set(between) & {"mum", "mums", "dad", "dads", "nan"}
        )
        if own and not strong_quantity and not child_took_parents:
            return None  # "my son has taken his tablets"
        if obj not in lex.DANGEROUS_ANY_AMOUNT and not strong_quantity and not child_took_parents:
            return None  # "she took paracetamol"
        taking_now = ctx.norms[verb_at] == "taking" and (obj in lex.OVERDOSE or strong_quantity)
        if nxt == "for" or (
            ctx.norms[verb_at] in {"take", "taking"}
            and not taking_now
            and not set(mids) & {"going", "gon", "gonna", "will", "'ll", "ll", "about"}
        ):
            return None  # "pills for his ADHD", "I take my pills"
        if ctx.norms[verb_at] == "had" and obj in {"meds", "medication", "medicine", "tablets", "tablet", "pill"}:
            return None
    elif rule == "missing":
        last = ctx.norms[end - 1]
        if last in lex.MISSING and nxt not in lex.MISSING_OK_NEXT and nxt != "":
            return None  # "my son is missing school"
        if ctx.services(start) and last != "away":
            return None  # "my son is missing from the register"
    elif rule == "medical":
        last = ctx.norms[end - 1]
        if last == "choking" and nxt == "on" and ctx.past(start):
            return None
        if last in lex.SEIZURE and nxt == "of":
            return None  # "a fit of the giggles"
        on_floor = nxt == "on" and ctx.at(end + 2) in {"floor", "ground", "bed", "sofa", "settee", "carpet"}
        if last == "fitting" and not on_floor and nxt not in {"", "now", "again", "and", "help", "please", "pls",
                                                                "right", "still"}:
            return None  # "my son is fitting in well", "fitting the new cot"
        if _everyday_not(ctx, end):
            return None  # "my son won't wake up for school", "my son is not moving schools"
        if last == "drowning" and nxt == "in" and ctx.at(end + 1) not in _WATER:
            return None  # "my son is drowning in homework"
        if last == "bleeding" and not set(ctx.norms[end : end + 6]) & _BAD_BLEEDING:
            return None  # "my son is bleeding" (a graze, a nosebleed): only a bad bleed is an emergency
    return _Match(rule, start, end, who)


_MOVING_ON = frozenset({"school", "schools", "house", "home", "to", "out", "in", "away", "area", "on", "back", "with",
                        "there", "here", "abroad", "up", "forward", "yet"})
_WATER = frozenset({"the", "a", "water", "pool", "river", "sea", "bath", "lake", "canal", "pond"})
_BAD_BLEEDING = frozenset({"badly", "heavily", "everywhere", "lot", "lots", "loads", "head", "neck", "chest", "stop",
                           "nonstop", "much", "stopping"})


def _everyday_not(ctx: _Ctx, end: int) -> bool:
    """True when the words after "not moving" / "won't wake" make it everyday life, not an emergency.

    Keyed on the danger word, so "not breathing on his own" stays a crisis while "not moving on" does not.
    """
    last = ctx.norms[end - 1]
    if last == "up":
        last = ctx.norms[end - 2]  # "... and won't wake up": the pattern ends on "up"
    if last == "moving":
        return ctx.at(end) in _MOVING_ON
    if last in {"wake", "waking"}:
        return bool(set(ctx.norms[end : end + 5]) & lex.WAKE_ROUTINE)
    return False


def _check_and_not_moving(ctx: _Ctx, start: int, end: int) -> _Match | None:
    lo = ctx.sentence_start(start)
    child = next((i for i in range(start - 1, lo - 1, -1) if ctx.norms[i] in lex.CHILD_NOUNS
                  and _child_word_ok(ctx.norms, i)), None)
    if child is None or start - child > 12 or ctx.past(start):
        return None
    if _everyday_not(ctx, end):
        return None  # "my son has a new job and is not moving out", "... and won't wake up for school"
    return _Match("medical", start, end, ctx.norms[child])


def _check_fire(ctx: _Ctx, start: int, end: int) -> _Match | None:
    if ctx.negated(start, end - 1) or ctx.past(start) or ctx.fiction(start):
        return None
    return _Match("fire_now", start, end, "they")  # whoever is inside: a child if the message names one


_NUMBER_WORDS = {"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "thirty": 30}


def _number(word: str) -> int:
    if word.isdigit():
        return int(word[:4])
    return _NUMBER_WORDS.get(word, 0)


def _check_agent_state(ctx: _Ctx, start: int, end: int, rule: str) -> _Match | None:
    if ctx.negated(start, end - 1) or ctx.past(start) or ctx.denied(start):
        return None  # denied: "the report says my partner is violent, that is a lie", as for the violence rules
    words = ctx.norms[start:end]
    if rule == "weapon" and not set(words[1:]) & lex.WEAPON_VERBS:
        return None
    if rule == "weapon" and ctx.at(end) in {"conviction", "crime", "offence", "charge", "charges", "possession",
                                            "amnesty", "set", "block", "drawer", "sharpener"}:
        return None  # "it says I have a knife conviction"
    if rule == "break_in" and words[-1] == "down" and not set(words) & lex.DOOR:
        return None  # "he broke down in tears"
    if rule == "disposition" and ctx.at(end) in {"video", "games", "films", "tv", "content", "game"}:
        return None
    return _Match(rule, start, end, "him", agent=ctx.norms[start], agent_prev=ctx.at(start - 2))


def _check_strangle_hands(ctx: _Ctx, start: int, end: int) -> _Match | None:
    if ctx.negated(start, start + 1) or ctx.past(start) or ctx.fiction(start):
        return None
    words = ctx.norms[start + 2 : end - 1]
    child = next((w for w in words if w in lex.CHILD_NOUNS), None)
    who = child or {"my": "me", "our": "us", "me": "me"}.get(words[0], "her")
    return _Match("strangle_hands", start, end, who)


def _check_jump(ctx: _Ctx, start: int, end: int) -> _Match | None:
    if ctx.negated(start, start + 1) or ctx.past(start) or ctx.fiction(start):
        return None
    word, place = ctx.norms[start], ctx.norms[end - 1]
    if word.startswith(("walk", "step", "lie", "lying")) and place not in {"train", "trains", "lorry", "bus", "sea",
                                                                          "river", "canal", "lake", "reservoir"}:
        return None  # "step off the bus" is not a plan to die; "step in front of a train" is
    if word.startswith(("throw", "threw")) and ctx.at(start + 1) not in {"myself", "himself", "herself"}:
        return None
    vehicles = {"car", "cars", "train", "trains", "lorry", "bus"}
    if place in vehicles and "front" not in ctx.norms[start:end] and "under" not in ctx.norms[start:end]:
        return None  # "I'll jump in the car", "jump out of the car"
    who = _speaker_before(ctx, start) or "i"
    if who == "i" or ctx.at(start + 1) == "myself":
        return _Match("self_harm", start, end, "myself")
    return _Match("self_harm_other", start, end, who)


def _check_pills_ready(ctx: _Ctx, start: int, end: int) -> _Match | None:
    if ctx.negated(start, start + 1) or ctx.past(start):
        return None
    if ctx.norms[end - 1] == "to" and ctx.at(end) not in {"die", "kill", "end", "overdose", "take", "do"}:
        return None  # "I have enough tablets to last the week"
    if ctx.norms[end - 1] != "to" and ctx.at(end) in {"for", "in", "by"}:
        return None  # "I've got my tablets ready for the morning"
    who = _speaker_before(ctx, start + 1) or "i"
    if who in {"i", "we"}:
        return _Match("self_harm", start, end, "myself")
    return _Match("self_harm_other", start, end, who)


def _check_forced(ctx: _Ctx, start: int, end: int) -> _Match | None:
    victim = end - 1
    if not _victim_ok(ctx, victim) or ctx.negated(start, victim) or ctx.past(start) or ctx.fiction(start):
        return None
    if ctx.norms[start] == "i" or not any(ctx.at(j) in lex.SEXUAL for j in range(end, end + 6)):
        return None  # "he makes me do the paperwork"
    return _Match("violence", start, end, ctx.norms[victim], agent=ctx.norms[start], agent_prev=ctx.at(start - 2))


def _check_cut_body(ctx: _Ctx, start: int, end: int) -> _Match | None:
    if ctx.negated(start, start + 1) or ctx.past(start) or ctx.accident(start):
        return None
    place = ctx.norms[end - 1]
    if place != "wrists" and place != "wrist" and not ctx.norms[start].endswith("ing"):
        return None  # "she cut her legs on the brambles"; "she keeps cutting her arms" is self-harm
    owner = ctx.norms[start + 1]
    if owner == "my":
        return _Match("self_harm", start, end, "myself")
    return _Match("self_harm_other", start, end, _speaker_before(ctx, start) or "him")


def _check_arson(ctx: _Ctx, start: int, end: int) -> _Match | None:
    words = ctx.norms[start:end]
    if ("set" in words or "setting" in words) and "fire" not in words:
        return None
    if ctx.norms[start] == "i" or ctx.negated(start, end - 1) or ctx.past(start) or ctx.fiction(start):
        return None
    return _Match("disposition", start, end, "him", agent=ctx.norms[start], agent_prev=ctx.at(start - 2))


_CHECKS: dict[str, Callable[[_Ctx, int, int], _Match | None]] = {
    "cut_body": _check_cut_body,
    "arson": _check_arson,
    "fire_now": _check_fire,
    "and_not_moving": _check_and_not_moving,
    "jump": _check_jump,
    "pills_ready": _check_pills_ready,
    "forced": _check_forced,
    "strangle_hands": _check_strangle_hands,
    "violence": _check_violence,
    "violence_and": _check_violence_and,
    "passive": _check_passive,
    "unsafe": _check_unsafe,
    "unsafe_it": _check_unsafe_it,
    "cant_protect": _check_cant_protect,
    "fear_home": lambda c, s, e: _check_fear(c, s, e, "fear_home"),
    "fear_life": lambda c, s, e: _check_fear(c, s, e, "fear_life"),
    "fear_for": lambda c, s, e: _check_fear(c, s, e, "fear_for"),
    "fear_of": lambda c, s, e: _check_fear(c, s, e, "fear_of"),
    "fear_what": lambda c, s, e: _check_fear(c, s, e, "fear_what"),
    "self_harm": lambda c, s, e: _check_self_harm(c, s, e, "self_harm"),
    "self_harm_other": _check_self_harm_other,
    "self_harm_noun": lambda c, s, e: _check_subject_event(c, s, e, "self_harm_noun"),
    "ingest": lambda c, s, e: _check_subject_event(c, s, e, "ingest"),
    "overdose": lambda c, s, e: _check_subject_event(c, s, e, "overdose"),
    "suicidal": lambda c, s, e: _check_subject_event(c, s, e, "suicidal"),
    "medical": lambda c, s, e: _check_subject_event(c, s, e, "medical"),
    "missing": lambda c, s, e: _check_subject_event(c, s, e, "missing"),
    "disposition": lambda c, s, e: _check_agent_state(c, s, e, "disposition"),
    "weapon": lambda c, s, e: _check_agent_state(c, s, e, "weapon"),
    "break_in": lambda c, s, e: _check_agent_state(c, s, e, "break_in"),
}

def _check_now(ctx: _Ctx, start: int, end: int, name: str) -> _Match | None:
    found = danger_now.check(ctx, start, end, name, danger_now.RULES[name])
    return _Match(found[0], start, end, found[1]) if found else None


_CHECKS.update({name: (lambda c, s, e, n=name: _check_now(c, s, e, n)) for name in danger_now.RULES})

_SELF_RULES = frozenset({"self_harm"})
_SUBJECT_RULES = frozenset({"self_harm_noun", "ingest", "overdose", "suicidal", "medical", "missing"})


# --------------------------------------------------------------------------------------------------------------
# Who is writing, and what kind of danger
# --------------------------------------------------------------------------------------------------------------

_AGE = re.compile(
    r"\b(?:i'?m|i am|iam|i m)\s+(?:only\s+|just\s+|nearly\s+|almost\s+)?(?:a\s+)?(\d{1,2})\b"
    r"(?!\s*(?:%|weeks?|wks|months?|kids|children|times|pounds|quid|days?|hours?|hrs|mins?|minutes|stone|kg|"
    r"miles|k\b|grand|pm|am|o'?clock|:))"
)
_YEAR_GROUP = re.compile(r"\b(?:i'?m|i am|im) (?:in|at) (?:year|yr|y) ?(\d{1,2})\b")
_CHILD_SELF = re.compile(
    r"\b(?:i'?m|i am|im) (?:only |just |still )?(?:a |an )?(?:kid|child|teenager|teen|young person|schoolgirl|"
    r"schoolboy|minor|little girl|little boy|primary school|secondary school|pupil|student at)\b"
)


# Welsh: "dw i'n 13", "rwy'n 14 oed", "dwi ym mlwyddyn 8"; a parent of the writer's hurting them ("mae dad yn fy
# nghuro i"; not "mae eu tad yn fy nharo i", their father, which a mother writes)
_CY_AGE = re.compile(
    r"\b(?:dw i|dwi|rwy|rydw i|wi|fi|ydw i)\s?'?n\s+(\d{1,2})\b"
    r"(?!\s*(?:munud|funud|awr|milltir|diwrnod|wythnos|mis|punt|bunt|%|:))"
)
_CY_YEAR_GROUP = re.compile(r"\b(?:ym mlwyddyn|blwyddyn)\s+(\d{1,2})\b")
_CY_PARENT_HURTS_ME = re.compile(
    r"(?<!\beu )(?<!\bei )\b(?:dad|dadi|nhad|mam|mami|llystad|llysfam)\b[^.!?]{0,40}?\b(?:yn|'n)\s+fy\s+"
    r"(?:nharo|nghuro|mrifo|nghicio|mwrw|nyrnu|mhwnio|nhagu|nghloi)\b"
)


def _age_says_child(text: str) -> bool:
    for regex, top in ((_AGE, 17), (_YEAR_GROUP, 13), (_CY_AGE, 17), (_CY_YEAR_GROUP, 13)):
        for m in regex.finditer(text):
            if 4 <= int(m.group(1)) <= top:
                return True
    return bool(_CHILD_SELF.search(text) or _CY_PARENT_HURTS_ME.search(text))


def writer_says_child(text: str) -> bool:
    """The writer says they are a child: an age or school year under 18, "I'm only a kid", "mae dad yn fy nghuro i"."""
    return _age_says_child(clean_text(text) or "")


def _is_parent_role(agent: str | None, agent_prev: str | None) -> bool:
    if agent in lex.PARENT_ROLES:
        return True
    return agent in lex.PARENT_PARTNERS and agent_prev in {"mum", "mums", "dad", "dads", "mother", "father"}


def _writer_may_be_child(ctx: _Ctx, matches: list[_Match]) -> bool:
    if ctx.writer_says_child:
        return True
    for m in matches:
        writer_victim = m.who in lex.WRITER_WORDS or m.who in {"mum", "mother", "brother", "sister", "siblings"}
        if (
            m.rule in {"violence", "fear_of", "disposition", "weapon"}
            and writer_victim
            and _is_parent_role(m.agent, m.agent_prev)
        ):
            return True
    return False


def _kind(m: _Match, ctx: _Ctx, writer_child: bool) -> str:
    who = m.who
    if m.rule in _SELF_RULES:
        return SELF_HARM
    if m.rule in _SUBJECT_RULES and who == "i":
        return SELF_HARM
    if m.rule in {"self_harm_noun", "suicidal", "ingest", "overdose"} and who == "we":
        return SELF_HARM
    if who in lex.CHILD_NOUNS or who == "them":
        return CHILD_IN_DANGER
    if m.rule in {"self_harm_other", "disposition", "weapon", "break_in"}:
        return CHILD_IN_DANGER if ctx.has_child or writer_child else ADULT_IN_DANGER
    if who in lex.AMBIGUOUS_PEOPLE:
        return CHILD_IN_DANGER if ctx.has_child or writer_child else ADULT_IN_DANGER
    return CHILD_IN_DANGER if writer_child else ADULT_IN_DANGER


# --------------------------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------------------------


def _find(text: str) -> tuple[list[_Match], _Ctx]:
    detector = _get_detector()
    doc = detector.nlp.make_doc(text)
    ctx = _Ctx(doc)
    found: list[_Match] = []
    seen: set[tuple[str, int, int]] = set()
    for offset, window in _windows(doc):
        for match_id, start, end in detector.matcher(window):
            start, end = start + offset, end + offset
            rule = detector.strings[match_id]
            if end - start > MAX_SPAN_TOKENS or (rule, start, end) in seen:
                continue
            seen.add((rule, start, end))
            checked = None if danger_now.not_now(ctx, start) else _CHECKS[rule](ctx, start, end)
            if checked is not None:
                found.append(checked)
                if checked.who in lex.CHILD_NOUNS or len(found) >= MAX_FOUND:
                    return found, ctx  # a child in danger outranks everything; past MAX_FOUND nothing changes
    return found, ctx


def _windows(doc):  # noqa: ANN001, ANN202 - spaCy Doc in, (offset, Doc or Span) out
    """The whole doc when short; else overlapping windows, so that the Matcher's '*' stays linear in length.

    Every match kept is at most MAX_SPAN_TOKENS long, so windows overlapping by that much miss none.
    """
    if len(doc) <= WINDOW_TOKENS:
        yield 0, doc
        return
    step = WINDOW_TOKENS - MAX_SPAN_TOKENS
    for start in range(0, len(doc), step):
        yield start, doc[start : start + WINDOW_TOKENS]
        if start + WINDOW_TOKENS >= len(doc):
            return


def detect_crisis(text: str) -> CrisisResult:
    """Whether a message says someone is in danger now. Never raises; odd input is NOT_CRISIS."""
    try:
        cleaned = clean_text(text)
        if not cleaned:
            return NOT_CRISIS
        matches, ctx = _find(cleaned)
        if not matches:
            return NOT_CRISIS
        writer_child = _writer_may_be_child(ctx, matches)
        ranked = sorted(matches, key=lambda m: (KIND_PRIORITY.index(_kind(m, ctx, writer_child)), m.start))
        best = ranked[0]
        return CrisisResult(
            is_crisis=True,
            kind=_kind(best, ctx, writer_child),
            writer_may_be_child=writer_child,
            matched=ctx.doc[best.start : best.end].text,
        )
    except Exception:  # noqa: BLE001 - a safety check must answer, whatever the input
        log.exception("crisis detection failed; answering not-crisis")
        return NOT_CRISIS


def warm_up() -> None:
    """Build the spaCy pipeline and matcher now rather than on the first message."""
    detect_crisis("warm up")
