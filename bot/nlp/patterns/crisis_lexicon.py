"""Words the crisis detector matches on, as token NORM values (lower case, after the text-speak map).

Content designers: add a spelling to TEXT_SPEAK when people type it; add a word to a set when it means the
same thing as the words already there. Every set here is used by the token patterns in bot/nlp/safety.py.
"""

from __future__ import annotations

import re


def _forms(*groups: str) -> frozenset[str]:
    """'hurt hurts hurting' 'hit hits' -> one set of words."""
    return frozenset(word for group in groups for word in group.split())


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


# One token (lower case) -> its normal form. Typos, text-speak and dialect. spaCy's tokenizer already splits
# contractions with and without apostrophes ("hes" -> "he" "s", "cant" -> "ca" "nt", "gonna" -> "gon" "na").
TEXT_SPEAK: dict[str, str] = {
    # time
    "2nite": "tonight",
    "2night": "tonight",
    "tonite": "tonight",
    "tonyt": "tonight",
    "2nyt": "tonight",
    "tonigth": "tonight",
    "tongiht": "tonight",
    "2day": "today",
    "nite": "night",
    "rn": "now",
    # intent and auxiliaries
    "gunna": "going",
    "gona": "going",
    "gna": "going",
    "finna": "going",
    "imma": "going",
    "ima": "going",
    "wanna": "want",
    "wana": "want",
    "wan": "want",
    "tryna": "trying",
    "trynna": "trying",
    "ai": "is",
    "aint": "not",
    "dnt": "not",
    "dont": "not",
    "cnt": "not",
    "cant": "not",
    "wont": "not",
    "nvr": "never",
    "neva": "never",
    "nevr": "never",
    "m": "am",
    "ve": "have",
    "ll": "will",
    "re": "are",
    "sed": "said",
    "sez": "says",
    "sayz": "says",
    "sayin": "saying",
    "tellin": "telling",
    "keepz": "keeps",
    "gettin": "getting",
    "bein": "being",
    "goin": "going",
    # people
    "u": "you",
    "ya": "you",
    "ur": "your",
    "r": "are",
    "n": "and",
    "b": "be",
    "wiv": "with",
    "wid": "with",
    "bf": "boyfriend",
    "b/f": "boyfriend",
    "gf": "girlfriend",
    "hubby": "husband",
    "hubbie": "husband",
    "dh": "husband",
    "mam": "mum",
    "mom": "mum",
    "mummy": "mum",
    "mommy": "mum",
    "mumma": "mum",
    "mammy": "mum",
    "daddy": "dad",
    "da": "dad",
    "pops": "dad",
    "stepdad": "stepdad",
    "stepfather": "stepdad",
    "stepmum": "stepmum",
    "stepmom": "stepmum",
    "stepmother": "stepmum",
    "grandad": "grandad",
    "granddad": "grandad",
    "grandpa": "grandad",
    "kiddos": "kids",
    "kiddies": "kids",
    "kidz": "kids",
    "kidds": "kids",
    "kiddo": "kid",
    "kiddie": "kid",
    "chidren": "children",
    "childen": "children",
    "childern": "children",
    "chilren": "children",
    "chid": "child",
    "chlid": "child",
    "childs": "child",
    "duaghter": "daughter",
    "daugther": "daughter",
    "dauther": "daughter",
    "daughta": "daughter",
    "doughter": "daughter",
    "daugter": "daughter",
    "dd": "daughter",
    "ds": "son",
    "babby": "baby",
    "bby": "baby",
    "bubba": "baby",
    "bubs": "baby",
    "babbies": "babies",
    "bairn": "child",
    "bairns": "children",
    "wean": "child",
    "weans": "children",
    "myslef": "myself",
    "mysef": "myself",
    "myelf": "myself",
    "meself": "myself",
    "mysel": "myself",
    "mself": "myself",
    "myslf": "myself",
    "himslef": "himself",
    "herslef": "herself",
    "hisself": "himself",
    "themself": "themselves",
    "themselfs": "themselves",
    # verbs
    "hurted": "hurt",
    "hert": "hurt",
    "hurtin": "hurting",
    "hitt": "hit",
    "hitin": "hitting",
    "hiting": "hitting",
    "hittin": "hitting",
    "kil": "kill",
    "kll": "kill",
    "killin": "killing",
    "kiling": "killing",
    "beatin": "beating",
    "beatn": "beaten",
    "beatan": "beaten",
    "stabed": "stabbed",
    "stabbin": "stabbing",
    "strangeled": "strangled",
    "strangld": "strangled",
    "stranggled": "strangled",
    "chockin": "choking",
    "chocking": "choking",
    "chocked": "choked",
    "abuseing": "abusing",
    "abusin": "abusing",
    "touchin": "touching",
    "tuching": "touching",
    "touchd": "touched",
    "threatend": "threatened",
    "thretened": "threatened",
    "threatned": "threatened",
    "thretend": "threatened",
    "threated": "threatened",
    "threating": "threatening",
    "thretening": "threatening",
    "threatning": "threatening",
    "punchin": "punching",
    "kickin": "kicking",
    "slapin": "slapping",
    "smackin": "smacking",
    "unalive": "kill",
    "unalived": "killed",
    "unaliving": "killing",
    "od": "overdose",
    "oded": "overdosed",
    "od'd": "overdosed",
    "overdosd": "overdosed",
    "swallowd": "swallowed",
    # states
    "scard": "scared",
    "skared": "scared",
    "scaired": "scared",
    "scaried": "scared",
    "scred": "scared",
    "frightend": "frightened",
    "fritened": "frightened",
    "terified": "terrified",
    "terrifed": "terrified",
    "afriad": "afraid",
    "afaid": "afraid",
    "dangar": "danger",
    "saftey": "safety",
    "safty": "safety",
    "sucidal": "suicidal",
    "suicidle": "suicidal",
    "suicdal": "suicidal",
    "suicde": "suicide",
    "sucide": "suicide",
    "suiside": "suicide",
    "unconcious": "unconscious",
    "unconsious": "unconscious",
    "unconcsious": "unconscious",
    "breathin": "breathing",
    "breething": "breathing",
    "breath": "breathe",
    "babys": "baby",
    "un": "one",  # "me little un"
    # Scots: "isnae breathin", "cannae wake him"
    "isnae": "not",
    "disnae": "not",
    "cannae": "not",
    "canny": "not",
    "wasnae": "not",
    "willnae": "not",
    "winnae": "not",
    "wullnae": "not",
    "dinnae": "not",
    "didnae": "not",
    "havnae": "not",
    "hasnae": "not",
    "havin": "having",
    "hame": "home",
    "nife": "knife",
    "breeve": "breathe",
    "breeth": "breathe",
    "brethe": "breathe",
    "proply": "properly",
    "lil": "little",
    "sis": "sister",
    "bro": "brother",
    "cryin": "crying",
    "freezin": "freezing",
    "follwing": "following",
    "followin": "following",
    "makin": "making",
    "speakin": "speaking",
    "screamin": "screaming",
    "shoutin": "shouting",
    "bangin": "banging",
    "summat": "something",
    "its": "it",  # "its not safe here" (the possessive rarely stands where a rule looks)
    "knif": "knife",
    "someones": "someone",
    "somebodys": "somebody",
    "naebody": "nobody",
    "breeding": "breathing",  # voice-to-text: "my sun is not breeding"
    "childrens": "children",
    "workin": "working",
    "breathin'": "breathing",
    "yin": "one",  # Scots: "the wee yin"
    "wi": "with",
    "grandaughter": "granddaughter",
    "steamin": "steaming",
    # "dad'll kill me" is one token: read it as "he'll", a threat
    "dad'll": "hell",
    "da'll": "hell",
    "mum'll": "shell",
    "mam'll": "shell",
    # "my 2yo", "15yr old", "the 3yo": a child's age as one token
    **{f"{n}{unit}": "child" for n in range(1, 18) for unit in ("yo", "yro", "yr", "yrs", "y/o")},
}

