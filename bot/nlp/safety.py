"""Rule-based crisis detector: does a message say that a child, the writer or another adult is in danger now?

Built on spacy.blank("en") (no model to download): the tokenizer, token NORM values set from a text-speak map and
one spaCy Matcher of token patterns over NORM, all read from the data files in bot/nlp/rules/ (harm.yml holds this
family's patterns, words.yml the word lists they name). Every match then passes checks that throw out the near-
misses the patterns alone would let in: negation ("he would never hurt the kids"), possessives ("my child's data is
not safe"), things that are not people ("the data could hurt our chances"), figurative verbs ("this form is killing
me", "my son beat me at chess"), the distant past ("my son hurt his knee at football last year"), accidents, and
fear of services ("will the social take my kids").

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

from bot.nlp import checks as C
from bot.nlp import danger_now
from bot.nlp import rules as rule_files
from bot.nlp.checks import child_word_ok
from bot.nlp.rules import WORDS as W

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

_ACCIDENT = re.compile(
    r"\b(at (football|rugby|school|the park|the playground|training|the gym|cricket|netball|hockey|"
    r"swimming|practice|soccer|play|nursery|sports?|pe|judo|karate|boxing|dance|gymnastics)|playing|fell|"
    r"falls?|falling|tripped|slipped|accident|accidentally|by mistake|trampoline|(his|her|my|the) "
    r"(bike|scooter|skateboard)|on the (stairs|ice|swing|slide)|sports?|match|game|tackle|rugby|football"
    r"|shaving|cooking|chopping|kitchen|gym|final|finals|semis?|race|competition|tournament|league|cup|chess|quiz"
    r"|election)\b"
)
_SERVICES = re.compile(
    r"\b(social|socials|council|care|services|worker|workers|school|court|police|authorities|protection|"
    r"referral|professionals?|ofsted|cafcass|health visitor|gp|doctor|nurse|teacher|judge|judged|"
    r"assessment|data|records?|information|system|report|taken away|take (them|him|her|my|our))\b"
)


# --------------------------------------------------------------------------------------------------------------
# The spaCy pipeline and matcher, built once
# --------------------------------------------------------------------------------------------------------------


class _Detector:
    """The spaCy objects: a blank English pipeline and one Matcher."""

    def __init__(self, data: rule_files.RuleSet | None = None) -> None:
        """data: the rules to match (default: those in bot/nlp/rules/)."""
        import spacy
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        self.nlp.max_length = MAX_CHARS * 2
        # Welsh joins "'r" (the) and "'n" (yn) to the word before: "mae e'n curo'r plant", "mae'r babi'n tagu".
        # Split them off, as English "'s" is, so the Welsh rules see "e 'n curo 'r plant" and "babi 'n tagu".
        suffixes = [*self.nlp.Defaults.suffixes, r"(?<=[^\W\d_])['’][nr]$"]
        self.nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
        data = data or rule_files.rules()
        for word, norm in data.text_speak.items():
            self.nlp.vocab[word].norm_ = norm  # a lexeme's NORM applies to every token of that word
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        for rule in data.harm:
            if rule.name not in _CHECKS:
                raise rule.where.error(f"{rule.name}: a rule of harm.yml needs its check in bot/nlp/safety.py "
                                       "(_CHECKS); a new phrase with no check of its own goes in danger_now.yml")
            self.matcher.add(rule.name, rule.patterns)
        for rule in data.danger_now:
            self.matcher.add(rule.name, rule.patterns)
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
        self.has_child = any(n in W.CHILD_NOUNS and child_word_ok(self.norms, i) for i, n in enumerate(self.norms))
        self._sentence_cache: dict[tuple[int, int], str] = {}

    @functools.cached_property
    def writer_says_child(self) -> bool:
        """The writer gives an age under 18, a school year or "I'm a kid", or (in Welsh) says a parent of theirs is
        hurting them (checks.child_voice)."""
        return C.child_voice(self.doc.text)

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
            if self.norms[i] in W.NEGATIONS:
                if i < start and self.norms[start] in W.AGENTS and not set(self.norms[i:start]) & W.THINK_SAY:
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
        return bool(set(self.norms[lo:hi]) & W.RECORDS_TALK)

    def past(self, i: int) -> bool:
        """Long ago, anywhere in the sentence around token i ("my son hurt his knee at football last year"). The
        rest of the past check (over now, Welsh) is made nearer the match, by danger_now.not_now."""
        return C.long_ago(self.sentence(i))

    def accident(self, i: int) -> bool:
        return bool(_ACCIDENT.search(self.sentence(i)))

    def denied(self, i: int) -> bool:
        """'the report says I hit my son, that's not true'"""
        return C.denial(self.sentence(i))

    def fiction(self, i: int) -> bool:
        return C.news_or_film(self.sentence(i))

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
            after not in W.FILLER
            and after not in W.STATE_AUX
            and after not in W.NEGATIONS
            and (after not in W.PARTICIPLES and after not in W.NOT_POSSESSED)
            and after not in W.BODY_PARTS
        )

    def her_is_determiner(self, i: int) -> bool:
        """'her' at i is a determiner ('hit her son') rather than a person ('hit her hard')."""
        nxt = self.at(i + 1)
        if not nxt or not nxt[0].isalpha():
            return False
        return nxt not in W.FUNCTION_WORDS and nxt not in W.ADVERB_AFTER_HER

    def next_content(self, i: int) -> tuple[int, str]:
        """The first token from i on that is not a determiner."""
        while i < self.n and self.norms[i] in W.WITH_DETS | W.DETERMINERS:
            i += 1
        return i, self.at(i)


