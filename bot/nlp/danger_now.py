"""Danger now, said in everyday words: the crisis detector's second family of rules.

The rules in bot/nlp/safety.py read "someone does something to someone" ("he's hitting the kids") and "someone is
in a state" ("my son is choking"). Parents in an emergency more often write what they see: "blood everywhere it
won't stop", "she's gone floppy", "he's outside kicking the door in", "cant find my son anywhere", "I can smell
gas", "ive tied the rope". Each rule here is a short token pattern for one such phrase, with what must be around
it (a word in the same sentence, the next word, who it is about). All of them then pass the same checks as the
other rules: not the past ("last year", "he's fine now"), not a record being quoted ("the notes say she was
floppy"), not a question about records ("would they share it if ..."), not a hypothetical ("if he stopped
breathing would anyone investigate me"), not a film, not a statistic.

The patterns and settings of each rule are data, in bot/nlp/rules/*/danger_now.yml; the named checks they use are in
bot/nlp/checks.py. not_now() applies those checks around a match; safety._find runs it on every match of both
families. check() is the rest, for one rule. A rule marked self_harm is about someone harming themselves (the
writer, or whoever is named before); the others are about whoever is named nearest before the phrase, and the kind
is a child's danger when the message names a child.

Tested by the lines in tests/nlp/data/crisis.txt and near_misses.txt; docs/safety.md says where they came from
and how well the rules do on messages nobody tuned them on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.nlp import checks as C
from bot.nlp import rules as rule_files
from bot.nlp.checks import child_word_ok
from bot.nlp.rules import WORDS as W


@dataclass(frozen=True)
class NowRule:
    """One phrase and what must be around it."""

    patterns: list[list[dict]]
    self_harm: bool = False  # about someone harming themselves (kind self_harm / self_harm_other)
    negation_is_danger: bool = False  # "not breathing": a negation does not throw the match out
    context: frozenset[str] = frozenset()  # the sentence must also have one of these words (empty: no need)
    context_outside: bool = False  # ... outside the phrase itself ("nowhere to stay tonight" needs more than "stay")
    next_ok: frozenset[str] | None = None  # the word after the match must be one of these ("" is the end)
    next_not: frozenset[str] = frozenset()  # ... or must not be one of these
    not_writer: bool = False  # throw out when the person nearest before is the writer ("I can't breathe")
    needs_person: bool = False  # a person must be named before the phrase in the sentence
    adult_agent: bool = False  # the person nearest before must not be a child ("my uncle keeps coming in my room")
    default_who: str = "they"
    everyone: bool = False  # the danger is to everyone there ("I can smell gas"): a child's if the message names one
    extra: tuple[str, ...] = field(default_factory=tuple)  # named extra checks, see _EXTRA


# ------------------------------------------------------------------------------------------------------------------
# The checks every rule passes (the named checks themselves are in bot/nlp/checks.py)
# ------------------------------------------------------------------------------------------------------------------


def _young(ctx) -> bool:  # noqa: ANN001
    """The message names a child, the writer says they are one ("im 14"), or gives someone's age under 18."""
    return bool(ctx.has_child or ctx.writer_says_child or C.THIRD_PERSON_CHILD.search(ctx.doc.text))


def _person_before(ctx, start: int) -> tuple[int, str] | None:  # noqa: ANN001
    lo = ctx.sentence_start(start)
    for j in range(start - 1, max(lo, start - 14) - 1, -1):
        word = ctx.norms[j]
        if word in W.PEOPLE and _word_is_person(ctx, j):
            return j, word
    return None


def _word_is_person(ctx, j: int) -> bool:  # noqa: ANN001
    return child_word_ok(ctx.norms, j) and (not ctx.possessive(j) or ctx.norms[j] in {"he", "she", "it"})


def _person_in(ctx, start: int, end: int) -> str | None:  # noqa: ANN001
    for j in range(start, end):
        if ctx.norms[j] in W.PEOPLE and ctx.norms[j] not in {"i", "me", "us", "we"} and _word_is_person(ctx, j):
            return ctx.norms[j]
    return None


SHORT_MESSAGE = 40  # tokens: a message this short is one thought, so its words all count as context


def _words(ctx, start: int) -> set[str]:  # noqa: ANN001
    if ctx.n <= SHORT_MESSAGE:
        return set(ctx.norms)  # "hes back. hes drunk. hes got the baby. please"
    lo, hi = ctx.window(start)
    return set(ctx.norms[lo:hi])


NEAR_TOKENS = 20  # how far either side of a match not_now's markers count: a long rant can hold both


