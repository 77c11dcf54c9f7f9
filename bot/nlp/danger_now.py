"""Danger now, said in everyday words: the crisis detector's second family of rules.

The rules in bot/nlp/safety.py read "someone does something to someone" ("he's hitting the kids") and "someone is
in a state" ("my son is choking"). Parents in an emergency more often write what they see: "blood everywhere it
won't stop", "she's gone floppy", "he's outside kicking the door in", "cant find my son anywhere", "I can smell
gas", "ive tied the rope". Each rule here is a short token pattern for one such phrase, with what must be around
it (a word in the same sentence, the next word, who it is about). All of them then pass the same checks as the
other rules: not the past ("last year", "he's fine now"), not a record being quoted ("the notes say she was
floppy"), not a question about records ("would they share it if ..."), not a hypothetical ("if he stopped
breathing would anyone investigate me"), not a film, not a statistic.

not_now() is those shared checks; safety._find runs it on every match of both families. check() is the rest, for
one rule of this file. A rule marked self_harm is about someone harming themselves (the writer, or whoever is named
before); the others are about whoever is named nearest before the phrase, and the kind is a child's danger when
the message names a child.

Tested by the lines in tests/nlp/data/crisis.txt and near_misses.txt; docs/safety.md says where they came from
and how well the rules do on messages nobody tuned them on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.nlp.patterns import crisis_lexicon as L
from bot.nlp.patterns.tokens import any_of as _any
from bot.nlp.patterns.tokens import one as _one

_ENDS = frozenset({"", ".", "!", ",", "?", "and", "now", "tonight", "again", "pls", "please", "help", ";", "-"})


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


# Welsh words for the Welsh rules, each in the forms it takes after fy/ei/yn (mutations) and with "'r" (the) on it
_CY_CHILDREN = frozenset({
    "plentyn", "blentyn", "mhlentyn", "phlentyn", "plant", "blant", "mhlant", "phlant", "babi", "mabi", "mab", "fab",
    "merch", "ferch", "bachgen", "fachgen", "hogyn", "hogan", "crwt", "croten", "wyres", "ŵyr", "wyr", "efeilliaid",
    "fechan", "bychan",
})
_CY_HARM = frozenset({
    "taro", "daro", "nharo", "tharo", "curo", "guro", "nghuro", "churo", "brifo", "frifo", "mrifo", "bwrw", "fwrw",
    "mwrw", "cicio", "gicio", "nghicio", "chicio", "tagu", "dagu", "nhagu", "thagu", "anafu", "dyrnu", "ddyrnu",
    "nyrnu", "pwnio", "bwnio", "mhwnio", "phwnio", "slapio", "clatsio", "clatsho", "glatsio", "glatsho", "waldio",
    "leinio", "ysgwyd", "gwthio", "wthio", "ngwthio", "treisio", "dreisio", "nhreisio",
    "threisio", "bygwth", "fygwth", "crogi", "grogi", "nghrogi", "hitio", "slapo",
})
_CY_KILL = frozenset({"lladd", "ladd"})
_CY_NOW_MARK = frozenset({"yn", "'n", "wedi", "newydd"})  # "'n" split off by the tokenizer: "e'n" is "e 'n"
_CY_PERSON_AFTER = _CY_CHILDREN | frozenset({
    "fy", "ein", "ei", "eu", "dy", "eich", "y", "yr", "'r", "nhw", "hi", "fe", "fo", "e", "o", "fi", "ni", "chi",
    "ti", "mi",
})
_CY_DETERMINERS = frozenset({"y", "yr", "'r", "rhai", "llwyth", "o", "potel", "botel", "paced", "becyn", "pecyn",
                             "llond", "llaw", "bach", "fach"})
_CY_SWALLOWED = frozenset({"tabledi", "dabledi", "nhabledi", "tabled", "pils", "pilsen", "cannydd", "bleach",
                           "moddion", "foddion", "batri", "batris", "fatri", "gwenwyn", "wenwyn", "paracetamol"})
# Welsh words only; English weapons are the English rules' ("bat" here flagged "he plays with a cricket bat, help")
_CY_WEAPONS = frozenset({"cyllell", "gyllell", "nghyllell", "chyllell", "gwn", "arf"})
_CY_NECK = frozenset({"ngwddw", "ngwddf", "gwddw", "gwddf", "wddw", "wddf"})
_CY_NOW = frozenset({"nawr", "rŵan", "rwan", "heno", "brys", "999", "newydd"})
_CY_HELP = frozenset({"help", "helpwch", "helpu", "plis", "plîs", "pls", "please", "achub", "argyfwng"})
_CY_VIOLENCE = frozenset({"meddw", "feddw", "meddwi", "wyllt", "gwyllt", "gweiddi", "sgrechian", "malu", "taflu",
                          "bygwth", "fygwth", "curo", "guro", "nghuro", "taro", "daro", "nharo", "clatsio", "chlatsio",
                          "cyllell", "gyllell"})
# long ago, or a story: "flynyddoedd yn ôl" (years ago), "ers talwm" (long ago), a film, the telly
_CY_PAST = frozenset({"flynyddoedd", "blynyddoedd", "llynedd", "arfer", "talwm", "erstalwm", "ffilm", "rhaglen",
                      "stori", "llyfr", "teledu"})
_CY_WAS = frozenset({"oeddwn", "oedd", "roeddwn", "roedd"})  # "pan oeddwn i'n blentyn": when I was a child
# a condition, or talk about what a record says. Not question words: "mae e'n fy nharo i, beth dw i'n neud?" (what
# do I do?) is how people ask for help in an emergency
_CY_IF = frozenset({"os", "pe", "petai", "petawn", "pan", "cofnodi", "cofnod", "cofnodion", "ffeil", "nodiadau",
                    "adroddiad",
                    # the passive past, "ges i fy ngham-drin fel plentyn" (I was abused as a child), unless said now
                    "ges", "gefais", "cefais", "gafodd", "cafodd", "gawson", "cawsom"})
# question words: they throw out "mewn perygl" (in danger), a state a records question often names ("sut mae'r
# cyfrifiadur yn penderfynu pa deuluoedd sydd mewn perygl?"), but not a verb of hurting (see _welsh)
_CY_QUESTION = frozenset({"pam", "sut", "pryd", "ydy", "ydyn", "ydi", "oes", "pa", "ble"})
_CY_KITCHEN = frozenset({"coginio", "llysiau", "bara", "fara", "bwyd", "cinio", "swper", "ffrwythau", "menyn"})
# a threat stays a threat with a condition on it: "neith o ladd y plant os dwi'n ffonio rhywun"
_CY_THREAT = frozenset({"mynd", "dod", "bygwth", "fygwth", "wnaiff", "wneith", "neith", "naiff", "bydd", "fydd"})
_CY_WEAPON_CONTEXT = _CY_NOW | _CY_HELP | _CY_CHILDREN | _CY_VIOLENCE | _CY_THREAT | _CY_KILL | _CY_NECK | {
    "defnyddio", "ddefnyddio", "chwifio", "dal"}  # use it, waving it, holding it

PEOPLE = L.CHILD_NOUNS | L.ADULT_NOUNS | L.AGENTS | frozenset({"him", "her", "them", "me", "us", "we", "i"})
WRITER = frozenset({"i", "we", "me", "us"})
_BE = frozenset({"is", "'s", "s", "are", "'re", "re", "am", "'m", "m", "has", "have", "'ve", "ve", "been", "was"})
_AUX = L.PASSIVE_AUX | frozenset({"just", "now", "all", "really", "so", "very", "badly", "completely", "totally"})
_STATE_BEFORE = _BE | frozenset({"gone", "going", "went", "really", "very", "all", "and", "so", "seems", "looks",
                                 "looking", "totally", "completely", "bit", "now", "still", "feels", ",", "go",
                                 "goes", "become", "becoming", "turned", "turning"})
_HEAD = frozenset({"head", "lump", "bump", "banged", "fell", "fall", "knocked", "hit", "concussion", "concussed"})
_MEDICAL_CONTEXT = _HEAD | frozenset({"fit", "fitting", "seizure", "breathing", "unconscious", "sick", "pills",
                                      "tablets", "collapsed", "choking", "drowning", "overdose", "floppy", "blue"})
_BODY = L.BODY_PARTS | frozenset({"lips", "lip", "skin", "fingers", "tongue", "airway", "airways"})
_DANGEROUS = L.DANGEROUS_ANY_AMOUNT | frozenset({"magnets", "magnet", "spirit", "pod", "pods", "capsule",
                                                 "capsules", "cleaner", "weedkiller", "pills", "tablets", "meds",
                                                 "medicine", "medication", "paracetamol", "vodka", "alcohol"})
_DOORS = L.DOOR | frozenset({"windscreen", "letterbox", "handle", "lock", "locks", "glass", "gate"})
_PLACES = frozenset({"house", "home", "flat", "building", "kitchen", "bedroom", "room", "caravan", "tent", "car",
                     "van", "shed", "garage", "hallway", "hall", "stairs", "stairwell", "landing", "loft", "block",
                     "garden", "lounge", "bathroom", "downstairs", "upstairs"})
_LOST_PLACES = frozenset({"fair", "funfair", "park", "beach", "shops", "shop", "shopping", "centre", "center",
                          "supermarket", "festival", "crowd", "town", "zoo", "station", "airport", "market", "woods",
                          "playground", "seaside", "mall", "city", "high", "street", "pool", "river", "forest"})
_FEAR = L.FEAR | frozenset({"scared", "help", "please", "hiding", "run", "terrified"})
_THREAT_CONTEXT = frozenset({"way", "coming", "outside", "knife", "kill", "tonight", "drunk", "threatening",
                             "threatened", "said", "says", "hurt", "shouting", "screaming"})
_THROWN = frozenset({"plate", "plates", "glass", "glasses", "bottle", "bottles", "chair", "chairs", "mug", "mugs",
                     "cup", "cups", "knife", "knives", "things", "stuff", "something", "phone", "remote", "shoe",
                     "brick", "bricks", "stone", "stones", "pan"})
_GAP = frozenset({"with", "his", "her", "their", "mates", "friends", "brothers", "my", "work", "house", "school",
                  "the", "outside", "back", "now", "again", "tonight", "round", "here", "there", "right", "over",
                  "on", "way", "of", "a", "car", "door", "gate"})
_HERE_CONTEXT = frozenset({"injunction", "supposed", "restraining", "bail", "drunk", "knife", "scared", "terrified",
                           "threatening", "shouting", "banging", "screaming", "face", "leave"})
_OWN_EMERGENCY = frozenset({"inhaler", "asthma", "allergic", "epipen", "swelling", "swollen", "anaphylaxis",
                            "chest", "alone", "own"})
_CHILD_OR_PRONOUN = L.CHILD_NOUNS | frozenset({"he", "she", "him", "her", "they", "them"})


def _rules() -> dict[str, NowRule]:  # noqa: PLR0915 - a table, not logic
    neg, can, people = L.NEGATIONS, L.CAN, PEOPLE
    kids = L.CHILD_NOUNS
    return {
        # -- a medical emergency, about whoever is named before ("he", "my son", "the baby") --------------------
        "now_breathing": NowRule(
            [
                [_any(neg), _one("breathing")],
                [_one("stopped"), _one("breathing")],
                [_any(can), _any(neg), _any({"breathe", "breath"})],
                [_any({"struggling", "fighting", "gasping"}), _any({"to", "for"}, "?"),
                 _any({"breathe", "breath", "air"})],
                [_any(can), _any(neg), _one("catch"), _any({"his", "her", "their", "my", "the"}, "?"),
                 _any({"breathe", "breath"})],
                [_any(can), _any(neg), _one("cough"), _any({"it", "them"}), _any({"up", "out"})],
                [_any({"throat", "airway", "airways"}), _any(_AUX, "*"), _any({"closing", "swelling", "swollen"})],
                [_any({"anaphylactic", "anaphylaxis"})],
            ],
            negation_is_danger=True,
            not_writer=True,
            next_not=frozenset({"a", "word", "down", "easy", "easier", "space", "in"}),
        ),
        "now_unresponsive": NowRule(
            [
                [_any(neg), _any({"wake", "waking", "woken", "woke"}), _one("up", "?")],
                [_any(can), _any(neg), _one("wake"), _any({"him", "her", "them"} | kids)],
                [_any(neg), _any({"responding", "respond"})],
                [_any({"gone", "going", "went"}), _one("stiff")],
                # a stroke: "Nan's face has gone droopy on one side"
                [_any({"face", "mouth", "smile"}), _any(_AUX, "*"),
                 _any({"gone", "going", "drooping", "droopy", "dropped", "dropping", "slipped"}),
                 _any({"droopy", "down", "on", "to"}, "?")],
                [_any({"droopy", "drooping"}), _one("on"), _one("one"), _one("side")],
                [_any({"been", "got", "was", "being", "s", "'s"}), _one("spiked")],
                [_any(can), _any(neg), _any({"feel", "move"}), _any({"her", "his", "my", "their"}),
                 _any({"legs", "arms", "face", "body"})],
                [_one("breathing"), _any(_AUX, "*"),
                 _any({"funny", "strange", "weird", "fast", "noisy", "badly", "oddly", "shallow"})],
                [_one("too"), _any({"drunk", "high", "wasted", "out"}), _one("of", "?"), _one("it", "?"), _one("to"),
                 _any({"stand", "walk", "talk", "move", "speak", "say"})],
                [_any(neg), _any({"coming", "come"}), _any({"round", "around", "to"})],
                [_one("passed"), _one("out")],
                [_any(_STATE_BEFORE), _any({"floppy", "lifeless", "unresponsive", "unconscious", "limp"})],
                [_any(_STATE_BEFORE), _any({"on", "un"}), _one("conscious")],  # voice typing: "on conscious"
                [_any({"gone", "going", "turning", "turned", "went", "is", "are", "'s", "s", "looks"}),
                 _any({"all", "really", "very", "a", "bit"}, "*"), _any({"blue", "grey", "gray", "purple", "blew"})],
                [_one("baby"), _any({"'s", "s", "is"}), _one("coming")],
                [_one("pale"), _one("and"), _any({"clammy", "floppy", "cold", "sweaty"})],
                [_any(people), _any(_AUX | {"upstairs", "downstairs", "next", "door"}, "*"),
                 _any({"collapsed", "collapsing", "collapses"})],
                [_any(neg), _any({"answer", "answering", "responding", "respond"}), _one("me"), _one("properly", "?")],
                [_any(neg), _any({"talk", "move", "speak", "respond", "moving", "talking"}), _one("or"),
                 _any({"move", "talk", "speak", "respond", "cry", "moving", "talking", "open"})],
            ],
            negation_is_danger=True,
            not_writer=True,
            next_not=frozenset({"disk", "disc", "hat", "ears", "ear", "hair", "toy", "bunny", "teddy", "handshake",
                                "biscuit", "biscuits", "lettuce", "sky", "eyes", "of", "from", "badge", "parade",
                                "ceremony", "top", "jumper", "coat", "dress", "shirt", "paint", "walls", "wall",
                                "car", "door", "line", "tick", "light", "pen", "ink", "screen"}),
            extra=("unresponsive",),
        ),
        "now_fit": NowRule(
            [
                [_any({"seizure", "fit", "fitting"}), _one("right", "?"), _one("now")],
                [_any({"fitting", "seizing", "convulsing"}), _any({"again", "now", "still", "and"})],
                [_any({"fitting", "seizing", "convulsing"}), _any({".", "!", ","})],
                [_any({"fit", "seizure", "fitting"}), _any({"and", "it", "that", "is", "'s", "s", "will", "wo",
                                                            "would"}, "*"),
                 _any(neg), _one("stop")],
                [_one("been"), _any({"fitting", "seizing"})],
            ],
            not_writer=True,
            needs_person=True,
        ),
        "now_bleeding": NowRule(
            [
                [_one("blood"), _any({"everywhere", "pouring", "gushing", "spurting", "pumping", "streaming"})],
                [_one("bleeding"), _any({"heavily", "badly", "everywhere", "loads", "lots"})],
                [_one("bleeding"), _one("on"), _one("the", "?"), _any({"floor", "ground", "kitchen", "bathroom"})],
                [_one("sick"), _one("blood")],
                [_one("blood"), _any({"coming", "pouring", "gushing"}), _any({"under", "through"})],
                [_any(_BODY), _any(_AUX, "*"), _any({"gushing", "pouring", "spurting", "pumping"})],
                [_one("blood"), _any({"coming", "pouring", "gushing"}), _any({"from", "out"}),
                 _any({"his", "her", "my"}), _any(L.BODY_PARTS)],
                [_any({"pouring", "gushing", "spurting", "pumping", "streaming"}), _one("blood")],
                [_any(neg), _one("stop"), _one("bleeding")],
                [_one("bleeding"), _any(_AUX, "*"), _any(neg), _any({"stop", "stopping"})],
                [_any({"pouring", "gushing", "spurting", "covered"}), _any({"with", "out", "in"}), _one("of", "?"),
                 _any(L.DETERMINERS, "*"), _one("blood")],
                [_one("losing"), _any({"a", "so", "loads", "lots", "lot", "much", "of"}, "*"), _one("blood")],
            ],
            negation_is_danger=True,
        ),
        "now_burn": NowRule(
            [
                [_one("skin"), _any(_AUX, "*"), _any({"coming", "peeling", "falling", "came"}), _one("off")],
                [_any(people | _BODY), _any(_AUX | {"all", "been", "got", "getting"}, "*"),
                 _any({"burnt", "burned", "scalded", "blistering", "blistered"})],
            ],
            next_not=frozenset({"out", "toast", "by", "from", "cd", "cds", "dvd", "onto", "into"}),
            not_writer=True,
        ),
        # "pan of boiling water just fell on my toddler"
        "now_scald": NowRule(
            [[_any({"boiling", "scalding"}), _any({"water", "kettle", "oil", "fat", "tea", "coffee", "pan"})]],
            context=frozenset({"fell", "fallen", "spilt", "spilled", "poured", "tipped", "knocked", "splashed",
                               "pulled", "over"}),
            context_outside=True,
        ),
        # drowsy after a knock to the head or with a fever; a rash that does not fade under a glass
        "now_drowsy": NowRule(
            [
                [_any({"drowsy", "confused", "dizzy", "vomiting", "sleepy", "staring", "pupil", "pupils"})],
                [_one("talking"), _any({"rubbish", "nonsense", "gibberish", "funny", "weird"})],
                [_any({"keeps", "keep", "keeping"}), _any({"falling", "nodding", "dozing"}), _any({"asleep", "off"})],
            ],
            context=frozenset({"head", "lump", "bump", "banged", "concussion", "concussed", "monoxide", "fell",
                               "stairs", "temperature", "temp", "fever", "blotchy", "rash", "floppy", "rolled",
                               "diabetic", "sugar", "hypo", "shaking"}),
            negation_is_danger=True,  # "isn't crying, just staring"
        ),
        "now_rash": NowRule([[_one("rash")]], context=frozenset({"glass", "tumbler", "fade", "fading"})),
        # what a parent sees when a child is very ill: "grunting", "eyes rolling back", "stiff neck", "no wet nappies"
        "now_signs": NowRule(
            [
                [_any({"grunting", "grunty", "whooping", "jerking", "convulsing", "twitching"})],
                [_one("chest"), _any(_AUX, "*"), _any({"sucking", "caving", "pulling", "hurts", "pain", "pains",
                                                       "tight"})],
                [_one("eyes"), _any(_AUX | {"keep", "keeps"}, "*"), _any({"rolled", "rolling", "rolls"})],
                [_any({"tummy", "belly", "stomach", "ribs", "neck"}), _any(_AUX | {"keep", "keeps"}, "*"),
                 _any({"sucking", "sucks", "sucked", "caving", "caves", "pulling", "pulls"}), _one("in")],
                [_one("foaming"), _one("at"), _one("the"), _one("mouth")],
                [_any(neg), _any({"feed", "feeding", "fed"})],
                [_any({"hardly", "barely"}), _any({"moving", "breathing", "responding", "conscious", "awake"})],
                [_any(neg), _any({"making", "talking"}), _one("sense")],
                [_any({"gobbledygook", "slurring", "slurred"})],
                [_one("stiff"), _one("neck")],
                [_one("purple"), _any({"spots", "rash", "marks", "blotches"})],
                [_one("no"), _one("wet"), _any({"nappies", "nappy"})],
                [_one("sunken")],
                [_one("high"), _one("pitched")],
                [_any({"bulge", "bulging"})],
                [_any({"cold", "mottled"}), _one("and"), _any({"blotchy", "mottled", "grey", "clammy"})],
                [_any(neg), _any({"peed", "weed", "wee", "wet"})],
                [_one("puffing"), _one("and"), _one("panting")],
                [_one("sick"), _one("green")],
                [_any({"gone", "going", "went"}), _one("quiet"), _one("and"), _any({"cold", "floppy", "still",
                                                                                    "limp"})],
                [_any({"arm", "leg", "face", "side"}), _any(_AUX, "*"), _any(neg), _one("move")],
                [_any({"burning", "roasting"}), _one("up")],
                [_any(can), _any(neg), _one("feel"), _any({"anything", "his", "her", "my"}),
                 _any({"legs", "arms", "body"}, "?")],
                [_any(can), _any(neg), _one("stand"), _one("the"), _one("light")],
                [_one("breathing"), _one("but"), _one("only"), _one("just")],
                [_any({"coughing", "gagging", "spluttering"}), _one("and"), _one("choking")],
                [_one("covered"), _one("in"), _any({"bruises", "burns", "blood"})],
                [_any({"hanging", "bent"}), _any({"funny", "wrong", "weird"})],
                [_one("hit"), _one("by"), _any({"a", "the"}), _any({"car", "van", "bus", "lorry", "train", "bike"})],
                [_any({"car", "van", "bus", "lorry"}), _any(_AUX, "*"), _any({"hit", "knocked"}),
                 _any(L.DETERMINERS, "*"), _any(kids | {"him", "her", "them"})],
                [_one("lying"), _one("in"), _one("the"), _one("road")],
                [_any(neg), _one("getting"), _one("up")],
                [_any({"bitten", "attacked", "mauled"}), _one("by"), _any({"a", "the", "our", "their", "next"}, "*"),
                 _any({"dog", "dogs"})],
                [_any({"dog", "dogs", "dog's"}), _any(_AUX, "*"), _any({"attacking", "biting", "mauling", "savaging"})],
                [_one("ripped"), _one("open")],
                [_one("went"), _one("under")],
                [_one("cut"), _one("too"), _one("deep")],
                [_one("drunk"), _any({"and", "n"}, "?"), _one("driving")],
            ],
            negation_is_danger=True,
            extra=("signs",),
        ),
        "now_swallowed": NowRule(
            [
                [_any(_CHILD_OR_PRONOUN | {"i", "and"}), _any(_AUX | {"think", "thinks"}, "*"),
                 _any({"drunk", "drank", "swallowed", "eaten", "ate", "swallow", "drink"}),
                 _any({"some", "it", "them", "one", "two", "loads", "lots", "a", "bit", "few"}, "+")],
                [_any({"bit", "bitten", "chewed", "chewing", "biting"}), _any({"into", "on", "through"}),
                 _any(L.DETERMINERS | L.INGEST_ADJ, "*"),
                 _any({"pod", "pods", "capsule", "capsules", "battery", "batteries",
                                                 "tablet", "tablets"})],
                [_any({"drank", "drunk", "swallowed", "ate", "eaten", "eat", "taken", "took", "had"}),
                 _any({"something", "some"})],
                [_one("found"), _any(L.DETERMINERS, "*"), _any(kids | {"him", "her"}), _one("with"),
                 _any(L.DETERMINERS | L.INGEST_ADJ | {"nanas", "nana", "grans", "mums", "dads", "an", "empty", "open"},
                      "*"), _any(_DANGEROUS | {"bottle", "packet", "strip", "blister"})],
                [_any(neg), _one("know"), _any({"how", "what"}), _any({"many", "much"}, "?"),
                 _any({"he", "she", "they"}), _any({"took", "taken", "swallowed", "had", "ate", "drank", "drunk"})],
                [_any({"got", "gotten", "getting", "gets"}), _one("into"), _any(L.DETERMINERS | L.INGEST_ADJ, "*"),
                 _any(_DANGEROUS | {"cupboard", "cabinet"})],
                [_any({"swallowed", "swallow"}), _any({"a", "an", "some", "two", "2", "3", "three", "the"}, "?"),
                 _any({"magnet", "magnets", "battery", "batteries", "coin", "pin", "button", "bleach", "pod",
                       "pods", "capsule", "capsules"})],
            ],
            context=_DANGEROUS | frozenset({"magnet", "magnets", "battery", "batteries", "coin", "pin", "button",
                                            "vape", "nicotine", "liquid", "pod", "pods", "strip", "empty", "garage",
                                            "sink", "cupboard", "chemical", "chemicals", "shed", "party", "shaking",
                                            "rolling", "drugs", "spiked", "breathing"}),
            not_writer=False,
        ),
        "now_allergy": NowRule(
            [
                [_any({"face", "lips", "lip", "tongue", "eyes", "mouth", "he", "she"} | kids),
                 _any(_AUX | {"and", "lips", "face", "eyes", "tongue", "mouth", "throat"}, "*"),
                 _any({"swelling", "swollen", "puffing", "blowing"}),
                 _one("up", "?")],
                [_any({"wheezing", "wheezy"})],
                [_one("allergic"), _one("reaction")],
                [_one("asthma"), _one("attack")],
                [_one("lips"), _any({"blue", "grey", "purple"})],
                [_one("epipen")],  # with something more: "I've used the epipen and he's still struggling"
                [_any(can), _any(neg), _one("swallow")],
            ],
            context=frozenset({"breathe", "breathing", "breath", "peanut", "peanuts", "nuts", "nut", "allergy",
                               "allergic", "epipen", "sting", "stung", "throat", "prawns", "prawn", "shellfish",
                               "sesame", "egg", "wasp", "bee", "wheezing", "inhaler", "blue", "lips", "reaction",
                               "massive", "swelling", "swollen", "hoarse", "ate", "eaten", "voice"}),
            context_outside=True,
        ),
        # -- someone hurting or threatening someone now --------------------------------------------------------
        "now_attack_home": NowRule(
            [
                [_any(L.AGENTS - kids | {"gang", "people", "someones", "somebodys", "men"}),
                 _any(L.ARRIVAL_FILL | {"on", "our", "my"}, "*"),
                 _any({"kicking", "banging", "smashing", "hammering", "bashing", "pounding", "smashed", "kicked",
                       "smash", "kick", "trying", "breaking", "forcing", "rattling"}),
                 _any({"on", "at", "in", "down", "through"}, "?"),
                 _any(L.DETERMINERS | {"car", "kitchen", "bedroom", "bathroom", "living", "room", "front", "back"},
                      "*"),
                 _any(_DOORS)],
            ],
            next_not=frozenset({"shut", "closed"}),
        ),
        "now_getting_in": NowRule(
            [
                [_any({"trying", "tried", "tries"}), _one("to", "?"), _any({"get", "break", "climb", "force", "smash"}),
                 _any({"in", "into"})],
                [_any({"trying", "rattling"}), _any({"the", "our", "my", "front", "back"}, "+"),
                 _any({"door", "doors", "handle", "window", "windows", "lock"})],
                [_any({"break", "breaking", "broke", "broken"}), _one("in"),
                 _any({"downstairs", "upstairs", "now", "happening", "right", "here"})],
                [_any({"someone", "somebody", "someones", "somebodys", "burglars", "they", "people", "men"}),
                 _any(_AUX, "*"), _any({"broken", "broke", "breaking"}), _one("in")],
                [_any({"burglar", "burglars", "intruder", "intruders"}),
                 _any({"in", "inside", "downstairs", "upstairs", "here", "is", "are", "'s", "s"})],
            ],
            next_not=frozenset({"touch", "contact", "trouble", "with", "on", "uni", "university", "college",
                                "school", "shape", "line", "the system", "debt"}),
            needs_person=False,
        ),
        "now_intruder": NowRule(
            [
                [_any({"man", "men", "someone", "somebody", "stranger", "bloke", "guy", "woman"}), _any(_AUX, "*"),
                 _any({"walked", "come", "came", "got", "barged", "forced", "pushed", "burst"}), _any({"into", "in"}),
                 _any(L.DETERMINERS, "*"), _any(_PLACES)],
                [_any({"someone", "somebody", "stranger", "man", "men", "people", "woman", "bloke", "guy"}),
                 _any({"'s", "s", "is", "are", "in", "inside"}, "*"), _any({"in", "inside", "downstairs", "upstairs"}),
                 _any(L.DETERMINERS | {"of"}, "*"), _any(_PLACES, "?")],
            ],
            context=frozenset({"know", "strange", "stranger", "think", "footsteps", "hear", "trying", "broke",
                               "broken", "scared", "hiding", "unknown", "upstairs", "leave", "off", "drunk", "now"})
            | L.CHILD_NOUNS,
            extra=("present",),
        ),
        "now_held": NowRule(
            [
                # "he's got my brother pinned down", "he had me by the throat"
                [_any(L.AGENTS - {"i"}), _any(L.ARRIVAL_FILL, "*"), _any({"got", "has", "have", "had"}),
                 _any(L.DETERMINERS, "*"), _any(L.VICTIMS), _any({"pinned", "cornered", "trapped", "by"})],
                [_any(L.VICTIMS), _one("by"), _any({"the", "my", "her", "his", "their"}),
                 _any({"throat", "neck", "hair", "leg", "legs", "ankle", "ankles", "arm", "arms"})],
                [_any({"tried", "trying", "try"}), _one("to"), _any({"get", "pull", "lure", "drag", "put"}),
                 _any(L.DETERMINERS, "*"), _any(L.VICTIMS | {"one"}), _one("into"), _any(L.DETERMINERS, "*"),
                 _any({"car", "van", "house", "flat"})],
                [_any(neg), _one("let"), _any({"me", "us", "her", "him", "them"}),
                 _any({"leave", "go", "out", "ring", "call", "phone", "text"})],
                [_any({"said", "says", "saying", "told", "telling"}), _any({"i", "we", "me", "he", "she", "us"}),
                 _any({"can", "ca", "cannot"}), _any(neg, "?"), _one("leave")],
                [_one("in"), _one("a"), _one("trap")],  # county lines
                [_any(neg), _one("let"), _one("go"), _one("of"), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                # "a man just tried to drag my daughter into his van"
                [_any({"tried", "trying", "tries", "try"}), _one("to"),
                 _any({"grab", "drag", "snatch", "pull", "strangle", "kill", "stab", "smother", "choke", "drown"}),
                 _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                # "some fella's chasing our Kayden down the street with a blade"
                [_any({"chasing", "chased", "after", "threatening", "waving", "attacking", "following"}),
                 {"OP": "*"}, _one("with"), _any({"a", "the", "his", "her", "their"}, "?"), _any(L.WEAPONS)],
                # "he's sayin he'll crash it wi them in"
                [_any({"crash", "drive"}), _any({"it", "the", "car", "van"}, "+"), _one("with"),
                 _any(L.DETERMINERS | kids | {"them", "us", "me"}, "+"), _one("in")],
                # "he's holding the baby over the balcony"
                [_one("holding"), _any(L.DETERMINERS, "*"), _any(L.VICTIMS), _any({"over", "out", "off"}),
                 _any(L.DETERMINERS | {"of"}, "*"), _any({"balcony", "window", "edge", "bridge", "railing", "stairs"})],
                # "my husband has locked me and the kids in"
                [_one("locked"), _any({"me", "us"}), _one("and"), _any(L.DETERMINERS, "*"), _any(kids), _one("in")],
                [_one("locked"), _any({"himself", "herself", "themselves"}),
                 _any({"in", "the", "a", "bedroom", "bathroom", "room", "flat", "house", "car", "kitchen", "toilet",
                       "his", "her"}, "*"), _one("with"), _any(L.DETERMINERS, "*"), _any(kids)],
            ],
            negation_is_danger=True,
            next_not=frozenset({"out"}),
            extra=("held",),
        ),
        "now_coming_for": NowRule(
            [
                [_any(L.AGENTS - {"i"}), _any(L.ARRIVAL_FILL, "*"), _any({"going", "coming", "went", "goes", "gone"}),
                 _one("for"), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                [_any({"just", "then", "and"}), _one("went"), _one("for"), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                # "he's going to finish him", "she said she'd do me in"
                [_any(L.AGENTS - {"i"}), _any(L.FILLER, "*"), _one("finish"),
                 _any({"him", "her", "me", "us", "them", "you", "it"}), _any({"off", "tonight"}, "?")],
                [_any(L.AGENTS - {"i"}), _any(L.FILLER, "*"), _any({"do", "sort"}),
                 _any({"him", "her", "me", "us", "them", "you"}), _any({"in", "out"})],
                [_any({"coming", "way", "waiting", "outside", "back", "round", "over", "here"}), _any(_GAP, "*"),
                 _one("to"), _any(L.VIOLENT_VERBS | {"get"}), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                [_any(L.AGENTS - kids - {"i"}), _any(L.FILLER, "*"), _one("kicking"), _one("off"),
                 _any({"at", "with"}), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                [_any({"throw", "throws", "threw", "throwing", "thrown", "chucked", "chucking", "lobbed"}),
                 _any({"a", "the", "his", "her", "my", "our", "some"}, "?"), _any(_THROWN), _one("at"),
                 _any(L.DETERMINERS, "*"), _any(L.VICTIMS | L.BODY_PARTS)],
                # "he's pulled a knife on his little brother", "one's got a blade out"
                [_any({"pulled", "pulling", "pull", "waving", "holding", "held", "got", "has", "brought"}),
                 _any({"a", "the", "his", "her", "their"}, "?"), _any(L.WEAPONS), _any({"on", "at", "to", "out"})],
                # "some lads ... kicking his head in", "a guy on the train keeps touching the schoolgirl"
                [_any({"kicking", "stamping", "stamped", "kicked", "smashing"}), _any({"on", "in"}, "?"),
                 _any({"his", "her", "my", "their"}), _one("head")],
                [_any({"keeps", "keep", "kept"}), _any({"touching", "groping", "grabbing", "hitting", "kicking",
                                                        "punching", "following", "slowing", "stopping"}),
                 _any(L.DETERMINERS, "*"), _any(L.VICTIMS | {"down", "next"})],
                [_any({"leathering", "battering", "strangling", "throttling", "suffocating", "smothering",
                       "stabbing", "strangled", "throttled"}), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                [_any({"forced", "forcing", "pushed", "pushing", "barged", "barging"}), _any({"his", "her", "their"}),
                 _one("way"), _any({"in", "into"})],
                [_one("swinging"), _any(L.DETERMINERS, "*"), _any(kids | {"her", "him"})],
                [_one("smashing"), _any({"everything", "up", "the", "stuff"})],
                [_any({"men", "man", "lads"}), _one("at"), _one("the"), _any({"flat", "house"}), _one("with"),
                 _any(L.DETERMINERS, "*"), _any(kids)],
                [_any({"burning", "burnt", "burned"}), _any(L.DETERMINERS, "*"), _any(kids), _one("with")],
                # "he's laying into her", "step dad has got the belt out on my brother"
                [_any({"laying", "laid", "lay", "piling", "layin"}), _one("into"), _any(L.DETERMINERS, "*"),
                 _any(L.VICTIMS)],
                [_any({"got", "get", "getting", "took", "taken", "taking"}), _any({"the", "his", "her", "a"}),
                 _any({"belt", "stick", "cane", "slipper", "bat"}), _any({"out", "to"})],
                # "I can hear him abusing my son upstairs"
                [_any({"hear", "see", "seeing", "hearing", "watching"}), _any({"him", "her", "them"}),
                 _any({w for w in L.VIOLENT_VERBS if w.endswith("ing")}), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
                # "My lad owes money to a gang and they're waiting outside the chippy for him now"
                [_any({"waiting", "outside", "looking"}),
                 _any(_GAP | L.WEAPONS | {"chippy", "shop", "shops", "school", "flat"}, "*"), _one("for"),
                 _any(L.DETERMINERS, "*"), _any(L.VICTIMS)],
            ],
            extra=("coming_for",),
        ),
        "now_found_us": NowRule(
            [[_any({"he", "she", "they", "ex", "partner", "husband", "boyfriend", "dad", "father"}),
              _any(_AUX | {"has", "'s", "s", "finally"}, "*"), _one("found"), _one("out", "?"),
              _any({"us", "me", "where"})]],
            next_ok=_ENDS | frozenset({"we", "i", "out"}),
        ),
        # "he's outside now, he's not supposed to know where we live", "my ex is in my house and won't leave"
        # heard through a wall: "a little one shouting help me", "kids screaming stop daddy", "shut up or I'll kill you"
        "now_heard": NowRule(
            [[_any({"shouting", "screaming", "crying", "yelling", "begging", "shouts", "screams"}),
              _any({"help", "stop", "please", "no"}), _any({"me", "daddy", "mummy", "it", "please", "dad", "mum"},
                                                           "?")],
             [_one("or"), _any({"ill", "i'll", "i", "he'll", "hell"}), _one("will", "?"), _one("kill"),
              _any({"you", "ya"})],
             [_one("being"), _any({"beaten", "battered", "attacked", "strangled", "stabbed", "hit", "hurt"}),
              _any({"up", "right", "now"})]],
            context=L.CHILD_NOUNS | frozenset({"little", "wall", "next", "door", "neighbour", "neighbours", "upstairs",
                                               "downstairs", "child", "kids"}),
        ),
        "now_he_is_here": NowRule(  # context: see _he_is_here
            [[_any(L.AGENTS - kids - {"i", "someone", "somebody"}), _any(_AUX, "*"),
              _any({"outside", "here", "in", "at", "back"}), _any(L.DETERMINERS, "*"),
              _any(_PLACES | _DOORS | {"now", "again", "tonight", "."}, "?")],
             [_one("help"), _any({"he", "she", "they"}), _any({"is", "'s", "s", "are"}, "?"),
              _any({"here", "outside", "back", "coming"})]],
            context=_HERE_CONTEXT | {"help"},
            extra=("he_is_here",),
        ),
        "now_following": NowRule(
            [[_any({"man", "someone", "somebody", "guy", "bloke", "stranger", "men", "car", "van", "he", "they",
                    "people", "lads"}),
              _any(_AUX, "*"), _any({"following", "followed", "chasing"}), _any(L.DETERMINERS, "*"),
              _any(L.VICTIMS)]],
            next_not=frozenset({"on", "online", "everywhere", "instagram", "tiktok", "twitter", "facebook", "up"}),
            extra=("not_child_agent",),
        ),
        "now_taking_kids": NowRule(
            [[_any(L.AGENTS - kids - {"i"}), _any(L.ARRIVAL_FILL, "*"),
              _any({"taking", "take", "took", "taken", "snatched", "snatching", "grabbed", "grabbing", "dragging",
                    "dragged", "got", "has"}),
              _any(L.DETERMINERS, "*"), _any(kids | {"him", "her"})],
             [_any(neg), _one("give"), _any(L.DETERMINERS, "*"), _any(kids | {"him", "her", "them"}), _one("back")]],
            context=frozenset({"drunk", "knife", "high", "never", "hostage", "threatening", "threatened", "car",
                               "screaming", "dragging", "abroad", "kill", "flight", "airport", "plane", "agree",
                               "passport", "face", "allowed", "where", "steaming", "crash", "messages"}),
            extra=("taking",),
        ),
        # a child taken abroad or by a parent who is not allowed: "at the airport with the kids without my permission"
        "now_abduction": NowRule(
            [
                [_any({"taking", "take", "took", "taken", "picked", "snatched", "grabbed", "put", "putting",
                       "boarding"}), _any(L.DETERMINERS | {"foster", "up"}, "*"),
                 _any(kids | {"them", "him", "her", "me", "us"})],
                [_any(neg), _any({"meant", "supposed", "allowed"}), _one("to"),
                 _any({"see", "have", "contact", "take", "leave", "be"})],
                [_one("prohibited"), _one("steps")],
                [_one("at"), _one("the"), _any({"airport", "port", "ferry", "station", "terminal"}), _one("with"),
                 _any(L.DETERMINERS, "*"), _any(kids | {"them"})],
                [_any(kids), _any(_AUX, "*"), _one("being"), _any({"put", "taken", "dragged", "bundled", "pushed"}),
                 _any({"in", "into", "on", "onto"})],
                [_any({"were", "was", "been", "got", "get", "being", "just", "getting"}),
                 _any({"snatched", "abducted", "kidnapped", "bundled", "pulled", "dragged", "grabbed", "taken"}),
                 _any({"by", "into", "in", "from"})],
                [_any({"got", "get", "gone", "getting"}), _any({"in", "into"}), _any({"a", "the"}),
                 _any({"car", "van", "taxi"}), _one("with"), _any({"a", "some", "two"}, "?"),
                 _any({"woman", "man", "men", "stranger", "strangers", "someone", "older"})],
                [_any(neg), _any({"her", "his", "their"}), _any({"dad", "mum", "father", "mother", "parent",
                                                                 "parents"})],
                [_any({"car", "van"}), _any(_AUX, "*"), _any({"drove", "sped", "pulled", "driving"}), _any({"off",
                                                                                                            "away"})],
                [_any({"driven", "drove", "sped"}), _any({"off", "away"})],
                [_any({"took", "taken", "grabbed", "snatched"}), _any(L.DETERMINERS, "*"), _any(kids), _one("and"),
                 _any({"ran", "run", "left", "drove", "went", "gone"})],
                [_any({"to", "get", "be", "getting", "being"}), _one("married")],
                [_one("to"), _one("marry")],
                [_any({"get", "be", "getting", "being"}), _one("cut")],  # FGM
                [_one("fgm")],
            ],
            negation_is_danger=True,
            extra=("abduction",),
        ),
        "now_kicked_out": NowRule(
            [[_any({"kicked", "thrown", "threw", "chucked", "put", "locked", "flung"}),
              _any({"me", "us", "her", "him"}),
              _one("out")],
             [_any({"got", "been", "was", "get", "getting"}), _any({"kicked", "thrown", "chucked", "flung"}),
              _one("out")],
             [_any({"ran", "run"}), _one("away")],
             [_one("on"), _one("the"), _any({"streets", "street"}), _one("tonight")]],
            context=frozenset({"street", "streets", "nowhere", "freezing", "cold", "rough", "outside", "dark",
                               "tonight", "sleeping", "station", "park", "drunk", "kill", "hurt", "hit"}),
            extra=("kicked_out",),
        ),
        "now_cant_go_home": NowRule(
            [[_any(can), _any(neg), _any({"go", "get", "going"}), _any({"home", "back"}), _one("tonight", "?")],
             [_any(neg), _one("have"), _one("anywhere"), _one("to"), _any({"sleep", "stay", "go"})]],
            negation_is_danger=True,
            context=frozenset({"street", "streets", "nowhere", "freezing", "cold", "rough", "outside", "dark",
                               "tonight", "sleeping", "station", "park", "drunk", "kill", "hurt", "hit", "heno"}),
            extra=("kicked_out",),
        ),
        # someone made to do things: "they're making him hold drugs", "says I have to do stuff for him to stay"
        "now_exploited": NowRule(
            [[_any({"making", "made", "forcing", "forced", "make", "makes"}), _any({"him", "her", "me", "us", "them"}),
              _any({"hold", "sell", "carry", "deal", "run", "move", "deliver"}),
              _any({"drugs", "stuff", "weed", "packages", "bags", "gear"})],
             [_any({"making", "made", "forcing", "forced", "make", "makes"}), _any({"him", "her", "me", "us", "them"}),
              _one("to", "?"), _any({"do", "have"}), _any({"things", "stuff", "sex"})],
             [_any({"being", "been", "getting"}), _any({"made", "forced"}), _one("to"), _any({"do", "have"}),
              _any({"things", "stuff", "sex"})],
             [_any({"forcing", "making", "forced", "made"}), _any(L.DETERMINERS, "*"), _any(L.VICTIMS), _one("to"),
              _any({"do", "have"}), _any({"things", "stuff", "sex"})],
             [_any({"making", "forcing", "made", "forced"}), _any(L.DETERMINERS, "*"), _any(L.VICTIMS),
              _any({"send", "take", "do"}), _any({"pics", "pictures", "nudes", "photos", "videos", "more"})],
             [_one("county"), _one("lines")],
             [_any({"given", "sold", "handed"}), _one("to"), _any({"men", "man", "them", "him", "older"})],
             [_any({"being", "been"}), _any({"made", "forced"}), _one("to"), _one("go")],
             [_one("have"), _one("to"), _one("go"), _one("to"), _any(L.DETERMINERS, "*"),
              _any({"man", "mans", "men", "his", "their"})],
             [_any({"saying", "says", "say", "said"}), _any({"i", "we", "he", "she"}), _any({"owe", "owes"})],
             [_any({"take", "taking", "took"}), _any({"his", "her", "my", "their", "your"}), _one("clothes"),
              _one("off")],
             [_any({"telling", "asking", "making"}), _any({"him", "her", "me"}), _one("to"),
              _any({"undress", "strip", "get"}), _one("naked", "?")],
             [_any({"undress", "undressing", "stripping"})],
             [_any({"touching", "groping", "fondling"}), _any(L.DETERMINERS, "*"), _any(kids | {"her", "him", "me"})],
             [_any({"selling", "sold", "sell", "pimping"}), _any(L.DETERMINERS, "*"),
              _any(kids | {"her", "him", "me"})],
             [_any({"post", "share", "send", "leak", "show"}), _any({"my", "her", "his", "your", "them"}),
              _any({"nudes", "pics", "pictures", "photos", "videos", "to"})],
             [_any({"taking"}), _any({"photos", "pics", "pictures", "videos"}), _one("of"), _any({"me", "her", "him"})],
             [_any({"offering", "offered", "offers"}), _any({"him", "her", "me"}),
              _any({"a", "somewhere", "to", "his", "their"})],
             [_any({"do", "doing"}), _any({"stuff", "things", "favours"}), _any({"for", "with"}),
              _any({"them", "him", "men"})],
             [_any({"being", "acting", "getting"}), _any({"weird", "creepy", "pervy", "touchy", "funny"}),
              _any({"with", "to", "around"}), _any({"me", "her", "him"})],
             [_any({"meeting", "meet", "met"}), _any({"someone", "somebody", "him", "a"}), _any({"man", "guy"}, "?"),
              _any({"off", "from", "on"}), _any({"tiktok", "snapchat", "snap", "online", "instagram", "internet", "app",
                                                  "discord", "xbox"})],
             [_any({"older", "grown"}), _any({"man", "men", "lads", "guys", "blokes"})],
             [_any({"meeting", "meet", "meets", "see", "seeing"}), _any({"him", "them"}),
              _any({"at", "in", "tonight"})],
             [_one("or"), _any({"he", "she", "they", "hell", "shell"}), _any({"will", "'ll", "ll"}, "?"),
              _any({"share", "post", "send", "leak", "show"}), _any({"her", "his", "my", "your", "the", "them"}),
              _any({"pics", "pictures", "photos", "nudes", "videos", "picture", "photo", "video"}, "?")],
             [_any({"took", "taken", "taking", "got"}), _any({"his", "her", "my"}),
              _any({"phone", "shoes", "passport"})],
             [_any({"have", "got", "has"}), _one("to"), _any({"do", "doing"}), _any({"stuff", "things", "favours"}),
              _any({"for", "with", "to"}), _any({"him", "them", "men", "her"})],
             [_any({"asking", "telling", "trying", "want", "wants", "wanting"}), _any({"him", "her", "me"}),
              _one("to"), _any({"go", "come", "get"}), _any({"with", "in"}), _any({"them", "him", "men", "their"})]],
            extra=("exploited",),
        ),
        "now_abuse_room": NowRule(
            [[_any({"coming", "comes", "came", "keeps", "gets", "getting", "going", "goes", "went"}), _any({"in",
                                                                                                            "into"}),
              _any({"my", "our", "her", "his"}), _any({"room", "bed", "bedroom"})],
             [_any(L.AGENTS - kids - {"i", "he", "she", "they", "someone", "somebody"}), _any({"is", "'s", "s"}),
              _one("in"), _any({"my", "our", "her", "his"}),
              _any({"sisters", "brothers", "sister", "brother", "daughters", "sons", "daughter", "son", "'s", "s"},
                   "*"),
              _any({"room", "bed", "bedroom", "bathroom"})],
             [_any(L.AGENTS - kids - {"i", "she", "they", "someone", "somebody"}), _any({"is", "'s", "s"}),
              _one("in"), _one("the"), _any({"bathroom", "bedroom", "room", "shed", "toilet"}), _one("with"),
              _any({"her", "him", "them", "me", "my"})],
             [_one("locked"), _one("the"), _one("door")],
             [_any({"doing", "does", "did"}), _one("things"), _one("to"), _any({"her", "him", "me", "them"})],
             [_any({"getting", "gets", "got", "get", "comes", "climbs", "climbing", "coming"}), _any({"in", "into"}),
              _one("bed"), _one("with"), _any({"me", "her", "him", "us"})],
             [_any({"going", "gonna", "gon"}), _any({"to", "na"}, "?"), _one("do"), _one("it"), _one("again")],
             [_any({"do", "does", "doing", "did"}), _any({"bad", "horrible", "sexual", "dirty"}), _one("things"),
              _one("to"), _any(L.DETERMINERS, "*"), _any(L.VICTIMS)]],
            context=frozenset({"night", "tonight", "again", "scared", "touching", "touches", "crying", "locked",
                               "help", "now", "coming", "keeps", "doing", "things", "still", "girl", "girls"}),
            adult_agent=True,
            needs_person=True,
        ),
        # "I'm hiding in the wardrobe", "we're hiding from him in the shed"
        "now_hiding": NowRule(
            [[_any({"i", "we", "me", "us"} | kids), _any(_AUX, "*"), _one("hiding"),
              _any({"in", "from", "under", "behind", "upstairs", "downstairs", "outside", "at"})],
             [_any({"he", "she", "they"}), _any(_AUX, "*"), _one("looking"), _one("for"), _any({"me", "us"})]],
            context=frozenset({"he", "she", "him", "her", "scared", "terrified", "know", "hear", "coming", "back",
                               "frightened", "someone", "broke", "broken", "window", "smashed", "wardrobe",
                                   "cupboard"}),
            extra=("hiding",),
        ),
        "now_forced_marriage": NowRule(
            [
                [_any({"make", "makes", "making", "force", "forcing", "forced", "forces"}),
                 _any({"me", "her", "him", "us"}), _any({"get", "to", "into"}, "?"),
                 _any({"marry", "married", "marriage"})],
            ],
        ),
        # -- someone missing now --------------------------------------------------------------------------------
        "now_missing": NowRule(
            [
                [_any(neg), _any({"come", "came", "coming", "got", "been"}), _any({"home", "back", "in"})],
                [_any(neg | {"never"}), _any({"made", "make", "got"}), _one("it"), _any({"to", "home", "back"})],
                [_any(neg), _one("look"), _one("for"), _one("me")],
                [_any(neg), _one("answering")],
                [_any(neg), _one("home"), _any({"from", "yet", "and", ",", "phone"}, "?")],
                [_one("missing"), _any({"since", "again", "overnight", "for"})],
                [_one("missing"), _any({"on", "at", "in", "from"}), _any(L.DETERMINERS, "*"), _any(_LOST_PLACES)],
                [_any({"vanished", "disappeared"})],
                [_any({"searched", "looked", "searching", "looking", "checked"}), _one("everywhere")],
                [_any({"got", "gone", "slipped", "escaped", "run", "ran"}), _one("out"), _one("of", "?"),
                 _any(L.DETERMINERS | {"back", "front", "garden"}, "*"), _any({"gate", "door", "window"})],
                [_any(kids | {"he", "she"}), _any(_AUX, "*"), _one("gone"), _one("from"),
                 _any({"his", "her", "their", "the", "its"}),
                 _any({"room", "bed", "cot", "bedroom", "house", "home", "pram", "buggy", "garden", "car", "park",
                       "playground", "school", "nursery", "shop", "shops"})],
                [_any(kids | {"she", "he"}), _any(_AUX, "*"), _any(neg), _one("there"), _one("now")],
                [_any(kids), _any(_AUX, "*"), _any({"got", "gone", "slipped"}), _one("out"),
                 _any(L.DETERMINERS | {"back", "front", "garden"}, "*"), _any({"gate", "door", "window"})],
                [_one("on"), _any({"our", "their", "my", "his", "her"}), _one("own")],
                [_one("stuck"), _any({"in", "at", "on"}), _any(L.DETERMINERS | {"middle", "of"}, "*"),
                 _any({"woods", "forest", "station", "street", "park", "field", "fields", "motorway", "hills",
                       "island", "beach", "nowhere", "car", "town", "city", "place"})],
                [_any({"man", "men", "guy", "bloke", "stranger", "someone"}), _any({"she", "he", "i", "they"}),
                 _any({"met", "meet"}), _any({"online", "on"})],
                [_any({"car", "van"}), _any({"full"}), _one("of"), _any({"men", "lads", "strangers", "guys", "boys"})],
                [_any({"car", "van"}), _one("with"), _any(L.DETERMINERS, "*"), _any({"drunk", "drink", "strange"}),
                 _any({"driver", "man", "dad", "mum", "person", "men"})],
                [_one("still"), _any(neg), _any({"back", "home"})],
                [_any(can), _any(neg), _one("find"), _any(L.DETERMINERS, "*"), _any(_CHILD_OR_PRONOUN)],
                [_any(can), _any(neg), _one("see"), _any(L.DETERMINERS, "*"), _any(_CHILD_OR_PRONOUN),
                 _one("anywhere")],

                [_any({"come", "came", "coming"}), _any({"back", "home"}), _one("without"),
                 _any(L.DETERMINERS, "*"), _any(_CHILD_OR_PRONOUN)],
                [_any(neg), _any({"arrived", "arrive", "turned", "showed", "turn", "show"}), _one("up", "?")],
                [_any(neg), _one("know"), _one("where"), _any(L.DETERMINERS, "*"), _any(_CHILD_OR_PRONOUN),
                 _any({"is", "are", "'s", "s", "has", "went", "gone", "been"})],
                [_any(neg), _one("in"), _any({"his", "her", "their", "the"}), _any({"cot", "bed", "room", "pram"})],
                [_any({"ran", "run", "wandered", "walked", "stormed", "went", "gone", "bolted", "legged"}),
                 _any({"off", "out", "away"})],
                [_one("lost"), _any(L.DETERMINERS, "*"), _any(kids), _any({"at", "in", "on"}),
                 _any(L.DETERMINERS, "*"), {"OP": "?"}, _any(_LOST_PLACES)],
                [_one("gone"), _one("missing")],
                [_one("been"), _one("gone"), _one("for", "?"), _any({"2", "3", "4", "5", "6", "two", "three", "four",
                                                                      "five", "six", "hours", "days", "nights", "a",
                                                                      "over", "since", "all"}),
                 _any({"days", "hours", "nights", "day", "night", "whole"}, "?")],
                [_any({"car", "van"}), _one("with"), _any({"a", "some", "two", "three", "older", "2", "3"}, "*"),
                 _any({"man", "men", "stranger", "strangers", "guys", "lads", "blokes"})],
                [_one("no"), _any({"adults", "adult", "grownups", "grown"}), _one("ups", "?"),
                 _any({"here", "home", "in"})],
                [_any({"bed", "cot", "room"}), _any(_AUX, "*"), _one("empty")],
                [_any({"meet", "meeting", "met"}), _any({"a", "some", "an"}),
                 _any({"man", "guy", "bloke", "stranger", "men", "adult", "older"})],
            ],
            negation_is_danger=True,
            next_not=frozenset({"until", "till", "to", "of"}),
            extra=("missing",),
        ),
        # "the driver isn't taking me home", "he took my phone, I don't know where I am"
        "now_lost_me": NowRule(
            [[_any(neg), _one("taking"), _one("me"), _one("home")],
             [_one("nowhere"), _one("to"), _any({"go", "sleep", "stay"}), _one("tonight")],
             [_any({"drive", "give", "take"}), _one("me"), _one("home")],
             [_one("give"), _one("me"), _one("a"), _one("lift")],
             [_any(neg), _one("know"), _one("where"), _any({"i", "we"}), _any({"am", "are", "'m", "m", "re"})]],
            negation_is_danger=True,
            context=frozenset({"phone", "flat", "drinks", "drunk", "car", "taxi", "men", "guy", "guys", "taken", "took",
                               "scared", "driver", "van", "strangers", "locked", "man", "stay", "cold", "street"}),
            next_not=frozenset({"with", "on", "in"}),
            context_outside=True,
            default_who="me",
        ),
        # -- a child alone or neglected now ------------------------------------------------------------------------
        "now_alone": NowRule(
            [
                [_any({"nobody", "noone"}), _any({"is", "'s", "s"}, "?"),
                 _any({"in", "home", "there", "answering", "with", "looking"})],
                [_one("no"), _one("one"), _any({"is", "'s", "s"}, "?"),
                 _any({"in", "home", "there", "with", "looking"})],
                [_one("left"), _any(L.DETERMINERS | kids | {"home", "at"}, "*"), _any({"alone", "on"}),
                 _any({"their", "his", "her", "its", "own"}, "*")],
                [_one("left"), _any(L.DETERMINERS, "*"), _any(kids), _any({"in", "at", "on", "outside"})],
                [_any(kids), _any(_AUX, "*"), _one("locked"), _one("out")],
                [_any(neg), _any({"eaten", "eat", "fed", "ate"}), _any({"in", "for", "since"})],
                [_one("home"), _one("alone")],
                [_any(kids), _any({"on", "in", "at"}), _any(L.DETERMINERS, "*"),
                 _any({"balcony", "road", "window", "ledge", "roof", "snow", "motorway"})],
                [_any(kids), _any({"alone", "crying"})],
                [_any({"climbed", "climbing", "climbs"}), _any({"out", "onto", "on", "over", "up"}),
                 _any(L.DETERMINERS | {"of", "the"}, "*"),
                 _any({"window", "roof", "balcony", "railing", "railings", "ledge", "wall", "fence"})],
                [_one("no"), _any({"one", "ones"}), _any({"is", "'s", "s"}, "?"),
                 _any({"about", "around", "come", "came", "coming"})],
                [_one("nobody"), _any({"about", "around", "come", "came", "coming"})],
                [_any({"nobody", "noone"}), _any({"'s", "s", "has"}, "?"), _any({"picked", "collected", "come"})],
                [_any({"kicked", "chucked", "thrown"}), _one("out"), _any({",", ".", "and", "tonight"})],
                [_one("sleeping"), _any({"in", "on", "at"}), _one("the", "?"),
                 _any({"park", "street", "streets", "car", "stairwell", "doorway", "station"}), _one("tonight")],
                [_one("no"), _any({"food", "adults", "adult"})],
                [_one("been"), _one("left"), _one("for", "?"), {"LIKE_NUM": True, "OP": "?"},
                 _any({"days", "hours", "nights", "ages", "day", "hour", "night", "weekend"})],
                [_any(kids), _any(_AUX, "*"), _any({"alone", "starving", "freezing", "hungry"})],
                [_any(kids), _any(_AUX, "*"), _any({"sat", "left", "locked", "sitting", "crying", "screaming"}),
                 _one("in"),
                 _any({"a", "the", "their"}), _any({"car", "van"})],
                [_one("window"), _any({"ledge", "sill", "ledges"})],
                [_any({"in", "just"}), _any({"a", "her", "his", "their"}, "?"),
                 _any({"vest", "nappy", "pyjamas", "pjs", "nightie"}), _any({"in", "out", "outside", "on"})],
                [_any(neg), _any({"collected", "picked", "come"}), _any(L.DETERMINERS, "*"), _any(kids)],
                [_any(can), _any(neg), _any({"even"}, "?"), _any({"stand", "walk"})],
                [_one("locked"), _one("in"), _any({"the", "our", "a"}),
                 _any({"house", "flat", "room", "home", "shed", "cupboard", "cellar", "garage", "car"})],
                [_one("locked"), _one("in"), _any({",", "and", "."})],
                [_one("on"), _any({"its", "it", "their", "his", "her"}), _one("own")],
            ],
            negation_is_danger=True,
            extra=("alone",),
        ),
        # -- fire, gas, smoke, trapped ---------------------------------------------------------------------------
        "now_fire": NowRule(
            [
                [_one("fire"), _any({"in", "on"}), _any(L.DETERMINERS | {"next", "door", "downstairs", "below",
                                                                          "above"}, "*"), {"OP": "?"}, _any(_PLACES)],
                [_any({"chip"}), _one("pan"), _one("fire")],
                [_any(L.DETERMINERS, "?"), _any(_PLACES),
                 _any(L.PASSIVE_AUX | {"below", "above", "upstairs", "downstairs", "next", "door", "opposite"}, "*"),
                 _one("on"), _one("fire")],
                [_any({"caught", "catching", "set"}), _one("fire")],
                [_any({"door", "letterbox", "roof", "stairs", "hallway", "garage", "shed", "landing"}),
                 _any(L.PASSIVE_AUX, "*"), _one("on"), _one("fire")],
                [_any({"poured", "pouring", "splashed", "splashing", "sprayed", "covered", "soaked"}),
                 _any({"in", "with"}, "?"), _any({"petrol", "fuel", "diesel", "paraffin", "accelerant"})],
                [_one("smoke"), _any(_AUX, "*"),
                 _any({"coming", "pouring", "everywhere", "filling", "billowing", "under"})],
                [_one("full"), _one("of"), _one("smoke")],
                [_any({"smell", "smelling", "smells"}), _any({"gas", "burning", "smoke"})],
                [_one("carbon"), _one("monoxide")],
                [_one("burning"), _any({"through", "into", "in"}), _any(L.DETERMINERS, "*"),
                 _any({"letterbox", "window", "door", "house", "flat"})],
                [_one("trapped")],
                [_one("fire"), _any({"upstairs", "downstairs", "next"})],
                [_one("fuego")],  # Spanish: fire
                [_one("flames")],
                [_any({"filling", "filled", "full"}), _any({"with", "of"}), _one("smoke")],
                [_any({"smell", "smells", "smelling"}), _one("like"), _one("rotten"), _one("eggs")],
                [_any({"smells", "smell", "stinks", "reeks"}), _any({"really", "so", "very", "strong", "strongly"},
                                                                    "+"),
                 _one("of"), _one("gas")],
                [_one("gas"), _any({"smell", "leak", "leaking"})],
                [_one("gas"), _any({"hob", "cooker", "oven", "ring", "fire"}), _any({"left", "'s", "s", "is"}),
                 _any({"on", "left"})],
                [_one("sparking")],
                [_one("sparks")],
                [_one("smoke"), _one("in"), _any(L.DETERMINERS, "*"), _any(_PLACES | {"room", "babys"})],
                [_any({"flood", "water"}), _any({"rising", "coming"})],
                [_any({"car", "van"}), _one("in"), _one("the", "?"), _any({"river", "canal", "sea", "water", "lake"})],
                [_any({"duvet", "bed", "sofa", "curtains", "wall", "socket", "plug", "charger", "cot"}), _any(_AUX,
                                                                                                              "*"),
                 _one("smoking")],
                [_any({"electrocuted", "electrocuting"})],
                [_one("power"), _any({"line", "cable", "lines"}), _any(_AUX, "*"), _one("down")],
                [_any({"fallen", "fell", "gone", "slipped", "falling"}), _any({"in", "into", "through"}),
                 _any({"the", "a"}), _any({"canal", "river", "pond", "lake", "sea", "water", "pool", "weir", "ice",
                                           "reservoir", "dock"})],
                [_any({"gone", "went", "driven", "crashed"}), _one("into"), _one("the"),
                 _any({"river", "canal", "sea", "lake", "water"})],
                [_one("stuck")],
                [_any({"house", "kitchen", "bedroom", "flat", "chip"}), _one("pan", "?"), _one("fire")],
                [_one("chip"), _one("pan"), _any(_AUX, "*"), _any({"gone", "going", "caught", "on", "up"})],
                [_any({"river", "river's", "rivers"}), _any(_AUX, "*"), _any({"burst", "flooding", "flooded"})],
                [_any({"stinks", "stink", "reeks", "smells", "smell", "smelling", "stinking"}), _one("of"),
                 _any({"gas", "smoke", "burning"})],
                [_one("water"), _any(_AUX | {"up"}, "*"),
                 _any({"coming", "pouring", "pours", "rushing", "gushing", "flooding"}), _one("up", "?"),
                 _any({"in", "into", "through", "under"})],
                [_one("up"), _one("to"), _any({"my", "our", "his", "her", "their", "the"}),
                 _any({"knees", "waist", "chest", "neck", "doors", "door", "windows", "wheels"})],
                [_one("burst"), _any({"its", "it", "the"}), _any({"banks", "bank"})],
                [_one("ceiling"), _any(_AUX | {"come", "came", "fallen", "fell", "collapsed", "falling"}, "+"),
                 _any({"down", "in"})],
                [_any(_PLACES), _any(_AUX, "*"), _one("flooding")],
            ],
            next_not=frozenset({"cycle", "relationship", "marriage", "job", "system", "loop", "debt", "wind",
                                "nerve", "safety", "door", "doors", "exit", "drill", "risk", "brigade", "service",
                                "certificate", "check", "regulations", "escape", "extinguisher", "blanket"}),
            everyone=True,
            extra=("fire",),
        ),
        # -- a short message in panic: "SOS", "send an ambulance", "knife. kitchen. hes coming", "FIRE" ---------
        "now_short": NowRule(
            [
                [_one("sos")],
                [_one("999")],
                [_any({"need", "send", "get", "call", "ring"}), _any({"an", "a", "the"}, "?"),
                 _any({"ambulance", "999", "paramedics"})],
                [_any({"call", "ring", "send"}), _one("the", "?"), _one("police")],
                [_one("help"), _any({"urgent", "asap", "emergency"})],
                [_any(L.WEAPONS)],
                [_one("fire")],
                [_one("🔥")],
                [_one("💊")],
                [_any(can), _any(neg), _one("talk"), _any({"he", "she", "they"}), _any({"'s", "s", "is", "are"}, "?"),
                 _any({"listening", "here", "watching", "coming", "outside"})],
                [_any({"he", "she", "they"}), _any({"'s", "s", "is", "are"}, "?"), _one("coming"), _one("up"),
                 _one("the", "?"), _one("stairs")],
                [_one("hiding"), _any({"in", "under", "behind"}), _any(L.DETERMINERS, "*"),
                 _any({"wardrobe", "bathroom", "cupboard", "loft", "toilet", "shed", "bedroom", "garden", "car",
                       "bed"})],
                [_any({"he", "she", "they"}), _any({"'s", "s", "has"}, "?"), _one("got"), _any(L.DETERMINERS, "*"),
                 _any(kids)],
                [_one("on"), _one("the"), _any({"bridge", "roof", "ledge", "edge", "railway", "tracks"})],
                [_one("not"), _one("moving")],
                [_any({"he", "she", "they"}), _any({"'s", "s", "is", "are"}, "?"), _one("forcing"),
                 _any({"me", "her", "him"})],
            ],
            negation_is_danger=True,
            extra=("short",),
        ),
        # -- in Welsh: a few short phrases, since a parent in fear writes in their first language --------------
        "now_welsh": NowRule(
            [
                [_one("ddim"), _one("yn"), _one("anadlu")],  # not breathing
                [_any({"stopio", "stopiodd", "peidio"}), _one("anadlu")],  # stopped breathing
                [_any({"ar", "ar y"}), _any({"dân", "dan"})],  # on fire
                # a fire in the house
                [_any({"tân", "tan"}), _one("yn"), _one("y"),
                 _any({"tŷ", "ty", "fflat", "gegin", "llofft", "stafell"})],
                [_any({"tŷ", "ty", "fflat", "gegin"}), _any({"yn", "'n"}), _one("llosgi")],  # the house is burning
                [_one("ar"), _one("goll")],  # missing
                # kicking the door in, breaking the window
                [_any({"cicio", "torri", "dorri", "thorri"}), _one("'r", "?"), _any({"drws", "ffenest", "ffenestr"})],
                # hitting (him, her, me, us, them, now)
                [_any({"daro", "tharo", "guro", "churo", "bwrw"}), _any({"fe", "hi", "fi", "ni", "nhw", "nawr"})],
                [_any({"eisiau", "isio", "isie", "ishe", "moyn"}), _one("marw")],  # want to die
                [_one("ddim"), _any({"eisiau", "isio", "isie", "ishe", "moyn"}), _one("byw")],  # don't want to live
                # can't go home
                [_one("ddim"), _one("yn"), _one("gallu"), _one("mynd"), _any({"adre", "adref", "nôl"})],
                [_one("unman"), _one("i"), _any({"gysgu", "fynd", "aros"})],  # nowhere to sleep, to go
                # swallowed, drunk, eaten: pills, bleach, a battery
                [_any({"llyncu", "lyncu", "yfed", "bwyta", "fwyta"}), _any(_CY_DETERMINERS, "*"), _any(_CY_SWALLOWED)],
                [_one("holl"), _any(_CY_SWALLOWED)],  # all the tablets
                [_one("cymryd"), _one("gormod")],  # taken too many
                [_one("anymwybodol")],  # unconscious
                [_one("ddim"), _one("yn"), _any({"deffro", "symud"})],  # not waking, not moving
                # can't wake her
                [_any({"gallu", "methu", "fedra", "fedrai", "ffaelu"}), _any({"ei", "eu", "â", "a"}, "*"),
                 _any({"deffro", "ddeffro", "dihuno", "ddihuno"})],
                [_one("llewygu")],  # fainted
                [_one("llipa")],  # floppy
                [_any({"wefusau", "gwefusau"}), _any({"fe", "hi", "e", "o", "fo", "'n", "yn"}, "*"), _one("las")],
                [_one("gorddos")],  # an overdose
                [_any({"ogla", "oglau", "arogl", "arogli", "gwynto", "gwyntio"}), _one("nwy")],  # smell of gas
                [_one("mwg"), _any({"ym", "yn"}), _any({"mhobman", "pobman"})],  # smoke everywhere
                [_any({"torri", "dorri"}), _one("mewn")],  # breaking in
                [_one("cael"), _any({"ffit", "ffitiau"})],  # having a fit
                # scared to go home
                [_any({"ofn", "ofnus", "ofni"}), _one("arna", "?"), _one("i", "?"), _any({"mynd", "fynd"}),
                 _any({"adre", "adref", "nôl", "nol", "gartre", "gartref", "adra"})],
            ],
            negation_is_danger=True,
            extra=("welsh_who",),
        ),
        # Welsh, a child choking or gone: only when the message names a child ("mae'r babi'n tagu", "mae fy merch
        # wedi diflannu"), not a phone that has disappeared
        "now_welsh_child": NowRule(
            [
                [_any({"yn", "'n"}), _any({"tagu", "dagu"})],
                [_one("wedi"), _one("diflannu")],
                [_one("wedi"), _one("rhedeg"), _one("i"), _one("ffwrdd")],  # run away
                [_one("ddim"), _one("wedi"), _any({"dod", "cyrraedd"}),
                 _any({"adre", "adref", "adra", "nôl", "gartref"})],
                [_one("colli"), _any({"fy", "ei", "y", "'r"}), _any(_CY_CHILDREN)],  # lost my son
                [_any({"methu", "ffaelu", "fedra"}), _any({"ei", "eu", "â", "a", "i"}, "*"),
                 _any({"ffeindio", "ffindio", "ffendio", "gweld", "weld"})],  # can't find her
                [_any({"cipio", "gipio", "nghipio", "chipio"})],  # snatched
                [_any({"dieithr", "dieithryn", "ddieithr"})],  # a stranger
                [_one("wedi"), _one("mynd"), _any({"gyda", "efo", "hefo", "â"}), _any({"dyn", "dynion", "rhywun"})],
            ],
            negation_is_danger=True,
            context=_CY_CHILDREN,
            extra=("welsh",),
        ),
        # Welsh, someone hurting someone: "mae e'n curo'r plant", "mae fy mhartner yn taro fy mab", "mae o'n fy
        # nharo i", "mae e wedi bygwth ein lladd ni". The verb needs a person after it, or "fy/ei" before it, so
        # "mae fy nant yn brifo" (my tooth hurts), "taro heibio" (drop by) and "mae'r gwaith yn fy lladd i" (work is
        # killing me) are not danger. Past and conditional talk is thrown out by _welsh.
        "now_welsh_harm": NowRule(
            [
                [_any(_CY_NOW_MARK), _any(_CY_HARM), _any(_CY_PERSON_AFTER)],
                [_any(_CY_NOW_MARK | {"trio", "treio", "ceisio", "cheisio"}),
                 _any({"fy", "ei", "ein", "eu", "dy", "eich"}), _any(_CY_HARM)],
                [_any(_CY_NOW_MARK), _any({"ein", "eu", "ei", "dy"}), _any(_CY_KILL)],  # not "fy lladd": see above
                [_one("dal"), _one("i"), _any(_CY_HARM)],  # still hitting
                [_any(_CY_THREAT),
                 _any({"i", "'n", "'w", "'m", "fy", "ei", "ein", "eu", "e", "o", "hi", "nhw", "fe", "fo"}, "*"),
                 _any(_CY_HARM | _CY_KILL | {"llosgi", "losgi"})],
                # attacking (me, her, him, us)
                [_any(_CY_NOW_MARK), _one("ymosod"), _any({"ar", "arna", "arni", "arno", "arnom", "arnon", "arnyn"})],
                [_any({"gafael", "afael", "gwasgu", "wasgu"}), _one("yn", "?"), _any({"fy", "ei", "y", "'r"}, "?"),
                 _any(_CY_NECK)],  # gripping my neck
                [_any({"dal", "nal", "nhal", "dala"}), _any({"i", "fi", "hi", "fe", "fo", "e", "o"}, "?"),
                 _one("lawr")],  # holding me down
                [_any({"cam", "gam", "ngham", "cham"}), _one("-", "?"), _one("drin")],  # abusing
                [_any(_CY_WEAPONS - {"gwn"})],  # a knife, with _welsh's context
                # a gun ("gwn i" is "I know")
                [_any({"y", "'r", "gyda", "efo", "gynno", "ganddo", "gan", "ei"}), _one("gwn")],
            ],
            negation_is_danger=True,
            extra=("welsh",),
        ),
        # Welsh, "in danger"; "not safe" said with now, tonight, here or a cry for help. Not "if they think my
        # child is in danger, do they share my data" (_welsh)
        "now_welsh_danger": NowRule(
            [[_one("mewn"), _any({"perygl", "peryg"})]],
            negation_is_danger=True,
            extra=("welsh",),
        ),
        "now_welsh_unsafe": NowRule(
            [[_one("ddim"), _one("yn"), _any({"saff", "ddiogel", "diogel"})]],
            negation_is_danger=True,
            context=_CY_NOW | _CY_HELP | {"yma", "adre", "adref", "adra"},
            extra=("welsh",),
        ),
        # Welsh, afraid or hiding, with a sign of violence around it ("mae ofn arna i, mae e'n feddw ac yn gweiddi")
        "now_welsh_fear": NowRule(
            [[_any({"ofn", "ofnus", "arswyd", "cuddio"})]],
            context=_CY_VIOLENCE,
            context_outside=True,
            extra=("welsh",),
        ),
        # Welsh, sexual abuse now: touching a child or the writer, with what makes it abuse around it
        "now_welsh_sexual": NowRule(
            [
                [_any(_CY_NOW_MARK), _any({"fy", "ei", "eu", "ein"}, "?"),
                 _any({"cyffwrdd", "gyffwrdd", "nghyffwrdd", "chyffwrdd"})],
                [_any({"gorfodi", "ngorfodi", "orfodi"})],
                [_one("lluniau"), _one("noeth")],
            ],
            context=frozenset({"amhriodol", "rhywiol", "noeth", "preifat", "nos", "gwely", "stafell", "llofft",
                               "heno", "cyfarfod", "gyfarfod", "chyfarfod", "ewythr", "llystad", "pethau"}),
            context_outside=True,
            extra=("welsh",),
        ),
        # Welsh, someone on the way to hurt them: "mae o ar ei ffordd yma efo'i fêts i sortio ni allan"
        "now_welsh_coming": NowRule(
            [[_one("ar"), _any({"ei", "eu"}), _one("ffordd")]],
            context=_CY_VIOLENCE | _CY_KILL | _CY_HARM | {"sortio", "ofn", "ofnus", "cuddio"},
            context_outside=True,
            extra=("welsh",),
        ),
        # Welsh, harming oneself: "dw i eisiau lladd fy hun", "mae hi'n mynd i ladd ei hun", "rhoi diwedd ar fy
        # mywyd"
        "now_welsh_self": NowRule(
            [
                [_any(_CY_HARM | _CY_KILL | {"torri", "dorri", "nhorri"}), _any({"fy", "ei", "dy"}), _one("hun")],
                [_any({"rhoi", "roi"}), _one("diwedd"), _one("ar"), _any({"fy", "y", "'r", "ei"}, "?"),
                 _any({"mywyd", "bywyd", "fywyd", "cyfan", "cwbl", "cwbwl", "popeth", "bopeth"})],
                [_one("dim"), _one("pwynt"), _one("byw")],
                [_any(_CY_SWALLOWED), _one("i"), _one("gyd")],  # all the tablets ready
                [_one("neidio"), _any({"o", "oddi", "off", "ar"}, "*"), _any({"y", "'r"}, "?"),
                 _any({"bont", "pont", "to", "dibyn", "clogwyn", "ffenest", "ffenestr"})],
            ],
            self_harm=True,
            extra=("welsh",),
        ),
        # -- someone harming themselves now ---------------------------------------------------------------------
        "now_self": NowRule(
            [
                [_any({"end", "ending"}), _one("it")],
                [_any({"take", "taking", "swallow", "swallowing", "taken", "took", "swallowed"}),
                 _any({"everything", "all"}),
                 _any({"in", "the", "my", "of", "from", "mums", "dads", "nans", "mum", "dad"}, "*"),
                 _any({"cupboard", "cabinet", "drawer", "box", "pills", "tablets", "meds", "medicine"})],
                [_one("cutting"), _any({"right", "now", "again", "myself", "herself", "himself"})],
                [_any(can), _any(neg), _one("stop"), _any({"cutting", "hurting", "harming", "burning"})],
                [_any({"banging", "hitting", "smashing"}), _any({"his", "her", "my", "their"}), _one("head"),
                 _any({"on", "against", "off"}), _any(L.DETERMINERS, "*"), _any({"wall", "walls", "floor", "door"})],
                [_any({"going", "gonna", "gon", "will", "'ll", "ll"}), _any({"to", "na"}, "?"), _one("take"),
                 _any({"it", "them"}), _one("all")],
                [_any({"took", "taken", "swallowed", "had"}), {"LIKE_NUM": True}, _one("of", "?"),
                 _any(L.DETERMINERS, "*"), _any(L.INGEST_OBJECTS)],
                [_any({"going", "gonna", "gon"}), _any({"to", "na"}, "?"), _one("do"), _one("it")],
                [_one("tonight"), _one("is"), _one("the"), _one("night")],
                [_any({"drive", "driving", "crash", "crashing"}), _any({"the", "car", "van", "it"}, "*"),
                 _any({"into", "off"}), _any(L.DETERMINERS, "*"),
                 _any({"wall", "tree", "river", "sea", "lorry", "traffic", "bridge", "cliff"})],
                [_any({"tied", "got", "have", "made", "making", "tying"}), _any({"the", "a", "up"}),
                 _any({"rope", "noose"})],
                [_one("noose")],
                [_any({"belt", "rope", "cord", "scarf", "ligature", "lead", "wire"}), _any({"round", "around"}),
                 _any({"his", "her", "my", "their"}), _one("neck")],
                [_any(neg), _one("be"), _any({"here", "around", "alive"}), _any({"tomorrow", "tonight", "much", "by"})],
                [_any({"taken", "took", "had", "taking"}), _one("an"), _one("overdose")],
                [_any(neg), _one("trust"), _any({"myself", "himself", "herself"})],
                [_one("been"), _one("cutting")],
                [_any({"written", "wrote", "left", "writing"}), _any({"letters", "letter", "notes", "note"}),
                 _any({"to", "for", "and", ","})],
                [_any({"climbed", "climbing"}), _any({"over", "onto", "on"}), _one("the"),
                 _any({"railings", "railing", "barrier", "edge", "fence", "parapet"})],
                [_any({"have", "got", "'ve", "ve"}), _any(L.DETERMINERS, "*"),
                 _any({"pills", "tablets", "meds", "rope"}), _any({"in", "next", "here", "beside"}),
                 _any({"front", "to", "me"}, "?"), _any({"of", "me"}, "?"), _one("me", "?")],
                [_any({"took", "taken", "swallowed", "had"}), _any({"all", "loads", "lots", "handful", "whole"}),
                 _one("of", "?"), _any(L.DETERMINERS | {"mums", "dads", "nans", "mum", "dad", "nan"}, "*"),
                 _any(L.INGEST_OBJECTS)],
                [_any({"took", "taken", "had"}), _one("an"), _one("over"), _any({"those", "dose", "dosed"})],
                [_one("tell"), _any(L.DETERMINERS, "*"), _any(kids | {"family", "mum", "dad", "children"}),
                 _any({"sorry", "i", "im"}), _any({"love", "am", "'m", "m", "sorry"}, "?")],
                [_any({"got", "have", "'ve", "ve"}), _any({"the", "a", "my"}),
                 _any({"rope", "noose", "knife", "blade", "pills", "tablets"}), _one("ready")],
                [_one("voices"), _any({"telling", "tell", "told"}), _any({"her", "him", "me", "them"}), _one("to"),
                 _any({"jump", "kill", "hurt", "die", "cut"})],
                [_one("found"), _any(L.DETERMINERS, "*"), _any(L.VICTIMS),
                 _any({"hanging", "hanged", "unconscious", "collapsed", "dead", "overdosed"})],
                [_any({"empty"}), _any({"bottles", "packets", "strips", "packet", "strip", "bottle"})],
                [_one("and"), _any({"my", "his", "her", "the"}), _any({"mums", "dads", "nans", "mum", "dad",
                                                                       "nan"}, "?"),
                 _any({"tablets", "pills", "meds"})],
                [_any(can), _any(neg), _one("make"), _one("it"), _one("stop")],
                [_any({"pills", "tablets"}), _one("in"), _any({"my", "his", "her"}), _any({"hand", "hands"})],
                [_one("all"), _one("gone")],
                [_any(can), _any(neg), _one("stop"), _one("thinking"), _any({"of", "about"}),
                 _any({"hurting", "killing", "harming", "smothering", "shaking"})],
                [_one("turned"), _one("the"), _one("gas"), _one("on")],
                [_one("tied"), _any({"something", "a", "his", "her", "the", "rope", "belt", "scarf", "cord"}, "+"),
                 _any({"round", "around"}), _any({"his", "her", "my", "their"}), _one("neck")],
                [_any({"with", "found", "has", "got"}), _any({"a", "the", "some"}), _any({"rope", "ligature", "cord"})],
                [_any({"engine", "car"}), _one("running")],
                [_any({"suicide"}), _any({"note", "letter", "message", "post"})],
                [_one("hear"), _any({"her", "him", "them"}), _any({"cutting", "choking"})],
                [_any({"doing", "do"}), _one("it"), _any({"tonight", "now", "today"})],
                [_any({"locked", "shut"}), _any({"herself", "himself", "themselves"}), _one("in"),
                 _any(L.DETERMINERS, "*"), _any({"bathroom", "room", "toilet", "bedroom"})],
                [_any({"going", "gonna", "threatening", "wants", "says", "want", "gon"}), _any({"to", "na"}, "?"),
                 _one("jump")],
                [_any({"standing", "stood", "sat", "sitting", "is", "'s", "s", "am", "'m", "m"}, "?"),
                 _any({"on", "at"}),
                 _any({"the", "a", "top"}, "+"), _one("of", "?"), _any({"the", "a"}, "?"), {"OP": "?"},
                 _any({"bridge", "roof", "ledge", "edge", "cliff", "balcony", "platform", "tracks", "railway", "storey",
                       "carpark"})],
                [_any({"got", "have", "holding"}), _any(L.DETERMINERS, "*"),
                 _any({"pills", "tablets", "meds", "knife", "blade", "razor"}), _one("in"),
                 _any({"my", "his", "her"}), _any({"hand", "hands"})],
                [_any({"locked", "shut"}), _one("in"), _any(L.DETERMINERS, "*"), _any(_PLACES | {"toilet"}),
                 _one("with"), _any({"a", "the", "some", "his", "her"}, "?"),
                 _any({"razor", "blade", "blades", "knife", "pills", "tablets"})],
                [_any({"burnt", "burned", "burning", "scalded"}), _any({"herself", "himself", "myself"})],
                [_any({"message", "messaged", "text", "texted", "note", "rang", "called", "saying", "say", "said",
                       "sent"}), _any({"me", "to", "a", "his", "her", "saying", "just", "said"}, "*"),
                 _any({"goodbye", "bye"})],
            ],
            self_harm=True,
            extra=("self",),
        ),
    }


# ------------------------------------------------------------------------------------------------------------------
# The checks every rule passes
# ------------------------------------------------------------------------------------------------------------------

_RECENT_PAST = re.compile(
    r"\b(last week|the other day|the other week|earlier this year|back when|at the time|that time"
    r"|when (?:i|he|she|they|we|my \w+|our \w+) (?:was|were) (?:\d+|only|about|little|small|a baby|a newborn|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"younger|a toddler|tiny)|as a (?:newborn|baby|toddler)"
    r"|in (?:january|february|march|april|june|july|august|september|october|november|december)"
    r"|(?:he|she|i|we|they|everyone|all)(?: ?'?s| ?'?m| ?'?re| is| are| am| was)? (?:fine|ok|okay|better|well|"
    r"alright|safe) now"
    r"|was investigated|were investigated|(?:case|it) was closed|(?:was|been|got|all) sorted|last summer"
    r"|(?:he|she|they|i)(?: ?'?s| ?'?m| is| are| am) (?:\d+|grown up|an adult|at uni) now"
    r"|in the (?:19)?\d0s|(?:19|20)\d\d (?:and|to|-) (?:19|20)\d\d"
    r"|(?:took|had|was|were|did|harmed|tried|ran) (?:\w+ ){0,4}at (?:age |the age of )?1[0-9]"
    r"(?! ?(?:tonight|today|pm|am|o'?clock|:))"
    r"|worried (?:that )?(?:my|our|the) \w+ (?:might|may|could)"
    r"|(?:that|it|this) was (?:in )?(?:19|20)\d\d|when (?:he|she|i|they|we) (?:was|were) born"
    r"|(?:i|he|she|we|they)(?: ?'?m| ?'?s| ?'?re| am| is| are) out (?:of (?:it|there) )?now"
    r"|doing (?:really |so |much )?(?:well|fine|great|better) now|(?:police|they|we) found (?:him|her|them)"
    r"|(?:at|over|last) (?:christmas|easter|xmas)|when (?:my|our) \w+ had"
    r"|(?:he|she|they) ?'?s gone now|(?:is|are) (?:much |so )?(?:happier|safe|fine) now|reported that|alleged that"
    r"|allegation|every time [^.!?]{0,60}\b(?:haha|lol)\b"
    r"|one day|some day|one of these days|\bonce\b(?! (?:he|she|they|i|we|you)\b)"
    r"|last christmas|twice|once before)\b"
)
_QUOTED_RECORD = re.compile(
    r"\b((record|records|file|report|notes|letter|form|assessment|system|referral|plan|minutes|entry|it|"
    r"social worker|health visitor|teacher|doctor|gp|nurse|police|school)\s+(?:also |still |now )?(says|say|said|"
    r"saying|states|stated|"
    r"claims|claimed|wrote|written|writes|mentions|mentioned|shows|put|recorded|noted|reckons|reckoned)"
    r"|(wrote|written|put|recorded|noted) (down )?that"
    r"|(?:it ?'?s|it is|was|written|put) (on|in) (his|her|my|our|the) (\w+ )?(record|file|notes)"
    r"|the (part|bit|line|section|entry) (saying|that says|where it says))\b"
)
_CONDITION = frozenset({"if", "whether", "suppose", "supposing", "hypothetically", "imagine", "incase"})
_THREAT_SAID = frozenset({"said", "says", "sed", "sez", "saying", "threatened", "threatens", "threatening", "told",
                          "tells", "telling", "swore", "swears", "promised"})
_UNSURE = frozenset({"know", "sure", "tell", "check", "see", "wondering", "wonder", "asking", "unsure"})
_THIRD_PERSON_CHILD = re.compile(  # "she's 15", "hes only 12", "he is 4"
    r"\b(?:he|she|they|lass|lad|son|daughter|girl|boy|kid|child|wean|bairn|brother|sister)(?:'s| is|s| are|'re)? "
    r"(?:only |just |nearly |about )?(?:[1-9]|1[0-7])\b"
    r"(?!\s*(?:%|weeks?|wks|months?|mins?|minutes|hours?|days?|stone|kg|pounds|quid|pm|am|o'?clock|:))"
)
STATISTICS = re.compile(  # "how many children are hurt each year"; not "how many is too many" (of pills)
    r"\b((?<!know )(?<!me )how many(?! (is|are|would be) (too|safe|dangerous|ok|okay)"
    r"| (he|she|they|i|we) (took|had|has|"
    r"swallowed|taken|drank|ate))|statistics|stats|figures|rates?|percent|"
    r"percentage|number of|each year|every year|per year)\b"
)
_NEWS = re.compile(r"\b(news|programme|documentary|article|read about|heard about|film|movie|soap|episode|"
                   r"podcast|radio|on tv|on the telly|heard on|just watched|casualty|eastenders|newyddion|"
                   r"look north|corrie|coronation street|emmerdale|hollyoaks|case study|video about|novel|"
                   r"writing a (?:book|story|script))\b")


_PLEA = re.compile(r"\b(what (do|should|can) i do|who do i (call|ring|phone)|help me|what do i do)\b")


def _young(ctx) -> bool:  # noqa: ANN001
    """The message names a child, the writer says they are one ("im 14"), or gives someone's age under 18."""
    return bool(ctx.has_child or ctx.writer_says_child or _THIRD_PERSON_CHILD.search(ctx.doc.text))