def _victim_ok(ctx: _Ctx, i: int) -> bool:
    word = ctx.at(i)
    if not child_word_ok(ctx.norms, i):
        return False
    if word == "her" and ctx.her_is_determiner(i):
        return False
    if word == "me" and ctx.at(i + 1) in W.CHILD_NOUNS:
        return False  # "me kids": the longer match has the child as victim
    return not ctx.possessive(i)


def _with_nonviolent(ctx: _Ctx, after: int) -> bool:
    """'with a huge council tax bill', 'with court action' (but not 'with a knife')."""
    if ctx.at(after) != "with":
        return False
    for j in range(after + 1, min(ctx.n, after + 7)):
        word = ctx.norms[j]
        if word in W.WEAPONS or not word[:1].isalnum():
            return False
        if word in W.NONVIOLENT_WITH:
            return True
    return False


def _find_back(ctx: _Ctx, lo: int, hi: int, words: frozenset[str]) -> int:
    for i in range(hi - 1, lo - 1, -1):
        if ctx.norms[i] in words:
            return i
    return -1


def _check_violence(ctx: _Ctx, start: int, end: int) -> _Match | None:
    victim = end - 1
    verb = _find_back(ctx, start + 1, victim, W.VIOLENT_VERBS)
    return _violence(ctx, start, verb, start, end)


def _check_violence_and(ctx: _Ctx, start: int, end: int) -> _Match | None:
    """ "he comes home drunk and hits us": the person is further back in the sentence."""
    agent = _find_back(ctx, ctx.sentence_start(start), start, W.AGENTS)
    if agent < 0:
        return None
    return _violence(ctx, agent, _find_back(ctx, start + 1, end - 1, W.VIOLENT_VERBS), start, end)