NEGATIONS = frozenset({"not", "n't", "nt", "never", "no"})

# Tokens that may stand between a person and a violent verb: auxiliaries, intent, reporting and adverbs.
FILLER = _forms(
    "is 's s are 're am 'm was were has have 've had 'd d been being be will 'll would could might may",
    "shall should must can ca wo going to 2 gon na gonna gunna about do does did get gets got getting",
    "keep keeps still always again just now already really literally actually even also constantly often",
    "sometimes regularly physically sexually badly seriously trying tried tries try want wants wanted",
    "start started starts threatened threatening threatens threaten said says say saying told tells tell",
    "swore swears promised like probably definitely then and he she they i me us him her that it",
    "not n't nt never stop stops stopping came comes coming come home back drunk grabbed pushed",
    "went goes go gone kicked off kicking angry mad proper so very hard tonight today gonna",
    "feel feels feeling felt next door upstairs downstairs outside inside here at",
)
# Where someone is and how they came, between a person and what they do: "his dad just turned up with a knife",
# "the kids' father is outside with a hammer", "my ex came through the back door with a bat".
ARRIVAL_FILL = FILLER | _forms(
    "turned turning turns up showed shown round through the back front door in into with keys our my garden ours",
    "arrived",
    "house flat kitchen street"
)

