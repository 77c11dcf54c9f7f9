"""Words for the PII redactor's name finder (bot/nlp/redact.py).

NOT_NAMES: words that follow "I'm", "this is", "it's", "call me" or "my name is" without being a name
("I'm worried", "this is urgent", "call me back"). Content designers: add a word here when the redactor
takes it for a name. FIRST_NAMES (below) lets a lower-case name through after a weak introduction.
"""

from __future__ import annotations


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

FIRST_NAMES = _words(
    """
# Common first names in England and Wales (lower case, one a line). A lower-case word after a weak
# introduction ("i'm dave", "this is ffion", "call me ceri") is taken as a name only when it is listed here;
# after a strong one ("my name is", "is called") any word that is not a common word is taken.
# Welsh
aled alun alys aneurin angharad anwen arwel awen bethan betsan bryn brynmor cadi cai carys catrin ceri
cerys ceinwen cian cynan dafydd dai deiniol delyth dewi dylan efa eifion eira eirlys eleri elin elis
elliw emrys eurig ffion ffraid gareth geraint gethin glenys glyn guto gwen gwenllian gwenno gwilym
gwion gwyn gwyneth hafwen hedd heledd huw hywel idris ieuan ifan iestyn ioan iolo iwan lleucu llinos
llion llŷr llywelyn lowri mabli mair manon meic meinir megan meleri mererid morgan myfanwy nansi nerys
nia osian owain peredur prys rhian rhiannon rhodri rhun rhys rhydian sian siân sioned siôn
steffan sulwyn taliesin tegan tegwen tomos trefor tudur twm wyn wynn ynyr ŵyn gwŷn
# English and wider UK
aaron abbie abdul abigail adam adrian ahmed aidan aisha alan albert alex alexander alfie alice alison
amber amelia amy andrew angela ann anna anne annie anthony archie arthur ashley austin barbara ben
benjamin beth bethany billy bob bobby brian callum cameron carl carol caroline charlie charlotte chloe
chris christine christopher claire colin connor craig daisy daniel danny darren dave david dawn dean
debbie deborah declan denise derek diane dominic donna dylan edward eleanor elizabeth ella ellie
elliot emily emma eric erin ethan eva evie faith fatima finley florence frank freddie freya gail gary
gemma george georgia gillian grace graham hannah harley harper harriet harrison harry harvey hayley
heather helen henry holly ian imogen isaac isabel isabella isabelle isla jack jackie jacob jade james
jamie jane janet jason jayden jennifer jenny jessica jill joan joanne joe joel john jonathan jordan
joseph josh joshua joyce julie karen kate katie kay keith kelly kerry kevin kieran kim kyle laura
lauren layla leah lee leo leon lewis liam lily lisa logan louis louise lucas lucy luke lydia mark
martin mary mason matthew max maya megan melissa mia michael michelle mike millie mohammed molly
muhammad nathan neil nicola nicole noah olivia oliver oscar paige pam pamela patricia paul paula
peter phil philip phoebe poppy rachel rebecca reece richard riley rob robert robyn rosie ruby ruth
ryan sally sam samantha samuel sandra sara sarah scarlett scott sean sharon shaun sian simon sophia
sophie stacey stephen steve steven stuart susan suzanne teddy theo thomas tom tommy toby tony tracey
tyler vicky victoria wendy william willow zach zara zoe
# Common in UK communities of many backgrounds
abdullah ali amina amir anya ayesha bilal chen deepa fatma hamza hassan ibrahim imran jakub kacper
kamal khadija krishna kuba leila maria marta mateusz mohamed mustafa nadia omar oskar priya rahul
ravi reza sana sanjay shazia simran sunita tariq usman yasmin yusuf zainab zofia kwame kofi amara
chidi ngozi tunde adebayo oluwaseun ama akua
"""
)

# Title-case words that make "this is Example Borough Council" an organisation, not a person.
ORGANISATION_WORDS = _words(
    """council borough county city district authority school academy college university nhs trust hospital
    surgery practice police service services department team office centre center group ltd limited plc
    foundation charity partnership board committee unit agency bank"""
)

TITLES = _words("mr mrs ms miss mx dr")