def _violence(ctx: _Ctx, agent: int, verb: int, start: int, end: int) -> _Match | None:
    victim = end - 1
    if verb < 0 or not _victim_ok(ctx, victim):
        return None
    v, who, nxt = ctx.norms[verb], ctx.norms[victim], ctx.at(end)
    if ctx.negated(min(agent, start), verb):
        return None
    threat = any(ctx.at(j).startswith("threat") for j in range(verb - 3, verb))  # "he's threatening to throw her"
    if v in W.VERBS_NEEDING_PARTICLE and not threat and not any(
        ctx.at(j) in W.VERBS_NEEDING_PARTICLE[v] for j in range(end, end + 5)
    ):
        return None
    childish = who in W.CHILD_NOUNS or (who in W.AMBIGUOUS_PEOPLE and ctx.has_child)
    if v in W.VERBS_CHILD_ONLY and not childish:
        return None
    if v.startswith("kill") and who in {"me", "us"} and v == "killing" and ctx.at(verb - 1) in W.BE:
        return None  # "this form is killing me", "my kids are killing me"
    if "one more time" in ctx.sentence(verb):
        return None  # "if he leaves his boots in the hall one more time I'll kill him"
    if v.startswith("murder") and nxt == "for":
        return None  # "she'll murder me for telling you"
    granny = ctx.norms[agent] in {"nan", "nana", "nanna", "gran", "granny", "grandma", "nain", "mamgu"}
    if v in {"kill", "murder"} and who == "me" and nxt == "if" and granny:
        return None  # "my nan will kill me if she finds out"
    stakes = set(ctx.norms[end + 1 : end + 9])  # what the "kill me if ..." is about
    if v in {"kill", "murder"} and who in {"me", "us"} and nxt in {"if", "when"} and stakes & W.SCHOOL_STAKES:
        return None  # "mum will murder me if she sees my phone bill", "me mum will kill me if i fail my GCSEs"
    if v == "kill" and who in {"me", "us"} and nxt == "if" and (
        (ctx.at(end + 1) == "i" and ctx.at(end + 2) in {"do", "forget", "miss", "lose", "break", "am", "'m", "m"})
        or stakes & W.MONEY_STAKES
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


def _by_person(ctx: _Ctx, after: int) -> bool | None:
    """None when no 'by' follows; True/False whether the 'by' names a person."""
    while ctx.at(after) in W.BY_ADVERBS:
        after += 1  # "hit hard by the changes"
    if ctx.at(after) != "by":
        return None
    _, word = ctx.next_content(after + 1)
    return word in W.AGENTS or word in {"him", "her", "them", "someone", "somebody"}


def _check_passive(ctx: _Ctx, start: int, end: int) -> _Match | None:
    verb = end - 1
    who, v = ctx.norms[start], ctx.norms[verb]
    if not child_word_ok(ctx.norms, start):
        return None
    auxes = set(ctx.norms[start + 1 : verb])
    last_aux = next((w for w in reversed(ctx.norms[start + 1 : verb]) if w not in W.PASSIVE_ADVERBS), "")
    if last_aux not in W.BE_GET:
        return None  # "he's going to hurt" is not passive
    by = _by_person(ctx, end)
    if by is False or _with_nonviolent(ctx, end):
        return None  # "hurt by the council's decision", "threatened with court"
    if v in W.WEAK_PARTICIPLES:
        strong = auxes & (W.STRONG_PASSIVE_AUX - {"was", "were"})
        if not strong and not by and not (v == "touched" and ctx.at(end) in {"inappropriately", "up"}):
            return None  # "I'm hurt", "I was touched by your message"
    elif v not in W.STRONG_PARTICIPLES and not auxes & W.STRONG_PASSIVE_AUX and not by:
        return None  # "I'm beaten" (I give up)
    if v.startswith(("kick", "burn", "burnt")) and ctx.at(end) == "out":
        return None  # "kicked out", "I got burnt out caring for my mum"
    if ctx.negated(start, verb) or ctx.past(verb) or ctx.fiction(verb) or ctx.denied(verb):
        return None
    if ctx.asks_about_records_if(start):
        return None  # "can a prediction model tell if a child will be harmed"
    if v in W.WEAK_PARTICIPLES | {"kicked", "knocked", "bashed", "whacked", "beaten", "beat"} and ctx.accident(verb):
        return None
    return _Match("passive", start, end, who)


def _safe_suffix_ok(ctx: _Ctx, after: int) -> bool:
    nxt = ctx.at(after)
    if nxt in {"online", "internet", "about", "sharing", "using", "giving", "telling", "if"}:
        return False
    if nxt == "on" and ctx.at(after + 1) in {"the", "this", "that", "your", "line", "social", "here", "there"}:
        return False
    if nxt == "to" and ctx.at(after + 1) not in W.TO_OK:
        return False
    if nxt == "with":
        _, word = ctx.next_content(after + 1)
        return word in W.AGENTS or word in {"him", "her", "them"}
    return not ctx.is_gerund(after)


def _check_unsafe(ctx: _Ctx, start: int, end: int) -> _Match | None:
    last = ctx.norms[end - 1]
    subject = next(i for i in range(start, end) if ctx.norms[i] in W.STATE_SUBJECTS)
    who = ctx.norms[subject]
    if not child_word_ok(ctx.norms, subject):
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
            violent = nxt in {"being", "getting"} and after in W.PARTICIPLES and ctx.at(end + 3) != "out"
            if not (violent or nxt in {"him", "her", "death", "dying", "harm", "abuse", "violence"}):
                return None  # "in danger of failing maths"
    if ctx.past(start) or ctx.asks_about_records_if(subject):
        return None  # "... share my records if they think my kids are in danger"
    return _Match("unsafe", start, end, who)


def _check_unsafe_it(ctx: _Ctx, start: int, end: int) -> _Match | None:
    nxt, after = ctx.at(end), ctx.at(end + 1)
    place = nxt in W.SAFE_PLACES or (nxt in {"at", "in"} and after in {"home", "the", "this", "my", "our"})
    person = nxt == "for" and (after in W.VICTIMS or ctx.next_content(end + 1)[1] in W.VICTIMS)
    home = nxt == "to" and after in {"go", "stay", "be"} and ctx.at(end + 2) in {"home", "back", "there"}
    if not (place or person or home) or ctx.past(start):
        return None
    if person:
        i, who = ctx.next_content(end + 1) if after not in W.VICTIMS else (end + 1, after)
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
        if not _victim_ok(ctx, end - 1) and not (nxt in {"'s", "'", "s"} and ctx.at(end + 1) in W.LIFE):
            return None
        ok_next = nxt == "" or nxt in W.FEAR_FOR_OK_NEXT or (nxt in {"'s", "'", "s"} and ctx.at(end + 1) in W.LIFE)
        if not ok_next or ctx.services(start):
            return None
        return _Match(rule, start, end, last)
    # fear_of
    if last == "her" and ctx.her_is_determiner(end - 1):
        return None
    if ctx.possessive(end - 1) or ctx.services(start):
        return None
    if ctx.at(end) in W.BENIGN_GERUNDS and last != "ex":
        return None  # "scared of my mum finding out"
    return _Match(rule, start, end, "me", agent=last, agent_prev=ctx.at(end - 3))


def _check_self_harm(ctx: _Ctx, start: int, end: int, rule: str) -> _Match | None:
    words = ctx.norms[start:end]
    nxt = ctx.at(end)
    if words[0] in W.NEGATIONS:  # "don't want to live"
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
    elif words[0] in W.CAN:  # "can't go on"
        if nxt not in {"", ".", "!", ",", "anymore", "any", "like", "living"}:
            return None
    elif words[0] not in {"no", "nothing"} and ctx.negated(start, start + 1):
        return None
    if words[-1] in W.DIE and nxt in {"of", "laughing", "for", "than", "to"}:
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
    if ctx.norms[end - 1] not in W.REFLEX_WRITER | {"self"}:
        who = _speaker_before(ctx, start)
        if who is not None and who != "i":
            return _Match("self_harm_other", start, end, who)
    return _Match(rule, start, end, "myself")


def _speaker_before(ctx: _Ctx, start: int) -> str | None:
    """Who a phrase like "wants to die" is about: the nearest person before it in the sentence."""
    for i in range(start - 1, ctx.sentence_start(start) - 1, -1):
        word = ctx.norms[i]
        if word in {"i", "he", "she", "they", "we"} or word in W.CHILD_NOUNS or word in W.ADULT_NOUNS:
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
    if not child_word_ok(ctx.norms, start):
        return None
    if rule == "suicidal" and who in {"feel", "feeling", "felt", "having", "have", "had", "getting"}:
        who = "i"
    # "not breathing", "won't wake", "can't breathe": the negation is the danger, not a denial of it
    not_breathing = rule == "medical" and ctx.norms[end - 1] in {"breathing", "breathe", "wake", "waking", "moving"}
    if (not not_breathing and ctx.negated(start, end - 1)) or ctx.past(start):
        return None
    if C.statistic(ctx.sentence(start)):
        return None  # "how many children commit suicide each year"
    if rule != "medical" and any(ctx.at(j) in {"if", "whether", "when"} for j in range(start - 3, start)):
        return None  # "what happens to my data if my child self harms"
    if ctx.possessive(start) and rule != "suicidal":
        return None
    nxt = ctx.at(end)
    if rule == "ingest":
        mids = ctx.norms[start + 1 : end - 1]
        obj = ctx.norms[end - 1]
        verb_at = _find_back(ctx, start + 1, end - 1, W.INGEST_VERBS)
        between = ctx.norms[verb_at + 1 : end - 1]
        strong_quantity = set(between) & (W.QUANTITY - {"some", "a", "an", "the", "of"})
        if any(_number(w) >= 5 for w in between):
            strong_quantity = {"many"}  # "I've taken 30 paracetamol"
        if who == "i" and set(mids) & {"already", "just"} and not set(between) & W.OWN_DET:
            strong_quantity = {"already"}  # "I have already taken the tablets"
        if set(between) & W.INGEST_ADJ:
            strong_quantity = {"kind"}  # "the washing tablet", "nan's heart pills": harmful in any amount
        own = set(between) & W.OWN_DET
        child_took_parents = who in W.CHILD_NOUNS and (
            own & {"my", "your"} or set(between) & {"mum", "mums", "dad", "dads", "nan"}
        )
        if own and not strong_quantity and not child_took_parents:
            return None  # "my son has taken his tablets"
        if obj not in W.DANGEROUS_ANY_AMOUNT and not strong_quantity and not child_took_parents:
            return None  # "she took paracetamol"
        taking_now = ctx.norms[verb_at] == "taking" and (obj in W.OVERDOSE or strong_quantity)
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
        if last in W.MISSING and nxt not in W.MISSING_OK_NEXT and nxt != "":
            return None  # "my son is missing school"
        if ctx.services(start) and last != "away":
            return None  # "my son is missing from the register"
    elif rule == "medical":
        last = ctx.norms[end - 1]
        if last == "choking" and nxt == "on" and ctx.past(start):
            return None
        if last in W.SEIZURE and nxt == "of":
            return None  # "a fit of the giggles"
        on_floor = nxt == "on" and ctx.at(end + 2) in {"floor", "ground", "bed", "sofa", "settee", "carpet"}
        if last == "fitting" and not on_floor and nxt not in {"", "now", "again", "and", "help", "please", "pls",
                                                                "right", "still"}:
            return None  # "my son is fitting in well", "fitting the new cot"
        if _everyday_not(ctx, end):
            return None  # "my son won't wake up for school", "my son is not moving schools"
        if last == "drowning" and nxt == "in" and ctx.at(end + 1) not in W.WATER:
            return None  # "my son is drowning in homework"
        if last == "bleeding" and not set(ctx.norms[end : end + 6]) & W.BAD_BLEEDING:
            return None  # "my son is bleeding" (a graze, a nosebleed): only a bad bleed is an emergency
    return _Match(rule, start, end, who)


def _everyday_not(ctx: _Ctx, end: int) -> bool:
    """True when the words after "not moving" / "won't wake" make it everyday life, not an emergency.

    Keyed on the danger word, so "not breathing on his own" stays a crisis while "not moving on" does not.
    """
    last = ctx.norms[end - 1]
    if last == "up":
        last = ctx.norms[end - 2]  # "... and won't wake up": the pattern ends on "up"
    if last == "moving":
        return ctx.at(end) in W.MOVING_ON
    if last in {"wake", "waking"}:
        return bool(set(ctx.norms[end : end + 5]) & W.WAKE_ROUTINE)
    return False


def _check_and_not_moving(ctx: _Ctx, start: int, end: int) -> _Match | None:
    lo = ctx.sentence_start(start)
    child = next((i for i in range(start - 1, lo - 1, -1) if ctx.norms[i] in W.CHILD_NOUNS
                  and child_word_ok(ctx.norms, i)), None)
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
    if rule == "weapon" and not set(words[1:]) & W.WEAPON_VERBS:
        return None
    if rule == "weapon" and ctx.at(end) in {"conviction", "crime", "offence", "charge", "charges", "possession",
                                            "amnesty", "set", "block", "drawer", "sharpener"}:
        return None  # "it says I have a knife conviction"
    if rule == "break_in" and words[-1] == "down" and not set(words) & W.DOOR:
        return None  # "he broke down in tears"
    if rule == "disposition" and ctx.at(end) in {"video", "games", "films", "tv", "content", "game"}:
        return None
    return _Match(rule, start, end, "him", agent=ctx.norms[start], agent_prev=ctx.at(start - 2))


def _check_strangle_hands(ctx: _Ctx, start: int, end: int) -> _Match | None:
    if ctx.negated(start, start + 1) or ctx.past(start) or ctx.fiction(start):
        return None
    words = ctx.norms[start + 2 : end - 1]
    child = next((w for w in words if w in W.CHILD_NOUNS), None)
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
    if ctx.norms[start] == "i" or not any(ctx.at(j) in W.SEXUAL for j in range(end, end + 6)):
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



def writer_says_child(text: str) -> bool:
    """The writer says they are a child: an age or school year under 18, "I'm only a kid", "mae dad yn fy nghuro i"."""
    return C.child_voice(clean_text(text) or "")


def _is_parent_role(agent: str | None, agent_prev: str | None) -> bool:
    if agent in W.PARENT_ROLES:
        return True
    return agent in W.PARENT_PARTNERS and agent_prev in {"mum", "mums", "dad", "dads", "mother", "father"}


def _writer_may_be_child(ctx: _Ctx, matches: list[_Match]) -> bool:
    if ctx.writer_says_child:
        return True
    for m in matches:
        writer_victim = m.who in W.WRITER_WORDS or m.who in {"mum", "mother", "brother", "sister", "siblings"}
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
    if who in W.CHILD_NOUNS or who == "them":
        return CHILD_IN_DANGER
    if m.rule in {"self_harm_other", "disposition", "weapon", "break_in"}:
        return CHILD_IN_DANGER if ctx.has_child or writer_child else ADULT_IN_DANGER
    if who in W.AMBIGUOUS_PEOPLE:
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
                if checked.who in W.CHILD_NOUNS or len(found) >= MAX_FOUND:
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