# A person doing something: the subject of a violent verb.
AGENTS = _forms(
    "he she they someone somebody i hell shell",
    "dad father stepdad mum mother stepmum partner boyfriend girlfriend husband wife ex fiance fiancee",
    "uncle aunt auntie aunty grandad nan nana nanna gran granny grandma grandmother brother sister cousin",
    "son daughter neighbour neighbor neighbours neighbors man woman men guy bloke lad lads person",
    "stranger teacher coach babysitter childminder carer lodger friend mate landlord parents family fella",
    "feller gang gangs dads mums",
)

PARENT_ROLES = _forms("dad father stepdad mum mother stepmum parents carer carers foster")
PARENT_PARTNERS = _forms("boyfriend girlfriend partner husband wife")

CHILD_NOUNS = _forms(
    "child children kid kids son sons daughter daughters baby babies toddler toddlers boy boys girl girls",
    "grandson granddaughter grandchild grandchildren grandkids stepson stepdaughter stepchild stepkids",
    "newborn infant youngest eldest twins nephew niece teen teenager teenagers brother sister siblings",
    "ones one old olds lad lass lassie laddie youngster youngsters brothers sisters schoolgirl schoolboy pupil",
    "pupils cousin",
)
ADULT_NOUNS = _forms(
    "mum mother dad father stepdad stepmum wife husband partner boyfriend girlfriend family nan gran fella",
    "grandma grandad friend",
)
WRITER_WORDS = _forms("me us i we")
AMBIGUOUS_PEOPLE = _forms("him her them they he she")

VICTIMS = CHILD_NOUNS | ADULT_NOUNS | _forms("me us him her them woman man lady someone somebody")

# Words that may come between a verb and the person it is done to: "hit my baby", "hurt the 2 kids".
DETERMINERS = _forms(
    "my our the his her their your me ma mah both all of little baby young youngest eldest oldest older",
    "younger new newborn 2 3 4 5 two three four five step poor own a an this these those other twin",
    "teenage teen little tiny year years yr yrs month months week weeks old 6 7 8 9 10 11 12 13 14 15 16 17",
)

VIOLENT_VERBS = _forms(
    "hurt hurts hurting hit hits hitting beat beats beating beaten batter batters battered battering",
    "bash bashes bashed bashing kill kills killed killing murder murders murdered murdering",
    "stab stabs stabbed stabbing strangle strangles strangled strangling choke chokes choked choking",
    "throttle throttles throttled throttling smother smothers smothered smothering suffocate suffocated",
    "suffocating drown drowned drowning abuse abuses abused abusing touch touches touched touching",
    "molest molests molested molesting fondle fondles fondled fondling grope gropes groped groping",
    "rape rapes raped raping assault assaults assaulted assaulting attack attacks attacked attacking",
    "punch punches punched punching kick kicks kicked kicking slap slaps slapped slapping",
    "smack smacks smacked smacking whack whacks whacked whacking harm harms harmed harming",
    "injure injures injured injuring threaten threatens threatened threatening groom grooms groomed",
    "grooming burn burns burnt burned burning shoot shoots shot shooting stalk stalks stalked stalking",
    "knock knocks knocked knocking throw throws threw throwing push pushes pushed pushing shove shoved",
    "drag drags dragged dragging pull pulls pulled pulling leather leathering leathered belting belted thumping",
    "thumped walloping walloped",
    "shoving lock locks locked locking kidnap kidnaps kidnapped kidnapping abduct abducted snatch",
    "snatched shake shakes shook shaking grab grabs grabbed grabbing",
)
# These are only violent with a following word: "knocks me about", "threw her against the wall".
VERBS_NEEDING_PARTICLE: dict[str, frozenset[str]] = {
    **dict.fromkeys(_forms("knock knocks knocked knocking"), _forms("about around out down unconscious over")),
    **dict.fromkeys(_forms("throw throws threw throwing"), _forms("against across down at into around out off")),
    **dict.fromkeys(_forms("push pushes pushed pushing shove shoved shoving"), _forms("down against over off into")),
    **dict.fromkeys(_forms("lock locks locked locking"), _forms("in up")),
    **dict.fromkeys(_forms("grab grabs grabbed grabbing"), _forms("by")),
    **dict.fromkeys(_forms("pull pulls pulled pulling"), _forms("into by off away inside upstairs downstairs car van")),
    **dict.fromkeys(_forms("drag drags dragged dragging"),
                    _forms("into by away off across along car van out outside upstairs downstairs")),
}
VERBS_CHILD_ONLY = _forms(
    "shake shakes shook shaking kidnap kidnaps kidnapped kidnapping abduct abducted snatch snatched"
)

