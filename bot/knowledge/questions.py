"""Reading what a message asks before searching: the same question pasted twice, the one sentence of a
long ramble that asks something, a two-word "MDO meaning", and a follow-up with no topic of its own.

People write "iGOT full form pls", paste a question twice, or bury it in a 1,000-character story about
their office. Searching the whole text finds the passage that shares most words with the story; these
helpers give the search the part that asks.
"""

import itertools
from collections.abc import Callable
from pathlib import Path

import regex
import yaml

from bot.language import tokenize, words

# A full stop ends a sentence only before a space or the end: "rc.sharma@nic.in" and "2.5" are one word.
_SENTENCE = regex.compile(r"(?:[^.?!।\n]|\.(?=[^\s.?!।]))+[.?!।]*", regex.UNICODE)
_CLAUSE = regex.compile(r"[,;:()\-–]+")
_QUESTION_TEXT = """
    kya kyu kyun kyon kab kaha kahan kaun kon kaunsa konsa kitne kitna kitni kaise kese kis kisko kisse
    क्या क्यों कब कहाँ कहां कौन कौनसा कौन-सा कितने कितना कितनी कैसे किस किसे किसको बताइए बताएं बताओ
    batao bataiye bataye batayein tell explain
"""
_QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())
# English wh-words are also relatives ("a mail which I could not open", "the date by which"): they ask
# at the start of a clause, or after a verb of asking ("I want to know how to register").
# Chat spellings too: "wat to check at my end", "hw to register".
_WH_TEXT = "what which when where who whom whose why how whether wat wht whats wats whn whr hw"
_WH_WORDS = frozenset(_WH_TEXT.split())
_ASKING_TEXT = "know me wondering understand clarify confirm ask asking check sure idea"
_ASKING_VERBS = frozenset(_ASKING_TEXT.split())
_LEAD_IN_TEXT = "by till until since from to for in at on of with under and but so or then also"
_LEAD_INS = frozenset(_LEAD_IN_TEXT.split())
# English asks with these only at the start: "is it free?", but not "my department is not listed".
_OPENERS_TEXT = "is are am was were does do did can could should shall will would has have may"
_QUESTION_OPENERS = frozenset(_OPENERS_TEXT.split())
# Asking for a meaning or a full form ("MDO meaning", "iGOT ka full form", "AIS stands for?"); "naam"
# alone is not one ("naam batao": tell me the names).
_ASKS_MEANING = regex.compile(
    r"\b(?:ful+\s*forms?|meaning|means?|stands?\s+for|represents?|signif(?:y|ies)|abbreviations?|expansions?|"
    r"expand|matlab|arth|p[ou]+ra\s+naam|vistar)\b|मतलब|अर्थ|पूरा\s+नाम|फ़?ुल\s*फ़?[ॉो]र्म|विस्तार|पूर[ाीण]\s+रूप|=\s*\?",
    regex.IGNORECASE,
)
# What else such a question may say: "pls", "what is", "the word", "kya hota hai", "and DoPT?".
_FILLER_TEXT = """
    pls plz please kindly tell term word short called what whats is the of for and also aur और पूरा पूरी
    pura poora puri hota hoti hai hain batao bataye bataiye bata बताइए बताएं बताओ बता होता होती लिखा likha
    meaning means mean full form forms fullform stand stands abbreviation expansion expand matlab arth naam
    मतलब अर्थ नाम फ़ुल फुल फॉर्म फ़ॉर्म फॉर्म्स विस्तार vistar पूर्ण रूप both dono दोनों in that this us
"""
# "What is CCA in that OM?": the short form right after "what is" is the one asked.
_WHAT_IS = regex.compile(
    r"\b(?:what\s+is|what's|whats|what\s+does|define)\s+(?:the\s+|an?\s+)?([\w/]+)"
    r"(?:\s+(?:mean|means|stand\s+for))?\s*(?:[?.!]|$|\s+(?:in|on|from|under|of)\s|,?\s+and\s+(?=what))",
    regex.IGNORECASE,
)
_FILLER_WORDS = frozenset(_FILLER_TEXT.split())
MAX_OTHER_WORDS = 5
MAX_ACRONYMS = 3
# A meaning asked of several at once ("MDO, CCA, AIS - pls expand these… not sure of CCA"): each of them,
# even when one is named again.
_ASKS_EACH = regex.compile(
    r"\b(?:these|those|them|all|each|both|all three|dono|donon|teeno|teenon|sab|sabhi)\b|"
    r"इन\b|इनका|इनके|दोनों|तीनों|सभी",
    regex.IGNORECASE,
)
# A meaning asked of a thing the sentence names itself ("what this blended type of programme means"), not
# of a short form said before; "what does this stand for?", "that term" name none.
_NAMES_ITS_OWN = regex.compile(
    r"\b(?:this|that)\s+(?!(?:words?|terms?|short|abbreviations?|acronyms?|names?|ones?|two|three|stands?|"
    r"means?|letters?|things?|is|does|do)\b)[a-z]{3,}",
    regex.IGNORECASE,
)