def not_now(ctx, start: int) -> bool:  # noqa: ANN001
    """The match at start is not news of danger now: the past ("when he was 2, he's fine now"), a record quoted
    ("the notes say he was floppy"), a hypothetical ("if I said he hit me would they..."), the news or a
    statistic. Every crisis rule passes this check."""
    lo, hi = ctx.window(start)
    lo = max(lo, start - NEAR_TOKENS)
    # "I filled in your form last week, but never mind that, my son's just collapsed": the past ends at the turn
    turn = next((j + 1 for j in range(start - 1, lo - 1, -1) if ctx.norms[j] in W.TURN), lo)
    if not set(ctx.norms[turn : start + 4]) & {"was", "were", "had", "did", "used"}:
        lo = turn  # but not "I'm better now, but I was suicidal after my second baby"
    near = " ".join(t.text for t in ctx.doc[lo : min(hi, start + NEAR_TOKENS)])
    if C.past(near, _words(ctx, start)) or C.quoted_record(near) or C.news_or_film(ctx.sentence(start)):
        return True
    return C.hypothetical_before(ctx, start)


def check(  # noqa: C901, PLR0911, PLR0912
    ctx, start: int, end: int, name: str, rule: NowRule  # noqa: ANN001
) -> tuple[str, str] | None:
    """(rule name for the match, who) when the phrase at start:end is danger now, else None. The caller has
    already checked not_now."""
    sentence = ctx.sentence(start)
    if ctx.past(start) or ctx.fiction(start) or ctx.denied(start) or C.statistic(sentence):
        return None
    if ctx.asks_about_records_if(start):
        return None
    if not rule.negation_is_danger and ctx.negated(start, end):
        return None
    words = _words(ctx, start)
    around = words - set(ctx.norms[start:end]) if rule.context_outside else words
    if rule.context and not around & rule.context:
        return None
    nxt = ctx.at(end)
    if rule.next_ok is not None and nxt not in rule.next_ok:
        return None
    if nxt in rule.next_not:
        return None
    before = _person_before(ctx, start)
    who = "they" if rule.everyone else _person_in(ctx, start, end) or (before[1] if before else rule.default_who)
    if rule.needs_person and before is None and _person_in(ctx, start, end) is None:
        return None
    writer_first = ctx.norms[start] in W.WRITER or (before is not None and before[1] in W.WRITER
                                                    and not _person_in(ctx, start, end))
    if rule.not_writer and writer_first and not words & W.OWN_EMERGENCY:
        return None  # "I can't breathe with all this stress"; not "cant breathe, my inhaler is empty"
    agent = ctx.norms[start] if ctx.norms[start] in W.PEOPLE else (before[1] if before else None)
    if rule.adult_agent and (agent is None or agent in W.CHILD_NOUNS):
        return None
    for extra in rule.extra:
        verdict = _EXTRA[extra](ctx, start, end, words, who)
        if verdict is False:
            return None
        if isinstance(verdict, str):
            who = verdict
    if rule.self_harm:
        writer = who in W.WRITER or who == "myself"
        return ("self_harm", "myself") if writer else ("self_harm_other", who)
    return name, who


# ------------------------------------------------------------------------------------------------------------------
# Extra checks for single rules: True/None to keep the match, False to throw it out, a word to name who
# ------------------------------------------------------------------------------------------------------------------