def _hypothetical(ctx, start: int) -> bool:  # noqa: ANN001 - safety._Ctx
    """'if my baby stopped breathing would anyone investigate me'; not 'I don't know if he's breathing', nor
    'if my kids are in danger what do I do' (that asks for help)."""
    if _PLEA.search(ctx.sentence(start)):
        return False
    lo = max(ctx.sentence_start(start), start - 10)
    for j in range(start - 1, lo - 1, -1):
        word = ctx.norms[j]
        if word in {",", ";", "-"}:
            return False
        what_if = word == "what" and ctx.at(j + 1) == "if"
        say_first = word == "say" and j == ctx.sentence_start(start)  # "Say my daughter told her teacher..."
        if word in _CONDITION or what_if or say_first or (word == "in" and ctx.at(j + 1) == "case"):
            if {ctx.at(j - 1), ctx.at(j - 2)} & _THREAT_SAID:
                return False  # "he said if I leave he'll kill the kids": a threat, not a hypothetical
            return ctx.at(j - 1) not in _UNSURE and ctx.at(j - 2) not in _UNSURE
    return False


def _person_before(ctx, start: int) -> tuple[int, str] | None:  # noqa: ANN001
    lo = ctx.sentence_start(start)
    for j in range(start - 1, max(lo, start - 14) - 1, -1):
        word = ctx.norms[j]
        if word in PEOPLE and _word_is_person(ctx, j):
            return j, word
    return None