# A follow-up that leans on the previous turn: it opens with "and", "what if", "also", or is a few
# words with no topic of its own ("and for whom?", "aur last date?").
_FOLLOW_UP_OPENERS = regex.compile(
    r"^\s*(?:and|also|but|what if|what about|then|so|aur|or|to|toh|phir|fir|और|तो|फिर|लेकिन|पर)\b",
    regex.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 6
REFERS_BACK_MAX_WORDS = 5
# Words that point at the previous topic: "is it for everyone?", "इसमें कौन-सी दक्षताएँ", "iska matlab".
_REFERS_BACK = regex.compile(
    r"\b(?:is it|does it|is that|does that|do they|are they|for everyone|everybody|for all|sab ke liye|"
    r"iska|iske|iski|isme|ismein|uska|uske|uski|usme)\b|इसमें|इसका|इसकी|इसके|उसका|उसकी|उसके|उसमें|"
    r"सबके|सब के लिए",
    regex.IGNORECASE,
)
LONG_MESSAGE_CHARS = 240


def without_repeats(text: str) -> str:
    """The message with a question pasted twice or three times kept once."""
    tokens = text.split()
    folded = [t.casefold() for t in tokens]
    for times in (2, 3):
        size, extra = divmod(len(tokens), times)
        if (
            size >= 2
            and not extra
            and all(folded[i * size : (i + 1) * size] == folded[:size] for i in range(1, times))
        ):
            return " ".join(tokens[:size])
    return " ".join(tokens)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def is_question(sentence: str) -> bool:
    """Whether a sentence asks something: a question mark; a Hindi question word anywhere; an English
    clause opening with a wh-word or an auxiliary verb, or a wh-word after a verb of asking."""
    if "?" in sentence or any(w in _QUESTION_WORDS for w in words(sentence)):
        return True
    for clause in (c for s in sentences(sentence) for c in _CLAUSE.split(s)):
        found = words(clause)
        if found and (found[0] in _QUESTION_OPENERS or found[0] in _WH_WORDS):
            return True
        # "by when", "and how", "and by when"
        lead = next((n for n, w in enumerate(found[:3]) if w not in _LEAD_INS), len(found))
        if 0 < lead < len(found) and found[lead] in _WH_WORDS:
            return True
        if any(w in _WH_WORDS and before in _ASKING_VERBS for before, w in itertools.pairwise(found)):
            return True
    return False


def asking_parts(text: str) -> list[str]:
    """For a long message, the sentences that ask something (each, those with a question mark first,
    and all together); empty for a short message, which is searched whole."""
    if len(text) < LONG_MESSAGE_CHARS:
        return []
    asking = [s for s in sentences(text) if is_question(s) and len(tokenize(s)) >= 2]
    asking.sort(key=lambda s: "?" not in s)
    if not asking:
        return []
    return [*asking, " ".join(asking)] if len(asking) > 1 else asking


# A question with this many words of its own is judged on itself: "I was on medical leave last year. By
# when were we to finish half the courses?" asks no leave rule; "I want study leave for the courses. Is
# that allowed?" does.
SELF_CONTAINED_WORDS = 4


def asking(text: str) -> str:
    """The sentences of the message that ask, when they stand on their own; else the whole message."""
    said = sentences(text)
    asked = [s for s in said if is_question(s)]
    # "…suggesting courses on leave rules, which are of no use to me. Which sections of my profile should
    # I update?": where some sentences ask with a question mark, they are what is asked.
    asked = [s for s in asked if "?" in s] or asked
    if len(asked) < len(said) and len(tokenize(" ".join(asked))) >= SELF_CONTAINED_WORDS:
        return " ".join(asked)
    return text


# "Is there an app, and do we have to pay for it?": a second question joined by "and" (or "aur", "और"),
# also "… and by when …?", and one counted out: "ek, … deadline kya thi, aur do, … last date kya thi?".
_SECOND_QUESTION = regex.compile(
    r"(?:,\s*|\s+)(?:and|also|aur|और|तथा|एवं)\s+(?:"
    r"(?=(?:what|which|when|where|who|how|is|are|do|does|can|will|should|(?:by|till|until|from|since) when|"
    r"kya|kitne|kitna|kitni|kab|kaun|kaise|kis|kahan|क्या|कितने|कितना|कितनी|कब|कौन|कैसे|किस|कहाँ)\s)|"
    r"(?:do|dusra|doosra|second(?:ly)?|two|दो|दूसरा|दूसरी)\s*[,:]\s*)",
    regex.IGNORECASE,
)
MIN_PART_WORDS = 2


# "What is the difference between domain and functional competencies?", "Parichay vs Jan Parichay",
# "nodal officer aur request for help mein kya farak hai?", "डोमेन और फ़ंक्शनल में क्या अंतर है?".
_COMPARED = (
    regex.compile(
        r"\b(?:difference|differ\w*|distinction)\s+(?:is there\s+)?between\s+(?:the\s+)?(.+?)\s+and\s+"
        r"(?:the\s+)?(.+?)(?=[?.!,;]|\s+(?:and|also|aur)\s|$)",
        regex.IGNORECASE,
    ),
    regex.compile(r"([^,.?!;:]+?)\s+(?:vs\.?|versus)\s+([^,.?!;:]+)", regex.IGNORECASE),
    regex.compile(
        r"([^,.?!;:।]+?)\s+(?:aur|और|va|व)\s+([^,.?!;:।]+?)\s+(?:mein|me|main|में|के बीच)\s+(?:kya\s+|क्या\s+)?"
        r"(?:antar|farak|fark|farq|difference|अंतर|अन्तर|फ़र्क|फर्क|फ़रक|भेद)",
        regex.IGNORECASE,
    ),
)
# Words a side may open with that name neither thing: "tell me the difference between…", "ye".
_COMPARED_LEAD = regex.compile(
    r"^(?:(?:what|whats|what's|is|the|tell me|pls|please|sir|ji|ye|yeh|ये|इन|in)\s+)+", regex.IGNORECASE
)


def compared(text: str) -> tuple[str, str] | None:
    """The two things a question asks the difference between, each able to stand alone: "domain and
    functional competencies" gives "domain competencies" and "functional competencies"."""
    for pattern in _COMPARED:
        found = pattern.search(text)
        if found is None:
            continue
        first, second = (_COMPARED_LEAD.sub("", side.strip()).strip() for side in found.groups())
        if not tokenize(first) or not tokenize(second):
            continue
        first_words, second_words = first.split(), second.split()
        if (
            len(first_words) == 1
            and len(second_words) > 1
            and second_words[-1].casefold() != first.casefold()
        ):
            first = f"{first} {second_words[-1]}"  # the head noun both share
        return first, second
    return None


def besides_comparison(text: str) -> list[str]:
    """The questions of a message asking a difference that ask something else ("…domain and functional
    competencies? And leadership courses come under which type?")."""
    return _questions_besides(text, lambda part: compared(part) is not None)


def question_parts(text: str) -> list[str]:
    """The separate questions of a message that asks two or more things ("How do I earn Karma Points,
    and how many courses are there?"); empty when it asks one."""
    parts = [
        part.strip()
        for sentence in sentences(text)
        for part in _SECOND_QUESTION.split(sentence)
        # A whole sentence with its own question mark stands alone on one word ("is it free? any app?");
        # a clause after "aur" needs more ("karma points kya hai aur kaise milte hai").
        if is_question(part)
        and len(tokenize(part)) >= (1 if part.strip() == sentence.strip() and "?" in part else MIN_PART_WORDS)
    ]
    return list(dict.fromkeys(parts)) if len(parts) > 1 else []


def acronyms_asked(text: str, acronyms: dict[str, str]) -> list[str]:
    """The acronyms a message asks the meaning of, as keys of `acronyms`, in the order written: "MDO
    meaning", "iGOT ka full form kya hai, papa puch rahe the", "MDO/CCA, expand both", "AIS?". Empty when
    the message asks more than that. Where one short form is asked about another ("OM में AIS लिखा है,
    AIS मतलब क्या?"), the one named twice, or nearest to "meaning"."""
    found = _short_forms(text, acronyms)
    known = list(dict.fromkeys(w for w in found if w in acronyms))
    if not known:
        return []
    meaning = _ASKS_MEANING.search(text)
    other = [w for w in found if w not in acronyms and w not in _FILLER_WORDS]
    if other and not (meaning and len(other) <= MAX_OTHER_WORDS):
        return []
    places = _where_seen(text, acronyms)
    if len(known) == 1:
        # "blended programs on igot means?" asks the meaning of what is on iGOT, not of iGOT.
        return [] if other and known[0] in places else known
    if meaning is None:
        # "What is MDO and what is CCA?": each short form right after a "what is".
        asked = [m.group(1).casefold() for m in _WHAT_IS.finditer(text)]
        return [a for a in dict.fromkeys(asked) if a in known][:MAX_ACRONYMS]
    repeated = [a for a in known if found.count(a) > 1]
    if len(repeated) == 1 and not _ASKS_EACH.search(text):
        return repeated
    return ([a for a in known if a not in places] or known)[:MAX_ACRONYMS]


# Before the short forms that say where the others were seen: "in the DoPT OM", "OM में", "OM mein".
_PLACE_BEFORE = frozenset({"in", "from", "under", "inside", "on"})
_PLACE_AFTER = frozenset({"में", "mein", "me", "mai", "par", "pe", "पर", "पे"})
_ARTICLES = frozenset({"the", "a", "an", "this", "that"})


def _where_seen(text: str, acronyms: dict[str, str]) -> set[str]:
    """The short forms naming the document where the asked ones appear ("In the DoPT OM I see CCA and
    AIS. What do they stand for?" asks CCA and AIS)."""
    said = [w for w in words(text) if w not in _ARTICLES]
    places: set[str] = set()
    for i, word in enumerate(said):
        if word in _PLACE_BEFORE:
            j = i + 1
            while j < len(said) and said[j] in acronyms:
                places.add(said[j])
                j += 1
        elif word in _PLACE_AFTER:
            j = i - 1
            while j >= 0 and said[j] in acronyms:
                places.add(said[j])
                j -= 1
    return places


def _short_forms(text: str, acronyms: dict[str, str]) -> list[str]:
    """The words, with "MDO/CCA" read as two short forms unless the list has it as one ("AS/JS")."""
    return [p for w in tokenize(text) for p in ([w] if w in acronyms else w.split("/")) if p]


def spelled_out(text: str, full_forms: dict[str, str]) -> str | None:
    """`text` with each short form it uses in passing written out ("MDO list में नहीं है, अब?" -> "Ministry,
    Department and Organisation list…"), so that it is searched for what it asks, not for the short form's
    own entry; None when it asks a meaning or names no short form of `full_forms` (short form -> full)."""
    if _ASKS_MEANING.search(text):
        return None
    spelled = regex.sub(
        r"(?<![\p{L}\p{M}\p{N}])([\p{L}\p{M}/]+)(?![\p{L}\p{M}\p{N}])",
        lambda m: full_forms.get(m.group(1).casefold(), m.group(1)),
        text,
    )
    return spelled if spelled != text else None


# A word written in capitals, as short forms are ("VIKAS", "NIC"), in the text as the user typed it.
_IN_CAPITALS = regex.compile(r"(?<![\p{L}\p{N}])\p{Lu}{3,}(?![\p{L}\p{N}])")
_LOWER_CASE = regex.compile(r"\p{Ll}")


def unknown_short_form_asked(text: str, acronyms: dict[str, str]) -> str | None:
    """A short form whose meaning a sentence asks that our list of short forms lacks ("VIKAS का full form
    क्या है?"): the sources do not expand it, and the reply should say so before what they do say."""
    for sentence in sentences(text):
        if not _ASKS_MEANING.search(sentence):
            continue
        capitals = _IN_CAPITALS.findall(sentence)
        if len(capitals) > 1 and not _LOWER_CASE.search(sentence):
            continue  # "WHAT IS THE MEANING OF KARMA POINTS": written all in capitals
        unknown = [w for w in capitals if w.casefold() not in acronyms]
        if unknown and not any(w in acronyms for w in _short_forms(sentence, acronyms)):
            return unknown[0]
    return None


def besides_meanings(text: str, acronyms: dict[str, str]) -> list[str]:
    """The questions of a message asking a short form's meaning that ask something else ("CBP credits
    means? and what is this competency passbook thing"); none when it asks only meanings."""
    return _questions_besides(
        text,
        lambda part: (
            bool(_ASKS_MEANING.search(part)) or any(w in acronyms for w in _short_forms(part, acronyms))
        ),
    )


def _questions_besides(text: str, aside: Callable[[str], bool]) -> list[str]:
    """The sentences of the message that ask something of their own, other than those `aside` picks."""
    return [
        part
        for part in sentences(text)
        if is_question(part) and not aside(part) and len(tokenize(part)) >= MIN_PART_WORDS
    ]


def acronyms_pointed_at(text: str, acronyms: dict[str, str]) -> list[str]:
    """The short forms a sentence asking a meaning points back at, naming none itself: "OM में बार-बार
    'MDO/CCA' लिखा है। इन दोनों का पूरा मतलब क्या है?", "iGOT mein i, G, O, T kis cheez ke liye hai? Poora
    naam kya banta hai?". Those of the last clause before it that names any, when it names one to three."""
    said = sentences(text)
    for before, sentence in itertools.pairwise(said):
        if not (is_question(sentence) and _ASKS_MEANING.search(sentence)):
            continue
        if any(w in acronyms for w in _short_forms(sentence, acronyms)) or _NAMES_ITS_OWN.search(sentence):
            continue
        for clause in reversed(_CLAUSE.split(before)):
            named = list(dict.fromkeys(w for w in _short_forms(clause, acronyms) if w in acronyms))
            named = [w for w in named if w not in _where_seen(clause, acronyms)] or named
            if named:
                return named if len(named) <= MAX_ACRONYMS else []
    return []


def leans_on_previous(text: str) -> bool:
    """Whether the message opens like a follow-up ("and for whom?", "aur miss ho gaya toh?") or has
    hardly a word of its own, so that it is read with the previous question's topic first."""
    content = tokenize(text)
    short = len(content) <= FOLLOW_UP_MAX_WORDS
    opens_like_one = bool(_FOLLOW_UP_OPENERS.search(text)) and short
    points_back = len(content) <= REFERS_BACK_MAX_WORDS and bool(_REFERS_BACK.search(text))
    return opens_like_one or points_back or len(content) <= 1


# Whom the rule just stated covers: "is that for everyone?", "sab ke liye hai kya? state wale bhi?".
_WHOM_IT_COVERS = regex.compile(
    r"\b(?:for everyone|for everybody|for all(?: of us| employees| staff)?|only for|"
    r"appl(?:y|ies|icable) to (?:all|everyone)|sab ke liye|sabke liye|sabhi ke liye|sab par|sab pe|"
    r"state wale bhi|state walon par bhi)\b|सबके लिए|सब के लिए|सभी के लिए|सब पर|सभी पर",
    regex.IGNORECASE,
)
# "how many courses for everyone in my office?" asks a figure, not whom a rule covers.
_ASKS_OTHER = regex.compile(
    r"\b(?:how|what|when|which|why|kitne|kitna|kitni|kab|kaise|kaun|kyu|kyun)\b|कितने|कितना|कब|कैसे|कौन|क्यों",
    regex.IGNORECASE,
)


# Whom a rule applies to, asked outright: "APAR वाला नियम किन-किन कर्मचारियों पर लागू होता है?", "to whom
# does the 50% rule apply?".
_WHOM_ASKED = regex.compile(
    r"\b(?:appl(?:y|ies|icable) to (?:whom|which|what kind)|to whom (?:\S+ ){0,10}?appl(?:y|ies|icable)|"
    r"who (?:\S+ ){1,10}?appl(?:y|ies|icable) to|"
    r"(?:which|what kind of|who(?: all)?) (?:\S+ ){0,3}?(?:is|are|get|gets) covered|covers? whom|"
    r"kin(?:-kin| kin)? (?:\w+ )?(?:par|pe) lagu|kis (?:par|pe) lagu|kiske liye lagu)\b|"
    r"किन(?:-किन| किन)? (?:\S+ )?पर लागू|किस पर लागू|किसके लिए लागू|किन लोगों पर",
    regex.IGNORECASE,
)


def asks_whom_a_rule_covers(text: str) -> bool:
    """A question asking whom a rule applies to, in so many words (not a follow-up: see below)."""
    return bool(_WHOM_ASKED.search(text))


def asks_whom_it_covers(text: str) -> bool:
    """A follow-up asking whom the previous rule applies to, with no other question in it."""
    return leans_on_previous(text) and bool(_WHOM_IT_COVERS.search(text)) and not _ASKS_OTHER.search(text)


def without_pointers(text: str) -> str:
    """The message without its words that point back ("mobile app hai kya iska?" is "mobile app hai
    kya"): what is left names the follow-up's own topic, if it has one."""
    return _REFERS_BACK.sub(" ", text)


def is_short(text: str) -> bool:
    """Short enough to be a follow-up when it finds nothing on its own ("last date?", "sab ke liye?")."""
    return len(tokenize(text)) <= FOLLOW_UP_MAX_WORDS


class OutsideTopics:
    """Subjects next to ours that the sources do not cover (knowledge/outside.yml): pay, leave, grades."""

    def __init__(self, groups: list[list[str]]) -> None:
        self._phrases = [tuple(words(str(spelling))) for group in groups for spelling in group]
        self._phrases = [p for p in self._phrases if p]

    @classmethod
    def load(cls, path: Path) -> "OutsideTopics":
        """The topics in `path`; none when the file does not exist."""
        if not path.exists():
            return cls([])
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(data.get("outside") or [])

    def named(self, question: str, passage_text: str) -> str | None:
        """A subject the question names and the passage found does not mention, or None."""
        asked, found = words(question), " ".join(words(passage_text))
        for phrase in self._phrases:
            size = len(phrase)
            named = any(tuple(asked[i : i + size]) == phrase for i in range(len(asked) - size + 1))
            if named and f" {' '.join(phrase)} " not in f" {found} ":
                return " ".join(phrase)
        return None


# "marks of quizzes, or only whether I completed the course?": the choices a question offers.
_OR = regex.compile(r"\s(?:or|ya|yaa|या|अथवा)\s", regex.IGNORECASE)


def alternatives(text: str) -> list[str]:
    """The choices an either-or question offers; empty when it offers none."""
    found = [part for part in _OR.split(text) if tokenize(part)]
    return found if len(found) > 1 else []


# Saying that something does not work for you ("OTP nahi aa raha", "I can't find my department"), as
# opposed to asking how a thing works in general ("what if the OTP does not come?").
_PROBLEM = regex.compile(
    r"\b(?:not|no|never|didn'?t|doesn'?t|don'?t|isn'?t|wasn'?t|haven'?t|can'?t|cannot|couldn'?t|unable|"
    r"stuck|failed|fails|failing|error|problem|issue|wrong|missing|nothing|nahi|nahin|nhi|nai|na|atak|atka|"
    r"atki|dikkat|samasya|pareshan|galat)\b|नहीं|नही|अटक|दिक्कत|समस्या|परेशान|गलत|ग़लत",
    regex.IGNORECASE,
)
_HYPOTHETICAL = regex.compile(
    r"\b(?:if|in case|suppose|what happens|agar|yadi|kya hoga|kya karna chahiye)\b|अगर|यदि|क्या होगा",
    regex.IGNORECASE,
)
# About one's own record: "my certificate", "how many points have I got", "mera progress", "मैंने".
_OWN_RECORD = regex.compile(
    r"\b(?:my|mine|have i|did i|do i have|i have completed|i completed|i got|mera|meri|mere|mujhe|"
    r"maine|hamara|hamari|hamare)\b|मेरा|मेरी|मेरे|मुझे|मैंने|हमारा|हमारी|हमारे",
    regex.IGNORECASE,
)


# Plainly asking for a person, whatever else the message says ("My APAR shows zero. Connect me to a
# real person."): the hand-over comes first.
_WANTS_A_PERSON = regex.compile(
    r"\b(?:real person|human being|a human|to a human|speak to (?:a|someone|somebody|the)|"
    r"talk to (?:a|someone|somebody|the)|connect me|insaan se|kisi se baat|baat karao|baat karwao|"
    r"baat karwa do|(?:raise|escalate|forward|pass|send|file) (?:it|this|that|my \w+)? ?(?:to|with) (?:the )?"
    r"(?:helpdesk|help desk|support)|helpdesk (?:ko|se) (?:bhejo|bhej do|baat)|escalate|"
    r"(?:someone|somebody|a person|an officer|staff) (?:from|at|in) (?:the )?(?:helpdesk|help desk|support)|"
    r"(?:helpdesk|help desk|support team) (?:look|check|see) (?:into|at)?)\b|इंसान से|"
    r"किसी व्यक्ति से|किसी से बात|बात करवा|बात कराइए|बात करवाइए|हेल्पडेस्क को भेज",
    regex.IGNORECASE,
)


def wants_a_person(text: str) -> bool:
    return bool(_WANTS_A_PERSON.search(text))


def reports_a_problem(text: str) -> bool:
    """The message says something is not working for the writer, rather than asking a general rule."""
    return bool(_PROBLEM.search(text)) and not _HYPOTHETICAL.search(text)


# Another person named outright ("my colleague", "दोस्त"), and the pronouns that may point at one or
# at a topic ("उसके प्रश्न बैंक?" is "its question bank").
_PEOPLE = (
    r"colleague|colleagues|friend|boss|senior|junior|subordinate|staff member|someone else|somebody else|"
    r"other employee|another employee|dost|sahkarmi|sahyogi"
)
_PEOPLE_HINDI = "सहकर्मी|दोस्त|साथी|सहयोगी"
_PRONOUNS = r"employee of|his|her|their|uska|uski|uske|unka|unki|unke|inka|inki|inke"
_PRONOUNS_HINDI = "उसका|उसकी|उसके|उनका|उनकी|उनके|इनका|इनकी|इनके"
_ANOTHER_PERSON = regex.compile(rf"\b(?:{_PEOPLE})\b|{_PEOPLE_HINDI}", regex.IGNORECASE)
_SOMEONE_ELSE = regex.compile(
    rf"\b(?:{_PEOPLE}|{_PRONOUNS})\b|{_PEOPLE_HINDI}|{_PRONOUNS_HINDI}", regex.IGNORECASE
)
# Person words that are no third party: a rank the writer holds ("main junior assistant hoon", "I am a
# senior section officer") and the one who asked the writer ("boss puch rahe the", "my boss asked me").
_NO_THIRD_PARTY = regex.compile(
    r"\b(?:junior|senior)\s+(?:assistant|engineer|officer|clerk|accountant|auditor|section|administrative|"
    r"grade|scale|secretary|technical|stenographer|translator|inspector|superintendent|manager|executive|"
    r"hindi|divisional|time|teacher|lecturer|scientific|resident)\b|"
    r"\b(?:boss|senior|seniors|sir|madam|officer)\s+(?:\w+\s+){0,2}?(?:puch|pooch|poochh|puchh|asked|asks|"
    r"asking|wants|wanted|says|said|bol|keh|kah)\w*|"
    r"(?:बॉस|साहब|सर|अधिकारी)\s+(?:\w+\s+){0,2}?(?:पूछ|बोल|कह)\w*|"
    # A relative clause points back at things, not at a person: "जो भी skills मैं सीखता हूँ उनका record".
    # ("jo log meri team mein hain unka progress" points at people all the same).
    r"\b(?:jo|jin)\s+(?:(?!(?:log|logon|logo|colleagues?|staff|employees?|friends?|dost|sahkarmi)\b)\S+\s+){0,8}?"
    r"(?:unka|unki|unke|uska|uski|uske)\b|"
    r"(?<![\p{L}\p{M}])(?:जो|जिन)\s+(?:(?!लोग|कर्मचारी|साथी|सहकर्मी|दोस्त|अधिकारी)\S+\s+){0,8}?"
    r"(?:उनका|उनकी|उनके|उसका|उसकी|उसके)(?![\p{L}\p{M}])",
    regex.IGNORECASE,
)


def about_own_record(text: str) -> bool:
    return bool(_OWN_RECORD.search(text))


def about_someone_else(text: str) -> bool:
    return bool(_SOMEONE_ELSE.search(_NO_THIRD_PARTY.sub(" ", text)))


def names_another_person(text: str) -> bool:
    return bool(_ANOTHER_PERSON.search(_NO_THIRD_PARTY.sub(" ", text)))


# What an employee's own record holds: asking for these about someone else is refused. An e-mail or a
# mobile is a record too, but "my email is …" gives contact details rather than asking about a record.
_RECORD_WORDS = (
    r"progress|records?|certificates?|courses?|points|karma|status|completed|pending|kitna hua|"
    r"kitne hue|kitne kiye|kitna kiya"
)
_RECORD_WORDS_HINDI = (
    "प्रगति|रिकॉर्ड|रिकार्ड|प्रमाणपत्र|सर्टिफ़िकेट|सर्टिफिकेट|कोर्स|पाठ्यक्रम|पॉइंट|कितना हुआ|कितने हुए|कितने किए"
)
# "mera APAR kab se dikhega?" asks a rule; "मेरी स्थिति" asks for the record.
_RECORD = regex.compile(rf"\b(?:{_RECORD_WORDS})\b|{_RECORD_WORDS_HINDI}|स्थिति", regex.IGNORECASE)
_RECORDS = regex.compile(
    rf"\b(?:{_RECORD_WORDS}|apar|email|mobile)\b|{_RECORD_WORDS_HINDI}", regex.IGNORECASE
)


# "my course progress", "मेरे कितने कोर्स", "courses have I done": the writer's own word and a record word
# this many words apart at most. "Do Karma Points have any real value for my career?" names none.
OWN_RECORD_SPAN = 3


def names_own_record(text: str) -> bool:
    """Whether the message names a record as the writer's own, not merely both in passing."""
    owns = [m.start() for m in _OWN_RECORD.finditer(text)]
    records = [m.start() for m in _RECORD.finditer(text)]
    return any(
        len(text[min(own, record) : max(own, record)].split()) <= OWN_RECORD_SPAN
        for own in owns
        for record in records
    )


def mentions_records(text: str) -> bool:
    return bool(_RECORDS.search(text))


# A pronoun a few words before a record word points at a person's record ("uske kitne course hue", "his
# APAR"); before anything else it points at a thing ("uske module 2 mein kya hai", "uska number").
_POINTS_AT_RECORD = regex.compile(
    rf"(?:\b(?:{_PRONOUNS})\b|{_PRONOUNS_HINDI})\s+(?:\S+\s+){{0,2}}?"
    rf"(?:\b(?:{_RECORD_WORDS}|apar)\b|{_RECORD_WORDS_HINDI})",
    regex.IGNORECASE,
)
# A person the question speaks of, named before in the message ("they", "वह" point at things as often).
_PERSON = regex.compile(
    r"\b(?:he|she|him|usne|unhone|unhe|unko|usko)\b|"
    r"(?<![\p{L}\p{M}])(?:उसने|उन्होंने|उन्हें|उसको|उनको)(?![\p{L}\p{M}])",
    regex.IGNORECASE,
)
# How something works is asked of nobody's record: "ये points बढ़ते कैसे हैं?", "how are they earned?".
_ASKS_HOW = regex.compile(
    r"\b(?:how (?:do|does|are|can|to|will|is it)|kaise|kese|kaisey)\b|कैसे", regex.IGNORECASE
)


def asks_about_someone_else(text: str) -> bool:
    """Whether the message asks about another person's record: it names the person, or points at their
    record, in what it asks. Of a story followed by a question, the question decides: "मेरे colleague के
    karma points मुझसे ज़्यादा हैं। ये points बढ़ते कैसे हैं?" asks how points are earned, while "Mere
    colleague Ramesh ka progress. Kitna hua?" asks the colleague's record."""

    def names(part: str) -> bool:
        return names_another_person(part) or bool(_POINTS_AT_RECORD.search(_NO_THIRD_PARTY.sub(" ", part)))

    said = sentences(text)
    asked = [s for s in said if is_question(s)]
    if not asked or len(asked) == len(said):
        return names(text)
    question = " ".join(asked)
    if names(question):
        return True
    if not names(text):
        return False
    if _PERSON.search(question):
        return True  # "My colleague has not finished. How many has he done?"
    if len(tokenize(question)) >= SELF_CONTAINED_WORDS:
        # "One colleague says this, another that. In which APAR cycle will the course status first
        # appear?": a question that stands on its own and names no one asks no one's record.
        return False
    return mentions_records(question) and not any(
        asks.search(question) for asks in (_ASKS_HOW, _ASKS_MEANING, _RULE_ASKED)
    )


# A rule asked in the first person ("do I have to finish every course on my list?", "can I do the
# courses on my own phone?", "mujhe kaunse course karne hain, DoPT decide karta hai?", "आम तौर पर कितने समय
# में बनता है?") rather than what
# one's own record says ("have I finished?", "mere kitne course hue?", "मेरी प्रगति").
_RULE_ASKED = regex.compile(
    r"\b(?:do i have to|do i need to|do we have to|must i|should i|can i|can we|"
    r"am i (?:required|supposed|allowed)|"
    r"is (?:it|that|this|some \w+) (?:enough|necessary|mandatory|compulsory|required)|"
    r"who (?:decides|prescribes|makes|sets|chooses)|when i|if i|"
    # What holds as a rule: "generally, within how long is the certificate made?"
    r"usually|generally|normally|typically|in general|aam ?t[ao]u?r|"
    # What the portal offers: "is there any place where my skills get recorded, like a digital resume?"
    r"is there (?:any|a|an|some) (?:\w+ )?(?:place|feature|option|facility|section|provision)|any feature|"
    r"koi (?:\w+ )?(?:feature|option|suvidha|jagah|vikalp)|"
    # What the rules do with one's courses: "will the courses I completed show up in my appraisal?"
    r"will (?:\w+ ){0,8}?(?:show up|show|appear|come|count|be (?:shown|counted|recorded|reflected|included))|"
    r"decide kar\w*|kaun (?:decide|banata|banati|tay|prescribe)\w*|karne (?:honge|padenge|hain)|"
    r"karna (?:hoga|padega|hai)|chalega|\w+(?:na|ni|ne) (?:padega|padegi|padenge|hogi|honge))\b|"
    r"कोई (?:\S+ )?(?:feature|option|फ़ीचर|फीचर|सुविधा|जगह|विकल्प)|"
    r"करने होंगे|करने हैं|करना होगा|करना पड़ेगा|कौन तय|कौन बनाता|चलेगा|आम तौर|आमतौर|सामान्यतः|सामान्य रूप से|"
    r"\w+(?:ना|नी|ने) (?:पड़ेगा|पड़ेगी|पड़ेंगे|होगी|होंगे)",
    regex.IGNORECASE,
)
# "show my progress" asks for the record; "will it show in my APAR?" asks a rule.
_STATUS_ASKED = regex.compile(
    r"\b(?:have i|did i|maine|humne|hamne|kitne hue|kitne ho gaye|kitna hua|pending|baaki|"
    r"i(?: have|'ve) (?:completed|done|finished|passed|got|earned)|"
    r"(?:my|mera|meri|mere)\s+(?:progress|status|records?|certificates?|karma|points|score|account)|"
    r"(?:check|see|show|look at|dekh\w*)\s+(?:(?!in\b|on\b|up\b)\w+\s+)?(?:my|mera|meri|mere))\b|"
    r"मैंने|हमने|कितने हुए|कितना हुआ|बाकी|"
    r"(?:मेरा|मेरी|मेरे)\s+(?:प्रगति|स्थिति|रिकॉर्ड|रिकार्ड|प्रमाणपत्र|सर्टिफ़िकेट|सर्टिफिकेट)|@",
    regex.IGNORECASE,
)


# Where the portal keeps something: "जो स्किल्स मैंने सीखी उनका रिकॉर्ड पोर्टल पर कहाँ दिखता है?", "where on
# the portal do I download my certificate?" ask the way there, which the guides give, whoever it is for.
_WHERE_ON_PORTAL = regex.compile(
    r"\b(?:where|kahan|kaha|kahaan)\s+(?:\w+\s+){0,2}?(?:on|in)\s+(?:the\s+)?(?:portal|app|site|website)\b|"
    r"\b(?:portal|app|site|website)\s+(?:pe|par|mein|me|main)\s+(?:\w+\s+){0,2}?(?:kahan|kaha|kahaan)\b|"
    r"(?:पोर्टल|ऐप|वेबसाइट|साइट)\s+(?:पे|पर|में)\s+(?:\S+\s+){0,2}?(?:कहाँ|कहां)",
    regex.IGNORECASE,
)


def asks_a_rule(text: str) -> bool:
    """A question about the rules, or the way round the portal, that happens to speak of oneself, and
    asks nothing of one's record."""
    if about_someone_else(text):
        return False
    return bool(_WHERE_ON_PORTAL.search(text)) or (
        bool(_RULE_ASKED.search(text)) and not _STATUS_ASKED.search(text)
    )


# What the rules ask of everyone: "min % of courses to clear?", "कितने प्रतिशत कोर्स अनिवार्य हैं?".
_RULE_WORDS = regex.compile(
    r"\b(?:min|minimum|percent|percentage|per cent|mandatory|compulsory|required|requirement|rules?|"
    r"niyam|zaroori|zaruri|jaruri|anivarya)\b|%|न्यूनतम|प्रतिशत|अनिवार्य|नियम|ज़रूरी|जरूरी",
    regex.IGNORECASE,
)


# The writer alone: "am I on track?", "how much is left for me?" ask of one's own record without a record
# word; "हमारे यहाँ कई लोग…" (at our place, many people…) does not.
_FIRST_PERSON = regex.compile(
    r"\b(?:i|me|my|mine|myself|i'm|im|main|mai|mujhe|mujhse|mujh|mera|meri|mere|maine|hu|hoon|hun|"
    r"karu|karun|jaunga|jaungi)\b|"
    r"(?<![\p{L}\p{M}])(?:मैं|मुझे|मुझसे|मुझ|मेरा|मेरी|मेरे|मैंने|हूँ|हूं|करूँ|करूं|जाऊँगा|जाऊँगी)(?![\p{L}\p{M}])",
    regex.IGNORECASE,
)
# How far something has got: "how much is left?", "kitne bache?", "how many more to reach 50%?".
_HOW_FAR = regex.compile(
    r"\b(?:left|remaining|done|finished|more|stand|along|track|overdue|cleared|reach|needed|again|hua|hue|"
    r"aur|baaki|baki|bache|bacha|bachi|bakaya|chahiye|jayega)\b|बाकी|बचे|बचा|बकाया|और|चाहिए|"
    r"(?<![\p{L}\p{M}])(?:हुआ|हुए)(?![\p{L}\p{M}])",
    regex.IGNORECASE,
)


def names_no_record(text: str) -> bool:
    """Nothing a record holds, nor how far one has got, nor the writer alone is named: "इस training की
    कमियाँ क्या हैं? हमारे यहाँ कई लोग परेशान हैं" ("at our place") asks of no one's record."""
    return not (
        _STATUS_ASKED.search(text)
        or _HOW_FAR.search(text)
        or _FIRST_PERSON.search(text)
        or _RECORD.search(text)
    )


def asks_in_general(text: str) -> bool:
    """What the rules ask of everyone, with nothing of the writer's own record ("min % of courses to
    clear?"): when the circulars are unsure of it, the closest topics answer it, never a request for a
    proof."""
    if _STATUS_ASKED.search(text) or _HOW_FAR.search(text) or _FIRST_PERSON.search(text):
        return False
    return bool(_RULE_WORDS.search(text)) and not about_own_record(text)