# The "done to" forms: "she's been beaten", "my son got stabbed".
PARTICIPLES = _forms(
    "hurt hit beaten beat battered bashed killed murdered stabbed strangled choked throttled smothered",
    "suffocated abused touched molested fondled groped raped assaulted attacked punched kicked slapped",
    "smacked whacked harmed injured threatened groomed burnt burned shot kidnapped abducted snatched",
    "stalked shaken jumped mugged trafficked",
)
# Participles that say enough on their own after "is"/"am" ("my daughter is abused"); the others need a
# stronger auxiliary ("been", "being", "was", "got") because "I'm hurt" and "I'm touched" are usually feelings.
STRONG_PARTICIPLES = _forms(
    "abused molested raped stabbed strangled kidnapped abducted assaulted groomed trafficked"
)
PASSIVE_AUX = _forms(
    "is 's s are 're am 'm was were has have 've had been being be get gets got getting gotten keeps keep",
    "still always just again repeatedly regularly constantly sexually physically badly seriously now",
    "already really probably will 'll going to might could gon na 2 re ve",
)
STRONG_PASSIVE_AUX = _forms("been being was were get gets got getting gotten keeps keep will 'll going gon")

# Danger states: "my kid ain't safe tonight", "we're not safe", "I don't feel safe at home".
STATE_SUBJECTS = CHILD_NOUNS | ADULT_NOUNS | _forms("i we they he she someone somebody")
STATE_AUX = _forms(
    "is 's s are 're am 'm was were be being feel feels feeling felt do does did ai still really just so",
    "very even totally completely longer wo will 'll ca can going to gon na re 2 at all",
)
SAFE = _forms("safe")
DANGER_ADJ = _forms("immediate real serious grave great big")
SAFE_PLACES = _forms("here home house flat tonight there")
HARM_AFTER_OF = _forms("being getting him her death dying harm abuse violence serious my our")

CAN = _forms("can could ca cannot")
KEEP_FILL = _forms("even really just properly how to know anymore longer manage able")
UNABLE = _forms("unable struggling failing cannot")

FEAR = _forms("scared afraid frightened terrified petrified fear feared fearing fearful")
FEAR_GO = _forms("go come get be stay return sleep head")
FEAR_PLACE_FILL = _forms("back in at the my our to")
FEAR_PLACE = _forms("home house flat alone inside")
LIFE = _forms("life lives safety")
FEAR_FOR_OK_NEXT = _forms(". ! , tonight now right safety lives life")

# Self-harm.
SELF_HARM_VERBS = _forms(
    "kill kills killing hurt hurts hurting harm harms harming cut cuts cutting end ending top topping",
    "off hang hanging stab stabbing strangle burn burning starve starving poison poisoning drown",
)
REFLEX_WRITER = _forms("myself")
REFLEX_OTHER = _forms("himself herself themselves")
WANT_DIE = _forms("want wants wanted wanna wish going ready prefer rather gonna just")
DIE = _forms("die dead")
NOT_LIVE = _forms("live be exist wake")
SUICIDE_VERBS = _forms(
    "commit committing attempt attempted attempting considering contemplating planning thinking thought"
)
SUBJECT_PEOPLE = CHILD_NOUNS | ADULT_NOUNS | _forms("i he she they we")

