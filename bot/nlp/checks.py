"""The named checks that say a crisis rule's match, or a whole message, is NOT news of danger now, and who is
writing. Each is defined here, once, and used both by the rules around each match (bot/nlp/safety.py and
bot/nlp/danger_now.py: danger_now.not_now asks them of every match) and by not_now_reason() of a whole message:

- past(): long ago ("last year", "when I was little"), over now ("last week", "he's fine now", "it was sorted"), or
  in Welsh ("flynyddoedd yn ôl", "pan oeddwn i'n blentyn"). Around a match it is asked of the words near it, after
  any turn ("..., but never mind that, my son's just collapsed"); long_ago() is also asked of the whole sentence;
- quoted_record(): "the notes say she was floppy";
- news_or_film(): "I saw on the news...", "he was stabbed in a film";
- denial() ("the report says I hit him, that's not true"), statistic() ("how many children are hurt each year");
- hypothetical: "if my baby stopped breathing would they...", "what if I said...": hypothetical_before() reads the
  words before a match, hypothetical() a whole message; a plea (PLEA, "what do I do") turns both off;
- figure of speech: laughter, "kill me when she finds out" (FIGURE, whole messages only: the rules' own verbs
  checks in safety.py tell "this form is killing me" apart);
- child voice: the writer says they are a child ("im 14", "dw i'n 13"): child_voice(); a word that means a child
  ("little one", "15 year old"): child_word_ok().

The learned detector (bot/nlp/crisis_model.py) knows English beyond any list, but it reads what a message is about,
not when or how: "my bro tried to kill himself last year, hes ok now" is about suicide. So a model score puts a
message in the *sure* band only when none of these checks speaks; otherwise it is *possible* (the answer asked for,
with the 999 line on top).

The word lists the checks use (CONDITION_WORDS, CY_PAST, ...) are in bot/nlp/rules/*/words.yml.
`not_now_reason(text)` returns the name of the first check that speaks, or None.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.nlp.rules import WORDS as W

# ------------------------------------------------------------------------------------------------------------------
# Past
# ------------------------------------------------------------------------------------------------------------------

LONG_AGO = re.compile(
    r"\b(last (year|month|summer|winter|spring|autumn|season|term|christmas|easter)|(years|months) ago"
    r"|(a|one|two|three|few|couple of) (years?|months?) ago|long time ago|while ago|in the past|used to"
    r"|when (i|he|she|they|we) (was|were) (little|small|young|younger|a baby|a child|a kid|a toddler|"
    r"at (primary|school)|in primary|a teenager|growing up)|as a (child|kid|teenager|teen|baby|little)"
    r"|back in (19|20)\d\d|in (19|20)\d\d|growing up|childhood|historic|historical|years back)\b"
)

OVER_NOW = re.compile(
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

def welsh_past(words: Collection[str]) -> bool:
    """Long ago or a story, in Welsh: the simple past alone is not enough ("mae o wedi ... roedd y paced ar agor")."""
    words = set(words)
    return bool(words & W.CY_PAST or ("pan" in words and words & W.CY_WAS))


def long_ago(text: str) -> bool:
    return bool(LONG_AGO.search(text))


def past(text: str, words: Collection[str] = frozenset()) -> bool:
    """The past: long ago or over now (in the text), or in Welsh (the words). The rules ask it of the words near a
    match (danger_now.not_now), and ask long_ago() of the whole sentence too (safety._Ctx.past)."""
    return bool(long_ago(text) or OVER_NOW.search(text) or welsh_past(words))


# ------------------------------------------------------------------------------------------------------------------
# A record quoted, the news or a film, a denial, a statistic
# ------------------------------------------------------------------------------------------------------------------

QUOTED_RECORD = re.compile(
    r"\b((record|records|file|report|notes|letter|form|assessment|system|referral|plan|minutes|entry|it|"
    r"social worker|health visitor|teacher|doctor|gp|nurse|police|school)\s+(?:also |still |now )?(says|say|said|"
    r"saying|states|stated|"
    r"claims|claimed|wrote|written|writes|mentions|mentioned|shows|put|recorded|noted|reckons|reckoned)"
    r"|(wrote|written|put|recorded|noted) (down )?that"
    r"|(?:it ?'?s|it is|was|written|put) (on|in) (his|her|my|our|the) (\w+ )?(record|file|notes)"
    r"|the (part|bit|line|section|entry) (saying|that says|where it says))\b"
)

NEWS = re.compile(r"\b(news|programme|documentary|article|read about|heard about|film|movie|soap|episode|"
                   r"podcast|radio|on tv|on the telly|heard on|just watched|casualty|eastenders|newyddion|"
                   r"look north|corrie|coronation street|emmerdale|hollyoaks|case study|video about|novel|"
                   r"writing a (?:book|story|script))\b")

FICTION = re.compile(  # "he was stabbed in a film we watched"
    r"\b(in|on) (a|the|this|that|some|my|his|her|an) (film|movie|game|video game|computer game|tv show|"
    r"programme|book|episode|story|series|cartoon|novel|dream|soap)\b"
)

DENIAL = re.compile(
    r"\b(not true|isn't true|is n't true|untrue|a lie|all lies|never happened|didn't happen|did not happen|"
    r"made up|incorrect|not what happened|false report|false allegation|false allegations|malicious report|"
    r"never did that|never did it|wrote lies|lies about)\b"
)

STATISTICS = re.compile(  # "how many children are hurt each year"; not "how many is too many" (of pills)
    r"\b((?<!know )(?<!me )how many(?! (is|are|would be) (too|safe|dangerous|ok|okay)"
    r"| (he|she|they|i|we) (took|had|has|"
    r"swallowed|taken|drank|ate))|statistics|stats|figures|rates?|percent|"
    r"percentage|number of|each year|every year|per year)\b"
)


def denial(text: str) -> bool:
    return bool(DENIAL.search(text))


def statistic(text: str) -> bool:
    return bool(STATISTICS.search(text))


def quoted_record(text: str) -> bool:
    return bool(QUOTED_RECORD.search(text))


def news_or_film(text: str) -> bool:
    return bool(NEWS.search(text) or FICTION.search(text))


# ------------------------------------------------------------------------------------------------------------------
# Hypothetical
# ------------------------------------------------------------------------------------------------------------------

PLEA = re.compile(r"\b(what (do|should|can) i do|who do i (call|ring|phone)|help me|what do i do)\b")

def hypothetical_before(ctx, start: int) -> bool:  # noqa: ANN001 - safety._Ctx
    """'if my baby stopped breathing would anyone investigate me'; not 'I don't know if he's breathing', nor
    'if my kids are in danger what do I do' (that asks for help)."""
    if PLEA.search(ctx.sentence(start)):
        return False
    lo = max(ctx.sentence_start(start), start - 10)
    for j in range(start - 1, lo - 1, -1):
        word = ctx.norms[j]
        if word in {",", ";", "-"}:
            return False
        what_if = word == "what" and ctx.at(j + 1) == "if"
        say_first = word == "say" and j == ctx.sentence_start(start)  # "Say my daughter told her teacher..."
        if word in W.CONDITION_WORDS or what_if or say_first or (word == "in" and ctx.at(j + 1) == "case"):
            if {ctx.at(j - 1), ctx.at(j - 2)} & W.THREAT_SAID:
                return False  # "he said if I leave he'll kill the kids": a threat, not a hypothetical
            return ctx.at(j - 1) not in W.UNSURE and ctx.at(j - 2) not in W.UNSURE
    return False


# A condition at the start of a sentence: "what if I said...", "if my baby stopped breathing would they..."
CONDITION = re.compile(r"(?:^|[.?!,;]\s*)(?:what if|if|suppose|supposing|hypothetically|imagine|say)\b")


def hypothetical(text: str, words: Collection[str] = ()) -> bool:
    """A whole message put as a condition, in English or Welsh, and not asking what to do."""
    if CONDITION.search(text) and not PLEA.search(text):
        return True
    return bool(set(words) & (W.CY_IF - {"pan"}))


# ------------------------------------------------------------------------------------------------------------------
# Figure of speech
# ------------------------------------------------------------------------------------------------------------------

# Laughter and eye-rolls, jokes ("any good jokes about dads"; not "this is not a joke"), and "kill me if/when she
# finds out": how people joke, not how they ask for help
FIGURE = re.compile(
    r"\b(?:lol|lmao|haha\w*|jk)\b|[\U0001F602\U0001F923\U0001F644\U0001F605]"
    r"|(?<!not a )(?<!n't a )(?<!no )\bjokes?\b|\b(?:joking|funniest|memes?)\b"
    r"|\b(?:if|when|once) (?:he|she|they|mum|mam|dad|nan|my \w+) (?:finds?|sees?|hears?) (?:out|about)?"
)

# ------------------------------------------------------------------------------------------------------------------
# Child voice: who is a child, and a writer who says they are one
# ------------------------------------------------------------------------------------------------------------------

_AGE_WORD = re.compile(r"\d{1,2}(yr|yrs|yo|year|years)$")


def child_word_ok(norms: list[str], i: int) -> bool:
    """'one' is a child only in 'little one', 'old' only in '15 year old' or '15yr old'."""
    word, before = norms[i], norms[i - 1] if i > 0 else ""
    if word in {"one", "ones"}:
        return before in {"little", "wee"}
    if word in {"old", "olds"}:
        return before in {"year", "years", "yr", "yrs", "yo", "child", "month", "months", "week", "weeks"} or bool(
            _AGE_WORD.match(before))
    return True


THIRD_PERSON_CHILD = re.compile(  # "she's 15", "hes only 12", "he is 4"
    r"\b(?:he|she|they|lass|lad|son|daughter|girl|boy|kid|child|wean|bairn|brother|sister)(?:'s| is|s| are|'re)? "
    r"(?:only |just |nearly |about )?(?:[1-9]|1[0-7])\b"
    r"(?!\s*(?:%|weeks?|wks|months?|mins?|minutes|hours?|days?|stone|kg|pounds|quid|pm|am|o'?clock|:))"
)

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


def child_voice(text: str) -> bool:
    for regex, top in ((_AGE, 17), (_YEAR_GROUP, 13), (_CY_AGE, 17), (_CY_YEAR_GROUP, 13)):
        for m in regex.finditer(text):
            if 4 <= int(m.group(1)) <= top:
                return True
    return bool(_CHILD_SELF.search(text) or _CY_PARENT_HURTS_ME.search(text))


# ------------------------------------------------------------------------------------------------------------------
# A whole message
# ------------------------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[\w']+")


def not_now_reason(text: str) -> str | None:
    """The name of the check that says this message is not about danger now, or None."""
    from bot.nlp.safety import clean_text  # safety imports this module: its text clean-up is read at call time

    cleaned = clean_text(text) or ""
    words = set(_WORD.findall(cleaned))
    if past(cleaned, words):
        return "past"
    if quoted_record(cleaned):
        return "quoted record"
    if news_or_film(cleaned):
        return "news or film"
    if denial(cleaned):
        return "denial"
    if statistic(cleaned):
        return "statistic"
    if FIGURE.search(cleaned):
        return "figure of speech"
    if hypothetical(cleaned, words):
        return "hypothetical"
    return None
