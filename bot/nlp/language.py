"""Which language a message is in, English or Welsh, so the conversation answers in the parent's language.

Two parts:
- the switch words ("Cymraeg", "Welsh", "yn Gymraeg", "English", "Saesneg"), alone or in a short request ("Ga i
  siarad Cymraeg?", "can I speak Welsh", "English please"). These are commands, so a small fixed list decides them,
  and they always set the language;
- for any other message, the language detector lingua (lingua-language-detector, pinned; its models are inside the
  wheel, so nothing is downloaded at run time), built for English and Welsh only, once per process. It answers only
  when a message is clearly one language (thresholds below); otherwise nothing, and the conversation keeps the
  language it has. A family reference ("DEMO-1001"), a date ("03/04/2019") or "ok" never switch it.

The thresholds were measured on our own training examples (data/nlu) and on short answers parents give:
- Words are runs of two letters or more; anything holding a digit (a reference, a date, a request number) is left
  out before the detector reads the message.
- Welsh: lingua's confidence at least 0.94 for one word, 0.9 for two, 0.85 for three or more; the message has at
  least 6 letters; and, read word by word, more words lean Welsh than English. Short English text-speak fools the
  detector ("thx" 0.998, "yesss" 0.957, "howya" 0.942 Welsh): the 6-letter minimum keeps those out, while
  "diolch" (0.950) and "shwmae" (0.964) switch. Of 1,409 different words of 6 letters or more in our examples,
  the only English one at 0.94 or more Welsh is "chatgpt". Shorter Welsh words ("iawn", "ydw", "na") keep the
  language as it is.
- English: at least 3 words and 10 letters, confidence at least 0.9, and more words lean English. Welsh parents
  use English words ("ok", "stop", "check my status" is only 0.77 English), so a short message never switches a
  Welsh conversation to English; a clearly English sentence ("what do you keep about my kids") does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

ENGLISH = "en"
WELSH = "cy"
LANGUAGES = (ENGLISH, WELSH)

WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more, any alphabet (Welsh ŵ, ŷ, â)
HAS_DIGIT = re.compile(r"\d")

WELSH_SURE = {1: 0.94, 2: 0.9}  # by number of words; 3 or more: WELSH_SURE_LONG
WELSH_SURE_LONG = 0.85
WELSH_MIN_LETTERS = 6
ENGLISH_SURE = 0.9
ENGLISH_MIN_WORDS = 3
ENGLISH_MIN_LETTERS = 10


@functools.lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """English and Welsh only, models loaded now (about 0.5 s), once per process."""
    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.WELSH) \
        .with_preloaded_language_models().build()


def _welsh_confidence(text: str) -> float:
    for value in detector().compute_language_confidence_values(text):
        if value.language == Language.WELSH:
            return float(value.value)
    return 0.0


def words_of(text: str) -> list[str]:
    """The words of a message, without the pieces that hold a digit (a reference, a date, a phone number)."""
    return [w for piece in text.split() if not HAS_DIGIT.search(piece) for w in WORD.findall(piece)]


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float  # lingua's confidence in that language for the whole message (1.0 for a switch word)
    command: bool = False  # an explicit request to switch ("Cymraeg", "English please")


def detect(text: str) -> Detected | None:
    """The language the message is clearly in, or None (the conversation keeps its language)."""
    words = words_of(text)
    if not words:
        return None
    letters = sum(len(w) for w in words)
    welsh = _welsh_confidence(" ".join(words))
    # one vote per word: which language it leans to on its own
    lean = sum(1 if _welsh_confidence(w) >= 0.5 else -1 for w in words)
    sure = WELSH_SURE.get(len(words), WELSH_SURE_LONG)
    if welsh >= sure and letters >= WELSH_MIN_LETTERS and lean > 0:
        return Detected(WELSH, welsh)
    english = 1.0 - welsh
    if english >= ENGLISH_SURE and len(words) >= ENGLISH_MIN_WORDS and letters >= ENGLISH_MIN_LETTERS and lean < 0:
        return Detected(ENGLISH, english)
    return None


# --- switch words: commands, not detection -------------------------------------------------------------------------

# The names of the languages, in English and in Welsh (with the soft mutation after "yn": "yn Gymraeg").
LANGUAGE_NAMES = {"cymraeg": WELSH, "gymraeg": WELSH, "welsh": WELSH, "english": ENGLISH, "saesneg": ENGLISH}
# The words a short request to switch may hold besides the language's name; a message with any other word is not a
# command ("my welsh school records" is a question about records).
REQUEST_WORDS = frozenset("""
    please plz pls plis ta thanks can could may i we speak talk chat write use switch change go back to in into the
    language want like would do you have it is there a let me us reply answer only now
    os gwelwch yn dda ga gaf gawn fi ni siarad sgwrsio ysgrifennu newid i yn iaith dw dwi rwy isio eisiau moyn
    hoffwn plîs diolch mewn ar gael nol nôl yn ôl ol ateb atebwch
    """.split())
MAX_COMMAND_WORDS = 7


def switch_command(text: str) -> str | None:
    """"cy" or "en" when the message is a request to switch language: the name of one language, alone or with the
    few words of a short request ("Ga i siarad Cymraeg?", "can I speak Welsh", "English please"); else None."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    if not words or len(words) > MAX_COMMAND_WORDS:
        return None
    named = {LANGUAGE_NAMES[w] for w in words if w in LANGUAGE_NAMES}
    if len(named) != 1:  # none, or both ("English or Welsh?")
        return None
    if any(w not in LANGUAGE_NAMES and w not in REQUEST_WORDS for w in words):
        return None
    return named.pop()


def language_of(text: str) -> Detected | None:
    """A switch command first (it always decides), then the detector."""
    commanded = switch_command(text)
    if commanded:
        return Detected(commanded, 1.0, command=True)
    return detect(text)