def _unresponsive(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if "wake" in phrase or "waking" in phrase or "woken" in phrase or "woke" in phrase:
        after = ctx.norms[end : end + 5]
        if "since" not in after and set(after) & W.WAKE_ROUTINE:
            return False  # "he won't wake up for school"
    if "responding" in phrase and ctx.services(start):
        return False  # "the council is not responding to my emails"
    if "coming" in phrase or "come" in phrase:
        return bool(words & W.MEDICAL_CONTEXT)  # "he's not coming round tonight" is a visit
    if phrase[:2] == ["passed", "out"] and ctx.at(start - 1) in {"nearly", "almost", "near"}:
        return False
    if phrase[-1] == "coming":
        return bool(words & {"pregnant", "own", "alone", "waters", "contractions", "labour", "weeks"})
    if phrase[-1] in {"blue", "grey", "gray", "purple", "blew"}:
        near = set(ctx.norms[max(0, start - 6) : start])
        return bool(near & (W.BODY_WORDS | W.CHILD_NOUNS | {"he", "she", "they"}))
    if phrase[-1] == "limp" and ctx.at(start) in {"a", "with"}:
        return False
    if phrase[-1] in {"move", "moving"} and ctx.at(end) in W.NEGATIONS:
        return None
    return None


def _held(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if phrase[-1] == "by":
        return ctx.at(end) in {"the", "my", "her", "his"} and ctx.at(end + 1) in {"throat", "neck", "hair", "arm"}
    if phrase[-1] == "leave" and "let" not in phrase and not (set(phrase) & W.NEGATIONS or "cannot" in phrase):
        return False
    if "let" in phrase and phrase[-1] == "out" and ctx.at(end) == "of" and ctx.next_content(end + 1)[1] in {
            "bedroom", "room", "car", "flat", "van", "bathroom", "toilet"}:
        agent = _person_before(ctx, start)
        return agent is None or agent[1] not in W.PARENT_ROLES  # "a man won't let her out of the bedroom"
    if "let" in phrase and phrase[-1] in {"go", "out"}:
        return False if phrase[-1] == "out" else None  # "won't let me go out" is a curfew
    return None


def _coming_for(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if phrase[0] in {"waiting", "outside", "looking"} and phrase[-2] == "for":
        return bool(words & ({"gang", "owes", "debt", "threatened", "threatening", "hurt", "kill", "drugs", "carry",
                              "lads", "county"} | W.WEAPONS))
    if ctx.possessive(end - 1):
        return False  # "he went for my son's parents evening"
    if "get" in phrase and not words & W.FEAR_OR_HELP:
        return False  # "his dad is coming back to get him at 5"
    if "went" in phrase and ctx.at(phrase.index("went") + start - 1) not in {"just", "then", "and"}:
        return False
    if "kicking" in phrase and "off" in phrase and not (ctx.norms[end - 1] in W.CHILD_NOUNS or words & W.FEAR_OR_HELP):
        return False
    if set(phrase) & {"finish", "do", "sort"} and not words & (W.FEAR_OR_HELP | W.THREAT_CONTEXT):
        return False  # "he'll sort me out with a lift", "finish it off"
    if phrase[0] in {"coming", "way", "waiting", "outside", "back", "round", "over", "here"}:
        if _person_before(ctx, start) is None:
            return False
    return None


def _not_child_agent(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    if ctx.at(end) in {"around", "round", "about"} and ctx.norms[start] in {"he", "she", "they"}:
        return False  # "they keep following me around" (the kids)
    return ctx.norms[start] not in W.CHILD_NOUNS


def _taking(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    if ctx.norms[start] in {"they", "them"} and ctx.services(start):
        return False  # "they'll take the bairns off you": fear of services, which the classifiers answer
    if ctx.at(end) in {"to", "for"} and not words & {"drunk", "knife", "high", "hostage", "kill", "threatening"}:
        return False  # "he's taking the kids to school"
    return ctx.norms[end - 1]


def _kicked_out(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """A young person thrown out tonight, or anyone out on the street in the cold; "I can't go home tonight" when
    the writer is a child or names a threat."""
    if words & {"slept", "was", "were", "used"}:
        return False  # "I got kicked out at 16 and slept rough for a bit"
    if ctx.writer_says_child:
        return "me"
    if _young(ctx) and words & {"tonight", "sleeping", "park", "street", "streets", "cold", "freezing", "nowhere",
                                "minus", "rough", "stairwell"}:
        return "child"  # "my 15 yr old has been kicked out by his dad and is sleeping in the park tonight"
    if ctx.norms[start] in W.CAN:
        return "me" if words & {"drunk", "kill", "hurt", "hit", "scared", "beat", "sort"} else False
    if words & {"street", "streets", "rough", "nowhere", "freezing"}:
        return "me" if ctx.norms[start + 1] in {"me", "us"} or ctx.norms[start] in {"got", "been", "was"} else who
    return False


def _alone(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """A child left alone or in danger from neglect now: the message must name a child (or a young writer) and say
    something of the danger ("no food", "by the canal", "in the snow")."""
    cared_for = "looking" in ctx.norms[start:end] and ctx.at(end) == "after" and ctx.at(end + 1) in {"us", "me"}
    young = _young(ctx) or cared_for
    if not young or not words & W.ALONE_CONTEXT - set(ctx.norms[start:end]):
        return False
    if ctx.services(start) and not words & {"hungry", "food", "freezing", "alone", "drunk", "high", "wandering",
                                            "motorway", "crying", "road"}:
        return False  # "nobody at the council is answering"
    return "child" if ctx.has_child else "me"


def _abduction(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """Taken now, somewhere, by someone who may not: both must be said ("taking them to the plane now and the
    judge said no"). A forced marriage or FGM needs a young person and a sign that it is forced."""
    phrase = ctx.norms[start:end]
    young = ctx.has_child or C.THIRD_PERSON_CHILD.search(ctx.doc.text)
    if phrase[1:2] and phrase[1] in {"snatched", "abducted", "kidnapped", "bundled", "pulled", "dragged", "grabbed",
                                     "taken"}:
        if phrase[1] == "taken" and not words & (W.AWAY | {"bringing", "back"}):
            return False
        if not young and ctx.writer_says_child:  # "im 13 and i just got pulled into a van": the writer, taken
            j = start - 1
            while j >= 0 and ctx.norms[j] in {"just", "got", "been", "was", "have", "had", "ve", "literally"}:
                j -= 1
            young = j >= 0 and ctx.norms[j] in {"i", "ive", "im"} and (
                phrase[1] in {"snatched", "abducted", "kidnapped", "bundled"} or bool(words & W.VEHICLES))
        return "child" if young and (phrase[1] != "pulled" or ctx.at(end) in {"car", "van", "a", "the"}) else False
    if phrase[-2:-1] == ["and"] and phrase[-1] in {"ran", "run", "left", "drove", "went", "gone"}:
        return "child"  # "he took the baby and ran"
    if phrase[0] in {"car", "van", "driven", "drove", "sped"}:
        return "child" if young and words & {"gone", "grabbed", "pulled", "took", "missing", "taken", "banging",
                                             "screaming", "woman", "man", "stranger", "know"} else False
    if phrase[-1] in {"woman", "man", "men", "stranger", "strangers", "someone", "older"}:
        return "child" if young else False  # "my 5 yr old got in a car with a woman we don't know"
    if phrase[0] in W.NEGATIONS and phrase[1] in {"her", "his", "their"}:
        return "child" if words & {"scared", "man", "woman", "with", "frightened"} else False  # "isn't her dad"
    if phrase[0] in {"taking", "took", "taken"} and words & {"man", "men", "stranger", "woman"} and words & {
            "scared", "want", "screaming", "know", "crying"}:
        return "child"  # "a man who says he's taking her to london and she doesn't want to go"
    stranger = _person_before(ctx, start)
    if stranger is not None and stranger[1] in {"someone", "somebody", "man", "woman", "stranger", "men", "people"} \
            and phrase[0] in {"taken", "took", "taking", "snatched", "grabbed"}:
        return "child"  # "someone has just taken my baby out of the pram"
    if phrase[-1] in {"married", "marry", "cut", "fgm"}:
        young = _young(ctx)
        forced = words & {"forced", "force", "make", "making", "heard", "scared", "without", "abroad", "flight",
                          "airport", "holiday", "somalia", "sudan", "egypt", "packed", "fgm", "taking", "take", "away"}
        heard = words & {"heard", "forced", "force", "scared", "making", "make"}
        return ("child" if ctx.has_child else "me") if (young and forced) or heard else False
    if not words & W.NOT_ALLOWED:
        return False
    if phrase[0] in W.NEGATIONS and phrase[-1] in {"see", "have", "contact", "be"} and not words & (
            W.AWAY | {"picked", "took", "taken", "outside", "gates", "here", "now"}):
        return False  # "he's not allowed to see them" on its own is a question about contact
    if phrase[0] not in W.NEGATIONS and phrase[:2] != ["prohibited", "steps"] and not words & (W.AWAY | {"now"}):
        return False
    return "child"


def _exploited(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if ctx.services(start) and not words & {"drugs", "men", "stuff"}:
        return False
    if phrase[0] in {"being", "been", "getting", "making", "made", "forcing", "forced", "make", "makes"} and \
            phrase[-1] in {"things", "stuff", "sex"}:
        return "child" if ctx.has_child else "them"  # made to do things: danger at any age
    if phrase[0] in {"selling", "sold", "sell", "pimping", "touching", "groping", "fondling"} and ctx.possessive(
            end - 1):
        return False  # "selling my son's bike"
    if phrase[0] in {"undress", "undressing", "stripping", "touching", "groping", "fondling", "taking", "offering",
                     "offered", "offers", "do", "doing", "being", "acting", "selling", "sold", "sell"} and not words & {
            "camera", "facetime", "video", "online", "man", "men", "xbox", "webcam", "bedroom", "room", "naked",
            "nude", "more", "stay", "bed", "tonight", "car", "flat", "lads", "blokes", "guys", "older", "babysitter",
            "party", "drop", "only", "tells", "telling", "says", "night", "rough", "street", "streets"}:
        return False
    if phrase[0] in {"post", "share", "send", "leak", "show"} and not words & {"if", "or", "unless", "says", "said",
                                                                           "everyone", "threatening", "nudes"}:
        return False
    if phrase[:2] == ["county", "lines"] and not words & {"tonight", "meet", "blade", "knife", "carry", "now",
                                                           "waiting", "taken", "flat"}:
        return False
    if phrase[-1] in {"owe", "owes"} and not words & {"men", "door", "gang", "outside", "hostel", "knife"}:
        return False
    needs_young = phrase[0] in {"older", "grown", "meeting", "meet", "meets", "see", "seeing", "given", "sold",
                                "handed", "have"} or phrase[-1] in {"phone", "shoes", "passport"}
    if needs_young and not words & {"taxi", "car", "flat", "sent", "tonight", "party", "hotel", "online", "room",
                                    "trap",
                             "borrowed", "gang", "messages", "tracking", "van", "tiktok", "snapchat", "snap", "xbox",
                             "instagram", "night", "scared"}:
        return False  # "older men" is not news on its own
    young = _young(ctx)
    if young:
        return "child" if ctx.has_child else "me"
    return False if needs_young else "me"  # offered a bed by a man while sleeping rough: danger at any age


def _he_is_here(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """"my mum is here to help" is not a threat; "he's outside, he's not supposed to know where we live" is."""
    if ctx.norms[start] == "help":
        return ctx.n <= 12  # "help hes here": a short plea
    strong = words & (W.HERE_CONTEXT - {"leave"})
    leave = "leave" in words and any(ctx.norms[j] in W.NEGATIONS
                                     for j in range(ctx.n) if ctx.at(j + 1) == "leave" or ctx.at(j + 2) == "leave")
    return bool(strong or leave) and not ctx.services(start)


def _missing(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if phrase[0] in {"bed", "cot", "room"}:
        who = "child"  # "his bed is empty and his window is wide open"
    if phrase[0] in {"car", "van", "man", "men", "guy", "bloke", "stranger", "someone"}:
        before = _person_before(ctx, start)
        who = before[1] if before else "child"  # "she got in a car with some older men", "a man she met online"
    if phrase[-1] == "in" and ctx.at(end) not in W.ENDS:
        return False  # "the kids haven't been in school for three weeks"
    if phrase[0] == "on" and not words & {"food", "days", "nobody", "alone", "dark", "night", "tonight", "scared",
                                          "hungry", "electric", "arrested", "heating"}:
        return False  # "can her dad do it on his own"
    if phrase[-1] == "answering" or phrase[-2:] in (["not", "home"], ["no", "home"], ["never", "home"]):
        if not words & {"bus", "wrong", "lost", "dark", "hours", "gone", "missing", "midnight", "location", "never",
                        "phone", "searching", "anywhere", "police"}:
            return False  # "the school isn't answering", "he's not home yet"
    if phrase[0] == "no":  # "there's no adults here, just me and the baby"
        return "child" if words & (W.CHILD_NOUNS | {"me"}) else False
    if ctx.at(end) == "for" and not (ctx.at(end + 1)[:1].isdigit() or ctx.at(end + 1) in {
            "hours", "days", "ages", "a", "over", "two", "three", "the"}):
        return False  # "he's not coming home for christmas"
    childish = who in W.CHILD_NOUNS or ctx.has_child or bool(
        who in {"he", "she", "him", "her", "they", "them"}
        and (ctx.writer_says_child or words & W.CHILDHOOD or C.THIRD_PERSON_CHILD.search(ctx.doc.text))
    )
    if childish and who not in W.CHILD_NOUNS | {"he", "she", "him", "her", "they", "them", "me"}:
        who = "child"  # "foster child (14) ... hanging about with older men, still not back"
    if not childish and ctx.writer_says_child:
        return "me"  # "im 13, mum hasn't been home for 3 days": the writer is the child left alone
    if not childish:
        return False  # "the letter never arrived", "my ex hasn't come home"
    if phrase[0] in {"ran", "run", "wandered", "walked", "stormed", "went", "gone", "bolted", "legged"}:
        before = _person_before(ctx, start)
        if before is None or before[0] < start - 4:
            return False  # "the bus went off", "the alarm went off"
        if phrase[0] == "went" and not words & {"find", "back", "answering", "phone", "hours", "hour", "dark"}:
            return False
        if ctx.at(end) == "with" and not set(ctx.norms[end + 1 : end + 6]) & (W.PEOPLE | {"someone", "somebody"}):
            return False  # "he ran off with my charger"
    if phrase[0] in {"meet", "meeting", "met"} and not words & {"online", "internet", "snapchat", "app",
                                                                  "instagram", "tiktok", "know"}:
        return False
    if phrase[-1] in {"up", "arrived", "arrive", "turned", "showed", "turn", "show"}:
        before = _person_before(ctx, start)
        if before is None or before[0] < start - 8:
            return False  # "the letter never arrived"
        j = start - 1
        while ctx.at(j) in W.SUBJECT_AUX:
            j -= 1
        if ctx.at(j) not in W.PEOPLE | {"and", ",", "but"}:
            return False  # "my son's school bus didn't turn up"
    if "when" in ctx.norms[max(0, start - 6) : start]:
        return False  # "when he doesn't come home on time I worry"
    return who


def _signs(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """A sign of serious illness or injury counts with something else that says so, or in a baby or child."""
    phrase = ctx.norms[start:end]
    rest = words - set(phrase)
    if phrase[0] in {"drunk"} and not rest & (W.CHILD_NOUNS | {"me", "us", "car", "fast", "scared"}):
        return False
    if not (rest & W.SIGNS_CONTEXT or ctx.has_child or ctx.writer_says_child):
        return False
    if phrase[-1] in {"bulge", "bulging"} and not rest & {"head", "soft", "spot", "fontanelle", "baby", "screaming"}:
        return False  # "the plaster is bulging"
    if phrase[-1] in {"feed", "feeding", "fed", "peed", "weed", "wee", "wet"} and not (
            ctx.has_child or rest & {"newborn", "weeks", "days"}):
        return False  # "he won't feed the cat"
    return None


SHORT_PLEA = 8  # tokens: a message this short that names a weapon, fire or "999" is a cry for help


def _short(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """Only in a short message: "SOS", "FIRE", "knife. kitchen. hes coming", "on the bridge". In a longer one these
    words are usually a question ("what does the knife crime figure mean")."""
    phrase = ctx.norms[start:end]
    if ctx.n > SHORT_PLEA and phrase[0] not in {"need", "send", "get", "call", "ring"}:
        return False
    if phrase[0] in {"need", "send", "get", "call", "ring"} and not (ctx.n <= SHORT_PLEA or words & {
            "now", "urgent", "please", "pls", "quick", "asap"}):
        return False  # "do I need to call the police about a data breach"
    if phrase[0] in {"sos", "999"} and ctx.n > 3 and not words & {"help", "now", "pls", "please", "urgent"}:
        return False  # "SOS forgot my reference number"
    if phrase[0] in W.WEAPONS and words & {"allegation", "cleared", "conviction", "crime", "record", "records", "file",
                                           "charge", "charges", "remove"}:
        return False  # "remove knife allegation, he was cleared"
    if phrase[0] in W.WEAPONS and not words & {"coming", "here", "got", "has", "outside", "door", "kitchen", "help",
                                               "he", "she", "hes", "shes"}:
        return False
    if phrase[0] == "💊" and not words & {"gone", "all", "sorry", "took", "taken", "bye"}:
        return False
    if phrase[0] == "fire" and ctx.n > 3 and not words & {"help", "pls", "please", "now", "kids", "baby"}:
        return False
    if phrase[-1] == "moving" and (ctx.at(end) not in W.ENDS or not words & (
            W.CHILD_NOUNS | {"fell", "floor", "stairs", "breathing", "help", "mum", "dad", "he", "she"})):
        return False  # "not moving house", "my son is not moving schools"
    if phrase[-1] in W.CHILD_NOUNS:
        return phrase[-1]
    return None


def _hiding(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    if ctx.norms[end - 1] in {"me", "us"} and not words & {"wardrobe", "cupboard", "hiding", "under", "scared",
                                                            "locked"}:
        return False  # "dad's looking for me, he wants his tea"
    if ctx.at(end - 1) == "from" and ctx.next_content(end)[1] not in W.PEOPLE:
        return False  # "hiding from the social", "hiding from my bills"
    if ctx.services(start) or words & {"seek", "presents", "present", "sweets", "toys"}:
        return False  # "hide and seek", "hiding the presents"
    return None


def _present(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    return not words & {"was", "were", "had"}


def _fire(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if phrase[-1] == "fire" and phrase[0] in {"caught", "catching", "set"}:
        # "the tent caught fire" is news only with someone in it or hurt: "my son is burnt", "he's still in there"
        return bool(words & {"burnt", "burned", "burning", "inside", "trapped", "still", "smoke", "help"})
    if phrase[:2] == ["carbon", "monoxide"]:
        return bool(words & {"alarm", "sick", "sleepy", "drowsy", "headache", "going", "beeping", "dizzy"})
    if phrase[-1] in {"fire", "smoke"} and ctx.at(end) in {"alarm", "alarms"}:
        return False  # "do the council fit smoke alarms"
    if phrase == ["flames"]:
        return bool(words & {"coming", "house", "window", "kids", "screaming", "flat", "upstairs", "inside"})
    if phrase == ["sparks"]:
        return bool(words & {"socket", "plug", "charger", "smoking", "cot", "duvet", "wire", "cable", "fire"})
    if phrase[0] in {"fallen", "fell", "gone", "slipped", "falling"}:
        return bool(words & (W.CHILD_NOUNS | {"see", "under", "help", "him", "her", "can"}))
    if phrase == ["sparking"]:
        return bool(words & {"water", "flood", "flooding", "ceiling", "wet"})
    if phrase == ["stuck"]:
        return bool(words & {"flood", "flooding", "water", "rising", "higher", "fire", "smoke", "flames", "cable",
                             "wire", "socket", "electric", "plug", "power"})
    if phrase == ["trapped"]:
        if ctx.at(start - 1) in {"feel", "feeling", "felt", "feels"} or ctx.at(end) == "wind":
            return False  # "I feel trapped", "the baby has trapped wind"
        return bool(words & {"fire", "smoke", "upstairs", "water", "flood", "flooding", "lift", "bedroom", "inside",
                             "stuck", "rubble", "burning", "car", "flames", "hot", "floor", "escalator", "blood",
                             "arm"})
    before = ctx.at(start - 2) if ctx.at(start - 1) in {"a", "the", "an"} else ctx.at(start - 1)
    if ctx.norms[start + 1 : end] in (["fire"], ["pan", "fire"]) and before in {
            "about", "of", "prevent", "avoid", "case", "stop", "against"}:
        return False  # "I lie awake worrying about a house fire"
    if phrase[0] == "water" and (words & {"ceiling", "roof", "leak", "leaking", "bathroom", "repairs"} or not words & (
            W.CHILD_NOUNS | {"flood", "flooding", "knees", "waist", "trapped", "river", "rising", "deep", "burst",
                             "storm", "fast"})):
        return False  # "water coming through the bathroom ceiling" is a repair
    if phrase[0] == "up" or phrase[-1] == "flooding":
        return bool(words & ({"water", "flood", "flooding", "river", "trapped"} | W.CHILD_NOUNS)) and (
            phrase[0] == "up" or bool(words & (W.CHILD_NOUNS | {"trapped", "fast"})))
    if phrase[0] == "ceiling":
        return bool(words & (W.CHILD_NOUNS | {"under", "trapped", "hurt", "stuck", "cot", "pram", "bed", "flood"}))
    if phrase[-1] == "trapped" and ctx.at(end) == "in" and ctx.at(end + 1) in {"a", "this", "the"} and \
            ctx.at(end + 2) in {"cycle", "relationship", "marriage", "job", "system", "loop", "debt", "situation"}:
        return False
    return None


def _self(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    nxt = ctx.at(end)
    if phrase[0] in {"end", "ending"}:
        before = ctx.norms[max(0, start - 3) : start]
        if nxt not in W.ENDS | {"all", "today", "soon", "tonite"} or (phrase[0] == "end" and not set(before) & {
            "to", "going", "gonna", "will", "'ll", "ll", "na", "gon", "want", "wanna", "just"
        }):
            return False  # "we can end it here", "I want to end it with him"
        before = _person_before(ctx, start)
        return "myself" if before is None or before[1] in W.WRITER else before[1]
    if phrase[-1] == "jump" and nxt not in W.ENDS | {"off"}:
        return False  # "going to jump on the trampoline"
    if phrase[-1] in {"bridge", "roof", "ledge", "edge", "cliff", "balcony", "platform", "tracks", "railway", "storey",
                      "carpark"}:
        if not words & {"jump", "come", "coming", "train", "goodbye", "end", "off", "down", "edge", "standing",
                        "stood", "sat", "sitting", "back", "bye", "cope", "anymore", "sorry", "climbing", "leaning",
                        "over"}:
            return False
        if phrase[-1] == "platform" and "train" not in words:
            return False
    if phrase[-1] in {"goodbye", "bye"} and not words & {"sorry", "love", "answer", "answering", "phone",
                                                          "bridge", "jump", "pills", "forever", "off", "hold", "reach",
                                                          "contact", "find", "locked", "wrists", "pic"}:
        return False
    if phrase[0] == "and" and not words & {"had", "taken", "took", "drunk", "vodka", "bottle", "whole", "swallowed"}:
        return False  # "... and my mum's tablets": only after "I've had a bottle of vodka"
    if phrase[:2] == ["been", "cutting"] and not words & {"blood", "now", "deep", "stop", "bleeding", "again"}:
        return False
    if phrase[0] in {"written", "wrote", "left", "writing"} and not words & {"tablets", "pills", "gone", "rope",
                                                                              "sorry", "goodbye", "knife", "bridge"}:
        return False  # "I've written a letter to the council"
    if phrase[0] == "cutting":
        needs = None  # "im cutting now"
    else:
        needs = W.SELF_HARM_CONTEXT.get(phrase[-1]) or W.SELF_HARM_CONTEXT.get(phrase[0])
    if needs is not None and not (words - set(phrase)) & needs:
        return False  # "got a rope for the swing", "left the engine running", "locked herself in the bathroom"
    if phrase[0] in {"burnt", "burned", "burning", "scalded"} and nxt in {"on", "with", "by"} and \
            ctx.at(end + 1) in {"the", "a", "an"} and ctx.at(end + 2) in {"oven", "iron", "cooker", "kettle", "hob",
                                                                          "pan", "stove", "radiator", "fire"}:
        return False  # "she burnt herself on the oven"
    if phrase[-1] in {"myself"} or (phrase[0] in {"end", "ending"}):
        return "myself"
    before = _person_before(ctx, start)
    if before is None or before[1] in W.WRITER:
        return "myself"
    return before[1]


def _welsh(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """The Welsh rules' checks, which the English ones (past, hypothetical, asking about records) cannot make:
    - the past ("wnaeth e fy nharo i flynyddoedd yn ôl"), a film or a story: not danger now;
    - a condition or a question ("os ydyn nhw'n meddwl bod fy mhlentyn mewn perygl ..."): not danger now, unless
      the message also says now or tonight, or makes a threat ("neith o ladd y plant os dwi'n ffonio rhywun");
    - a weapon only with the children, violence, a threat, now or a cry for help around it;
    - who: the writer for "fy hun" (myself), else a child when the message names one."""
    if ctx.norms[max(0, start - 2):start] in (["beth", "yw"], ["be", "ydi"], ["beth", "ydy"]):
        return False  # "beth yw cam-drin?": what abuse is
    if not words & W.CY_NOW and words & W.CY_IF and ctx.norms[start] not in W.CY_THREAT:
        return False  # but a threat made with a condition is still a threat
    if ctx.norms[start] == "mewn" and words & W.CY_QUESTION and not words & W.CY_NOW:
        return False
    if set(ctx.norms[start:end]) & W.CY_WEAPONS and (not (words - W.CY_WEAPONS) & W.CY_WEAPON_CONTEXT or (
            words & W.CY_KITCHEN and not words & (W.CY_VIOLENCE - W.CY_WEAPONS | W.CY_THREAT | W.CY_KILL))):
        return False  # "cyllell fach i dorri llysiau": a knife for the vegetables
    if ctx.at(end - 1) == "hun":
        return "myself" if ctx.at(end - 2) == "fy" else _welsh_who(ctx, start, end, words, who) or "him"
    return _welsh_who(ctx, start, end, words, who)




def _welsh_who(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """A child when a Welsh message names one ("mae fy mab wedi llyncu tabledi"); else the rule's own. Not the past
    or a film ("oedd y ffilm am y bachgen ar goll ..."), nor "ar dân eisiau" (keen to), nor lost with a form."""
    if ctx.norms[end - 1] in {"dân", "dan"} and ctx.at(end) in {"eisiau", "isio", "moyn", "i", "am", "dros"}:
        return False
    if ctx.norms[end - 1] == "goll" and words & {"dechrau", "deall", "drysu", "ffurflen", "system", "gwefan"}:
        return False  # "dwi ar goll, ble dw i'n dechrau?": lost with a form, not lost in town
    return "child" if words & W.CY_CHILDREN else None


_EXTRA = {
    "welsh": _welsh,
    "welsh_who": _welsh_who,
    "unresponsive": _unresponsive,
    "held": _held,
    "coming_for": _coming_for,
    "not_child_agent": _not_child_agent,
    "taking": _taking,
    "kicked_out": _kicked_out,
    "alone": _alone,
    "abduction": _abduction,
    "exploited": _exploited,
    "he_is_here": _he_is_here,
    "missing": _missing,
    "present": _present,
    "hiding": _hiding,
    "short": _short,
    "signs": _signs,
    "fire": _fire,
    "self": _self,
}



def build(data: rule_files.RuleSet) -> dict[str, NowRule]:
    """The rules of every danger_now.yml, each named check in `extra` known here."""
    built = {}
    for rule in data.danger_now:
        unknown = [name for name in rule.settings.get("extra", ()) if name not in _EXTRA]
        if unknown:
            raise rule.where.error(f"{rule.name}: no check named {', '.join(unknown)} in bot/nlp/danger_now.py "
                                   f"(known: {', '.join(sorted(_EXTRA))})")
        built[rule.name] = NowRule(rule.patterns, **rule.settings)
    return built


RULES = build(rule_files.rules())