def _word_is_person(ctx, j: int) -> bool:  # noqa: ANN001
    return L.child_word_ok(ctx.norms, j) and (not ctx.possessive(j) or ctx.norms[j] in {"he", "she", "it"})


def _person_in(ctx, start: int, end: int) -> str | None:  # noqa: ANN001
    for j in range(start, end):
        if ctx.norms[j] in PEOPLE and ctx.norms[j] not in {"i", "me", "us", "we"} and _word_is_person(ctx, j):
            return ctx.norms[j]
    return None


SHORT_MESSAGE = 40  # tokens: a message this short is one thought, so its words all count as context


def _words(ctx, start: int) -> set[str]:  # noqa: ANN001
    if ctx.n <= SHORT_MESSAGE:
        return set(ctx.norms)  # "hes back. hes drunk. hes got the baby. please"
    lo, hi = ctx.window(start)
    return set(ctx.norms[lo:hi])


_TURN = frozenset({"but", "anyway", "however", "actually", "urgent"})
NEAR_TOKENS = 20  # how far either side of a match not_now's markers count: a long rant can hold both


def not_now(ctx, start: int) -> bool:  # noqa: ANN001
    """The match at start is not news of danger now: the past ("when he was 2, he's fine now"), a record quoted
    ("the notes say he was floppy"), a hypothetical ("if I said he hit me would they..."), the news or a
    statistic. Every crisis rule passes this check."""
    lo, hi = ctx.window(start)
    lo = max(lo, start - NEAR_TOKENS)
    # "I filled in your form last week, but never mind that, my son's just collapsed": the past ends at the turn
    turn = next((j + 1 for j in range(start - 1, lo - 1, -1) if ctx.norms[j] in _TURN), lo)
    if not set(ctx.norms[turn : start + 4]) & {"was", "were", "had", "did", "used"}:
        lo = turn  # but not "I'm better now, but I was suicidal after my second baby"
    near = " ".join(t.text for t in ctx.doc[lo : min(hi, start + NEAR_TOKENS)])
    if _RECENT_PAST.search(near) or _QUOTED_RECORD.search(near) or _NEWS.search(ctx.sentence(start)):
        return True
    return _hypothetical(ctx, start)