INGEST_VERBS = _forms("taken took take taking swallowed swallow drank drunk drink eaten ate had eat eats")
INGEST_OBJECTS = _forms(
    "pills tablets overdose paracetamol meds medication medicine bleach poison batteries battery",
    "detergent antifreeze pill tablet ibuprofen painkillers sleeping magnets magnet spirit pod pods capsule",
    "capsules cleaner weedkiller antidepressants sertraline insulin tramadol codeine diazepam morphine methadone",
)
# Words that may stand before what was swallowed: "some of nan's heart pills", "a dishwasher pod"
INGEST_ADJ = _forms(
    "heart blood pressure sleeping dishwasher washing laundry white cleaning drain weed button nans mums dads"
)
DANGEROUS_ANY_AMOUNT = _forms(
    "overdose bleach poison batteries battery detergent antifreeze pills magnets magnet spirit pod pods capsule",
    "capsules cleaner weedkiller",
)
QUANTITY = _forms(
    "too many much loads load lot lots of all whole packet packets box boxes bottle bottles handful",
    "bunch entire some a an the button coin",
)
OWN_DET = _forms("his her their my your")
WRITER_AUX = _forms("'ve ve have just already 'm m am going to gon na gonna 've had i")
OVERDOSE = _forms("overdose overdosed overdosing")

# Who a medical emergency happens to: a child most often, but "she's choking", "my partner is unconscious" too.
MEDICAL_SUBJECTS = CHILD_NOUNS | ADULT_NOUNS | _forms("he she they")
# Words after "won't wake up" that make it a morning, not an emergency: "he won't wake up for school". Not feeds: a
# baby who will not wake for feeds needs a doctor.
WAKE_ROUTINE = _forms(
    "school morning mornings time early alarm nursery college work weekends weekend naps nap"
)
MEDICAL = _forms("choking unconscious unresponsive lifeless floppy drowning")
SEIZURE = _forms("fit fits seizure seizures convulsion convulsions")  # "having a fit"
SEIZING = _forms("fitting seizing convulsing")
MISSING = _forms("missing kidnapped abducted snatched")
MISSING_OK_NEXT = _forms(". ! , ? since for again tonight now overnight and")

DISPOSITION = _forms("violent abusive")
DISPOSITION_AUX = STATE_AUX | _forms("gets get getting becomes become can be been turns turned has have 've ve had")
WEAPONS = _forms(
    "knife knives gun guns weapon weapons blade blades machete machetes hammer hammers axe bat bats crowbar"
)
WEAPON_VERBS = _forms("got has have holding carrying carries pulled waving brandishing grabbed with came")
BREAK_VERBS = _forms("break breaking broke broken kick kicking kicked smash smashing smashed force forcing")
DOOR = _forms("door doors window windows front back")

# Words after a victim that turn a violent verb into something else.
NONVIOLENT_WITH = _forms(
    "fine fines bill bills letter letters news question questions form forms charge charges request",
    "requests email emails paperwork demand demands jargon court eviction action legal bailiffs sanctions",
    "sanction fee fees costs rent debt debts claim claims complaint complaints appeal report reports",
    "deadline deadlines survey assessment assessments pillow pillows cushion cushions toy toys ball balloon",
    "balloons snowball snowballs feather foam sponge",
)
WITH_DETS = _forms("a an the this that these those some loads lots of more another my our your their his her")
ADVERB_AFTER_HER = _forms(
    "hard badly again tonight today yesterday everyday regularly repeatedly constantly lots loads all",
    "really too properly bad now still so",
)
TIME_WORDS = _forms("tonight now today yesterday again")
BODY_PARTS = _forms(
    "face head arm arms leg legs back neck hand hands eye eyes throat stomach chest body hair nose mouth",
    "ear ears bottom bum skin wrist wrists private privates",
)

# "I want to jump off a bridge", "my son is threatening to jump in front of a train"
JUMP_VERBS = _forms("jump jumps jumped jumping throw throwing threw step stepping walk walking lie lying")
JUMP_PREPS = _forms("off from in under out onto into")
JUMP_PLACES = _forms(
    "bridge building roof cliff train trains car cars lorry bus balcony window motorway flyover tower"
    " multistorey carpark river sea railway tracks track"
)
# "I've got the pills ready", "I've saved up enough tablets"
PILLS_READY = _forms("ready saved stockpiled lined here waiting")
HAVE_GOT = _forms("got have 've ve saved saving stockpiled stockpiling collected collecting kept keeping")
# "he forces me to have sex", "he made me touch him"
FORCE_VERBS = _forms("force forces forced forcing make makes made making pressure pressures pressured")
SEXUAL = _forms("sex sexual naked nude nudes porn touch touching him privates")
