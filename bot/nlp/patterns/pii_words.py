"""Words for the PII redactor's name finder (bot/nlp/redact.py).

NOT_NAMES: words that follow "I'm", "this is", "it's", "call me" or "my name is" without being a name
("I'm worried", "this is urgent", "call me back"). Content designers: add a word here when the redactor
takes it for a name. FIRST_NAMES (first_names.txt) lets a lower-case name through after a weak introduction.
"""

from __future__ import annotations

from pathlib import Path


def _words(text: str) -> frozenset[str]:
    """Whitespace-separated words; a line starting with # is a comment."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return frozenset(" ".join(lines).split())


NOT_NAMES = _words(
    """
worried scared afraid frightened terrified anxious nervous stressed upset angry annoyed confused lost stuck
    sorry sure unsure certain fine ok okay good great well alright happy unhappy sad glad pleased grateful
    thankful concerned interested desperate tired exhausted fed struggling trying looking writing asking
    wondering calling messaging texting contacting emailing going getting having being doing waiting hoping
    thinking feeling coping managing living staying moving leaving working studying still also only just not
    really very so too quite bit little new back home here there away out done finished ready able unable
    free busy late early ill sick poorly pregnant single separated divorced married widowed disabled deaf
    blind autistic dyslexic homeless unemployed retired responsible aware unaware allowed entitled eligible
    afraid ashamed embarrassed frustrated furious gutted shocked surprised overwhelmed lonely safe unsafe
    right wrong correct mistaken told asked sent given meant supposed about around after over under into
    against since currently now today tonight tomorrow yesterday soon later asap again please help thanks
    thank cheers hi hello hey dear yes no yeah nope maybe perhaps hm hmm um umm erm lol omg ffs
    # people and roles
    mum mam mom mother dad father parent parents carer guardian grandparent grandmother grandfather nan gran
    grandma grandad foster stepmum stepdad partner husband wife boyfriend girlfriend single kid child
    teenager adult person woman man lady gentleman girl boy family resident tenant citizen member customer
    client user patient victim survivor owner worker nurse doctor teacher social officer manager
    mr mrs ms miss mx dr sir madam
    # nationalities, languages, faiths
    english welsh british scottish irish polish romanian indian pakistani bangladeshi chinese african
    caribbean european american muslim christian jewish hindu sikh buddhist catholic atheist cymraeg
    # organisations and things
    council borough county city town district authority school nhs gp hospital police court government
    example services service department team office centre center office data records information
    system form letter email message chat bot chatbot assistant website app question request complaint
    # time
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december
    # function words spaCy does not list
    the a an my your his her their our its this that these those what which who whom whose when where
    why how if then than but and or nor as at by for from in of on to with without via re regarding
    everyone everybody anyone anybody someone somebody nobody none all any each both either neither
    one two three four five six seven eight nine ten me him them us it you i we they
    important urgent true false possible impossible real serious joking kidding
"""
)

FIRST_NAMES = _words((Path(__file__).parent / "first_names.txt").read_text(encoding="utf-8"))

# Title-case words that make "this is Example Borough Council" an organisation, not a person.
ORGANISATION_WORDS = _words(
    """council borough county city district authority school academy college university nhs trust hospital
    surgery practice police service services department team office centre center group ltd limited plc
    foundation charity partnership board committee unit agency bank"""
)

TITLES = _words("mr mrs ms miss mx dr")