def check(  # noqa: C901, PLR0911, PLR0912
    ctx, start: int, end: int, name: str, rule: NowRule  # noqa: ANN001
) -> tuple[str, str] | None:
    """(rule name for the match, who) when the phrase at start:end is danger now, else None. The caller has
    already checked not_now."""
    sentence = ctx.sentence(start)
    if ctx.past(start) or ctx.fiction(start) or ctx.denied(start) or STATISTICS.search(sentence):
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
    writer_first = ctx.norms[start] in WRITER or (before is not None and before[1] in WRITER
                                                    and not _person_in(ctx, start, end))
    if rule.not_writer and writer_first and not words & _OWN_EMERGENCY:
        return None  # "I can't breathe with all this stress"; not "cant breathe, my inhaler is empty"
    agent = ctx.norms[start] if ctx.norms[start] in PEOPLE else (before[1] if before else None)
    if rule.adult_agent and (agent is None or agent in L.CHILD_NOUNS):
        return None
    for extra in rule.extra:
        verdict = _EXTRA[extra](ctx, start, end, words, who)
        if verdict is False:
            return None
        if isinstance(verdict, str):
            who = verdict
    if rule.self_harm:
        writer = who in WRITER or who == "myself"
        return ("self_harm", "myself") if writer else ("self_harm_other", who)
    return name, who


# ------------------------------------------------------------------------------------------------------------------
# Extra checks for single rules: True/None to keep the match, False to throw it out, a word to name who
# ------------------------------------------------------------------------------------------------------------------



def _unresponsive(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if "wake" in phrase or "waking" in phrase or "woken" in phrase or "woke" in phrase:
        after = ctx.norms[end : end + 5]
        if "since" not in after and set(after) & L.WAKE_ROUTINE:
            return False  # "he won't wake up for school"
    if "responding" in phrase and ctx.services(start):
        return False  # "the council is not responding to my emails"
    if "coming" in phrase or "come" in phrase:
        return bool(words & _MEDICAL_CONTEXT)  # "he's not coming round tonight" is a visit
    if phrase[:2] == ["passed", "out"] and ctx.at(start - 1) in {"nearly", "almost", "near"}:
        return False
    if phrase[-1] == "coming":
        return bool(words & {"pregnant", "own", "alone", "waters", "contractions", "labour", "weeks"})
    if phrase[-1] in {"blue", "grey", "gray", "purple", "blew"}:
        near = set(ctx.norms[max(0, start - 6) : start])
        return bool(near & (_BODY | L.CHILD_NOUNS | {"he", "she", "they"}))
    if phrase[-1] == "limp" and ctx.at(start) in {"a", "with"}:
        return False
    if phrase[-1] in {"move", "moving"} and ctx.at(end) in L.NEGATIONS:
        return None
    return None


def _held(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if phrase[-1] == "by":
        return ctx.at(end) in {"the", "my", "her", "his"} and ctx.at(end + 1) in {"throat", "neck", "hair", "arm"}
    if phrase[-1] == "leave" and "let" not in phrase and not (set(phrase) & L.NEGATIONS or "cannot" in phrase):
        return False
    if "let" in phrase and phrase[-1] == "out" and ctx.at(end) == "of" and ctx.next_content(end + 1)[1] in {
            "bedroom", "room", "car", "flat", "van", "bathroom", "toilet"}:
        agent = _person_before(ctx, start)
        return agent is None or agent[1] not in L.PARENT_ROLES  # "a man won't let her out of the bedroom"
    if "let" in phrase and phrase[-1] in {"go", "out"}:
        return False if phrase[-1] == "out" else None  # "won't let me go out" is a curfew
    return None


def _coming_for(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if phrase[0] in {"waiting", "outside", "looking"} and phrase[-2] == "for":
        return bool(words & ({"gang", "owes", "debt", "threatened", "threatening", "hurt", "kill", "drugs", "carry",
                              "lads", "county"} | L.WEAPONS))
    if ctx.possessive(end - 1):
        return False  # "he went for my son's parents evening"
    if "get" in phrase and not words & _FEAR:
        return False  # "his dad is coming back to get him at 5"
    if "went" in phrase and ctx.at(phrase.index("went") + start - 1) not in {"just", "then", "and"}:
        return False
    if "kicking" in phrase and "off" in phrase and not (ctx.norms[end - 1] in L.CHILD_NOUNS or words & _FEAR):
        return False
    if set(phrase) & {"finish", "do", "sort"} and not words & (_FEAR | _THREAT_CONTEXT):
        return False  # "he'll sort me out with a lift", "finish it off"
    if phrase[0] in {"coming", "way", "waiting", "outside", "back", "round", "over", "here"}:
        if _person_before(ctx, start) is None:
            return False
    return None


def _not_child_agent(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    if ctx.at(end) in {"around", "round", "about"} and ctx.norms[start] in {"he", "she", "they"}:
        return False  # "they keep following me around" (the kids)
    return ctx.norms[start] not in L.CHILD_NOUNS


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
    if ctx.norms[start] in L.CAN:
        return "me" if words & {"drunk", "kill", "hurt", "hit", "scared", "beat", "sort"} else False
    if words & {"street", "streets", "rough", "nowhere", "freezing"}:
        return "me" if ctx.norms[start + 1] in {"me", "us"} or ctx.norms[start] in {"got", "been", "was"} else who
    return False


_ALONE_CONTEXT = frozenset({"food", "days", "hours", "nobody", "noone", "alone", "dark", "night", "tonight", "crying",
                            "hungry", "road", "canal", "river", "bath", "snow", "freezing", "heat", "hot", "ledge",
                            "window", "nappy", "pub", "drunk", "high", "answering", "heating", "electric", "key",
                            "cold", "screaming", "bread", "weekend", "spiked", "walking", "wandering", "roasting",
                            "degrees", "windows", "balcony", "railing", "roof", "floor", "midnight", "money",
                            "battery", "motorway", "starving", "pyjamas", "box", "stop", "rain", "eaten", "weak",
                            "quiet", "sisters", "since", "flown", "shed", "escape", "doorstep", "day", "shoulder",
                            "walked", "open", "wide", "letterbox", "nursery", "shut", "shouting", "smashing", "tide",
                            "beach", "safe", "stairwell", "pm"})


def _alone(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """A child left alone or in danger from neglect now: the message must name a child (or a young writer) and say
    something of the danger ("no food", "by the canal", "in the snow")."""
    cared_for = "looking" in ctx.norms[start:end] and ctx.at(end) == "after" and ctx.at(end + 1) in {"us", "me"}
    young = _young(ctx) or cared_for
    if not young or not words & _ALONE_CONTEXT - set(ctx.norms[start:end]):
        return False
    if ctx.services(start) and not words & {"hungry", "food", "freezing", "alone", "drunk", "high", "wandering",
                                            "motorway", "crying", "road"}:
        return False  # "nobody at the council is answering"
    return "child" if ctx.has_child else "me"


_AWAY = frozenset({"airport", "plane", "flight", "ferry", "abroad", "boarding", "country", "passport", "motorway",
                   "van", "car", "driving", "gone", "stansted", "heathrow", "gatwick"})
_NOT_ALLOWED = frozenset({"permission", "allowed", "court", "order", "judge", "prohibited", "without", "responsibility",
                          "meant", "supposed", "contact", "know", "agree"})


_VEHICLES = frozenset({"car", "van", "taxi", "boot", "lorry", "truck", "motor"})


def _abduction(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """Taken now, somewhere, by someone who may not: both must be said ("taking them to the plane now and the
    judge said no"). A forced marriage or FGM needs a young person and a sign that it is forced."""
    phrase = ctx.norms[start:end]
    young = ctx.has_child or _THIRD_PERSON_CHILD.search(ctx.doc.text)
    if phrase[1:2] and phrase[1] in {"snatched", "abducted", "kidnapped", "bundled", "pulled", "dragged", "grabbed",
                                     "taken"}:
        if phrase[1] == "taken" and not words & (_AWAY | {"bringing", "back"}):
            return False
        if not young and ctx.writer_says_child:  # "im 13 and i just got pulled into a van": the writer, taken
            j = start - 1
            while j >= 0 and ctx.norms[j] in {"just", "got", "been", "was", "have", "had", "ve", "literally"}:
                j -= 1
            young = j >= 0 and ctx.norms[j] in {"i", "ive", "im"} and (
                phrase[1] in {"snatched", "abducted", "kidnapped", "bundled"} or bool(words & _VEHICLES))
        return "child" if young and (phrase[1] != "pulled" or ctx.at(end) in {"car", "van", "a", "the"}) else False
    if phrase[-2:-1] == ["and"] and phrase[-1] in {"ran", "run", "left", "drove", "went", "gone"}:
        return "child"  # "he took the baby and ran"
    if phrase[0] in {"car", "van", "driven", "drove", "sped"}:
        return "child" if young and words & {"gone", "grabbed", "pulled", "took", "missing", "taken", "banging",
                                             "screaming", "woman", "man", "stranger", "know"} else False
    if phrase[-1] in {"woman", "man", "men", "stranger", "strangers", "someone", "older"}:
        return "child" if young else False  # "my 5 yr old got in a car with a woman we don't know"
    if phrase[0] in L.NEGATIONS and phrase[1] in {"her", "his", "their"}:
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
    if not words & _NOT_ALLOWED:
        return False
    if phrase[0] in L.NEGATIONS and phrase[-1] in {"see", "have", "contact", "be"} and not words & (
            _AWAY | {"picked", "took", "taken", "outside", "gates", "here", "now"}):
        return False  # "he's not allowed to see them" on its own is a question about contact
    if phrase[0] not in L.NEGATIONS and phrase[:2] != ["prohibited", "steps"] and not words & (_AWAY | {"now"}):
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
    strong = words & (_HERE_CONTEXT - {"leave"})
    leave = "leave" in words and any(ctx.norms[j] in L.NEGATIONS
                                     for j in range(ctx.n) if ctx.at(j + 1) == "leave" or ctx.at(j + 2) == "leave")
    return bool(strong or leave) and not ctx.services(start)


_SUBJECT_AUX = frozenset({"did", "does", "do", "has", "have", "had", "'s", "s", "is", "was", "just", "still", "ever",
                          "yet", "even", "then"})
_CHILDHOOD = frozenset({"school", "nursery", "primary", "secondary", "gcses", "nan", "nans", "gran", "grandma",
                        "cot", "pram", "curfew", "teacher", "older", "wee"})


def _missing(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    if phrase[0] in {"bed", "cot", "room"}:
        who = "child"  # "his bed is empty and his window is wide open"
    if phrase[0] in {"car", "van", "man", "men", "guy", "bloke", "stranger", "someone"}:
        before = _person_before(ctx, start)
        who = before[1] if before else "child"  # "she got in a car with some older men", "a man she met online"
    if phrase[-1] == "in" and ctx.at(end) not in _ENDS:
        return False  # "the kids haven't been in school for three weeks"
    if phrase[0] == "on" and not words & {"food", "days", "nobody", "alone", "dark", "night", "tonight", "scared",
                                          "hungry", "electric", "arrested", "heating"}:
        return False  # "can her dad do it on his own"
    if phrase[-1] == "answering" or phrase[-2:] in (["not", "home"], ["no", "home"], ["never", "home"]):
        if not words & {"bus", "wrong", "lost", "dark", "hours", "gone", "missing", "midnight", "location", "never",
                        "phone", "searching", "anywhere", "police"}:
            return False  # "the school isn't answering", "he's not home yet"
    if phrase[0] == "no":  # "there's no adults here, just me and the baby"
        return "child" if words & (L.CHILD_NOUNS | {"me"}) else False
    if ctx.at(end) == "for" and not (ctx.at(end + 1)[:1].isdigit() or ctx.at(end + 1) in {
            "hours", "days", "ages", "a", "over", "two", "three", "the"}):
        return False  # "he's not coming home for christmas"
    childish = who in L.CHILD_NOUNS or ctx.has_child or bool(
        who in {"he", "she", "him", "her", "they", "them"}
        and (ctx.writer_says_child or words & _CHILDHOOD or _THIRD_PERSON_CHILD.search(ctx.doc.text))
    )
    if childish and who not in L.CHILD_NOUNS | {"he", "she", "him", "her", "they", "them", "me"}:
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
        if ctx.at(end) == "with" and not set(ctx.norms[end + 1 : end + 6]) & (PEOPLE | {"someone", "somebody"}):
            return False  # "he ran off with my charger"
    if phrase[0] in {"meet", "meeting", "met"} and not words & {"online", "internet", "snapchat", "app",
                                                                  "instagram", "tiktok", "know"}:
        return False
    if phrase[-1] in {"up", "arrived", "arrive", "turned", "showed", "turn", "show"}:
        before = _person_before(ctx, start)
        if before is None or before[0] < start - 8:
            return False  # "the letter never arrived"
        j = start - 1
        while ctx.at(j) in _SUBJECT_AUX:
            j -= 1
        if ctx.at(j) not in PEOPLE | {"and", ",", "but"}:
            return False  # "my son's school bus didn't turn up"
    if "when" in ctx.norms[max(0, start - 6) : start]:
        return False  # "when he doesn't come home on time I worry"
    return who


_SIGNS_CONTEXT = frozenset({"temperature", "fever", "temp", "hot", "breathing", "breath", "breathe", "chest",
                            "sick", "sweating", "grey", "screaming", "fit", "fitting", "taken", "tablets", "drunk",
                            "vodka", "pills", "party", "drugs", "rash", "floppy", "crying", "vomiting", "newborn",
                            "weeks", "help", "arm", "legs", "neck", "fell", "fallen", "roof", "bruises", "dad",
                            "car", "road", "bath", "dog", "face", "moving", "cold", "blotchy", "quiet", "deep",
                            "stop", "fast", "wheezing", "lips", "blue", "talk", "sense", "jerking", "babysitting",
                            "shaking", "foaming", "eyes", "rolled", "stuck", "red"})


def _signs(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """A sign of serious illness or injury counts with something else that says so, or in a baby or child."""
    phrase = ctx.norms[start:end]
    rest = words - set(phrase)
    if phrase[0] in {"drunk"} and not rest & (L.CHILD_NOUNS | {"me", "us", "car", "fast", "scared"}):
        return False
    if not (rest & _SIGNS_CONTEXT or ctx.has_child or ctx.writer_says_child):
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
    if phrase[0] in L.WEAPONS and words & {"allegation", "cleared", "conviction", "crime", "record", "records", "file",
                                           "charge", "charges", "remove"}:
        return False  # "remove knife allegation, he was cleared"
    if phrase[0] in L.WEAPONS and not words & {"coming", "here", "got", "has", "outside", "door", "kitchen", "help",
                                               "he", "she", "hes", "shes"}:
        return False
    if phrase[0] == "💊" and not words & {"gone", "all", "sorry", "took", "taken", "bye"}:
        return False
    if phrase[0] == "fire" and ctx.n > 3 and not words & {"help", "pls", "please", "now", "kids", "baby"}:
        return False
    if phrase[-1] == "moving" and (ctx.at(end) not in _ENDS or not words & (
            L.CHILD_NOUNS | {"fell", "floor", "stairs", "breathing", "help", "mum", "dad", "he", "she"})):
        return False  # "not moving house", "my son is not moving schools"
    if phrase[-1] in L.CHILD_NOUNS:
        return phrase[-1]
    return None


def _hiding(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    if ctx.norms[end - 1] in {"me", "us"} and not words & {"wardrobe", "cupboard", "hiding", "under", "scared",
                                                            "locked"}:
        return False  # "dad's looking for me, he wants his tea"
    if ctx.at(end - 1) == "from" and ctx.next_content(end)[1] not in PEOPLE:
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
        return bool(words & (L.CHILD_NOUNS | {"see", "under", "help", "him", "her", "can"}))
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
            L.CHILD_NOUNS | {"flood", "flooding", "knees", "waist", "trapped", "river", "rising", "deep", "burst",
                             "storm", "fast"})):
        return False  # "water coming through the bathroom ceiling" is a repair
    if phrase[0] == "up" or phrase[-1] == "flooding":
        return bool(words & ({"water", "flood", "flooding", "river", "trapped"} | L.CHILD_NOUNS)) and (
            phrase[0] == "up" or bool(words & (L.CHILD_NOUNS | {"trapped", "fast"})))
    if phrase[0] == "ceiling":
        return bool(words & (L.CHILD_NOUNS | {"under", "trapped", "hurt", "stuck", "cot", "pram", "bed", "flood"}))
    if phrase[-1] == "trapped" and ctx.at(end) == "in" and ctx.at(end + 1) in {"a", "this", "the"} and \
            ctx.at(end + 2) in {"cycle", "relationship", "marriage", "job", "system", "loop", "debt", "situation"}:
        return False
    return None


def _self(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    phrase = ctx.norms[start:end]
    nxt = ctx.at(end)
    if phrase[0] in {"end", "ending"}:
        before = ctx.norms[max(0, start - 3) : start]
        if nxt not in _ENDS | {"all", "today", "soon", "tonite"} or (phrase[0] == "end" and not set(before) & {
            "to", "going", "gonna", "will", "'ll", "ll", "na", "gon", "want", "wanna", "just"
        }):
            return False  # "we can end it here", "I want to end it with him"
        before = _person_before(ctx, start)
        return "myself" if before is None or before[1] in WRITER else before[1]
    if phrase[-1] == "jump" and nxt not in _ENDS | {"off"}:
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
        needs = _SELF_CONTEXT.get(phrase[-1]) or _SELF_CONTEXT.get(phrase[0])
    if needs is not None and not (words - set(phrase)) & needs:
        return False  # "got a rope for the swing", "left the engine running", "locked herself in the bathroom"
    if phrase[0] in {"burnt", "burned", "burning", "scalded"} and nxt in {"on", "with", "by"} and \
            ctx.at(end + 1) in {"the", "a", "an"} and ctx.at(end + 2) in {"oven", "iron", "cooker", "kettle", "hob",
                                                                          "pan", "stove", "radiator", "fire"}:
        return False  # "she burnt herself on the oven"
    if phrase[-1] in {"myself"} or (phrase[0] in {"end", "ending"}):
        return "myself"
    before = _person_before(ctx, start)
    if before is None or before[1] in WRITER:
        return "myself"
    return before[1]


_PLANS = frozenset({"pills", "tablets", "rope", "knife", "blade", "razor", "bridge", "jump", "die", "end", "kill",
                    "suicide", "myself", "overdose"})
# What the sentence must also say for some self-harm phrases (keyed on the phrase's last or first word).
_SELF_CONTEXT = {
    **dict.fromkeys(("rope", "ligature", "cord"), frozenset({"room", "locked", "found", "tied", "neck", "refusing",
                                                              "bedroom", "loft", "tree", "hanging", "noose", "garage",
                                                              "opening", "answering"})),
    "running": frozenset({"garage", "locked", "hose", "pipe", "exhaust"}),
    "ready": frozenset({"tonight", "kids", "goodbye", "sorry", "end", "die", "know", "someone", "cope", "anymore"}),
    **dict.fromkeys(("bottles", "packets", "strips", "packet", "strip", "bottle"),
                    frozenset({"vodka", "pills", "tablets", "found", "floor", "paracetamol"})),
    "stop": frozenset({"cut", "cutting", "bleeding", "blood", "deep"}),
    "gone": frozenset({"sorry", "💊", "pills", "tablets", "bye", "took", "taken"}),
    "tonight": _PLANS, "now": _PLANS, "today": _PLANS,
    "it": _PLANS | frozenset({"locked", "himself", "herself"}),  # "I can hear him saying he's going to do it"
    "all": frozenset({"morphine", "pills", "tablets", "meds", "antidepressants", "insulin", "methadone",
                      "paracetamol", "medication", "medicine"}),
    "night": _PLANS | frozenset({"letter", "note"}),
    **dict.fromkeys(("note", "letter", "message", "post"), frozenset({"posted", "left", "wrote", "found", "sent",
                                                                      "written", "just", "snapchat", "online"})),
    "bathroom": frozenset({"cutting", "razor", "blade", "pills", "knife", "rope", "kill", "die", "threatening",
                           "hurt", "answer", "answering", "crying", "screaming", "tablets"}),
}
_SELF_CONTEXT.update(dict.fromkeys(("room", "toilet", "bedroom"), _SELF_CONTEXT["bathroom"]))


def _welsh(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """The Welsh rules' checks, which the English ones (past, hypothetical, asking about records) cannot make:
    - the past ("wnaeth e fy nharo i flynyddoedd yn ôl"), a film or a story: not danger now;
    - a condition or a question ("os ydyn nhw'n meddwl bod fy mhlentyn mewn perygl ..."): not danger now, unless
      the message also says now or tonight, or makes a threat ("neith o ladd y plant os dwi'n ffonio rhywun");
    - a weapon only with the children, violence, a threat, now or a cry for help around it;
    - who: the writer for "fy hun" (myself), else a child when the message names one."""
    if _cy_past(words) or ctx.norms[max(0, start - 2):start] in (["beth", "yw"], ["be", "ydi"], ["beth", "ydy"]):
        return False  # "beth yw cam-drin?": what abuse is
    if not words & _CY_NOW and words & _CY_IF and ctx.norms[start] not in _CY_THREAT:
        return False  # but a threat made with a condition is still a threat
    if ctx.norms[start] == "mewn" and words & _CY_QUESTION and not words & _CY_NOW:
        return False
    if set(ctx.norms[start:end]) & _CY_WEAPONS and (not (words - _CY_WEAPONS) & _CY_WEAPON_CONTEXT or (
            words & _CY_KITCHEN and not words & (_CY_VIOLENCE - _CY_WEAPONS | _CY_THREAT | _CY_KILL))):
        return False  # "cyllell fach i dorri llysiau": a knife for the vegetables
    if ctx.at(end - 1) == "hun":
        return "myself" if ctx.at(end - 2) == "fy" else _welsh_who(ctx, start, end, words, who) or "him"
    return _welsh_who(ctx, start, end, words, who)


def _cy_past(words: set[str]) -> bool:
    """Long ago or a story, in Welsh: the simple past alone is not enough ("mae o wedi ... roedd y paced ar agor")."""
    return bool(words & _CY_PAST or ("pan" in words and words & _CY_WAS))


def _welsh_who(ctx, start, end, words, who):  # noqa: ANN001, ANN202, ARG001
    """A child when a Welsh message names one ("mae fy mab wedi llyncu tabledi"); else the rule's own. Not the past
    or a film ("oedd y ffilm am y bachgen ar goll ..."), nor "ar dân eisiau" (keen to), nor lost with a form."""
    if _cy_past(words):
        return False
    if ctx.norms[end - 1] in {"dân", "dan"} and ctx.at(end) in {"eisiau", "isio", "moyn", "i", "am", "dros"}:
        return False
    if ctx.norms[end - 1] == "goll" and words & {"dechrau", "deall", "drysu", "ffurflen", "system", "gwefan"}:
        return False  # "dwi ar goll, ble dw i'n dechrau?": lost with a form, not lost in town
    return "child" if words & _CY_CHILDREN else None


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

RULES = _rules()
