"""Reading what a message asks (bot/knowledge/questions.py), without the model."""

from pathlib import Path

import pytest

from bot.knowledge.questions import (
    OutsideTopics,
    about_someone_else,
    acronyms_asked,
    acronyms_pointed_at,
    alternatives,
    asking,
    asking_parts,
    asks_a_rule,
    asks_about_someone_else,
    asks_in_general,
    asks_whom_a_rule_covers,
    asks_whom_it_covers,
    besides_comparison,
    besides_meanings,
    compared,
    is_question,
    leans_on_previous,
    names_no_record,
    question_parts,
    sentences,
    spelled_out,
    unknown_short_form_asked,
    wants_a_person,
    without_repeats,
)
from bot.settings import get_settings

ACRONYMS = {
    "mdo": "acronyms#mdo",
    "igot": "acronyms#igot",
    "ais": "acronyms#ais",
    "om": "acronyms#om",
    "cca": "acronyms#cca",
    "otp": "acronyms#otp",
    "dopt": "acronyms#dopt",
}


def test_a_question_pasted_twice_or_three_times_is_kept_once() -> None:
    assert without_repeats("what is MDO? What is MDO?") == "what is MDO?"
    assert without_repeats("otp nahi aaya otp nahi aaya otp nahi aaya") == "otp nahi aaya"
    assert without_repeats("no no problem here") == "no no problem here"


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("MDO meaning", ["mdo"]),
        ("iGOT ka full form kya hai", ["igot"]),
        ("AIS?", ["ais"]),
        ("OM में AIS लिखा है, AIS मतलब क्या?", ["ais"]),
        ("what does MDO stand for", ["mdo"]),
        ("OTP ka full form kya hota hai? papa puch rahe the", ["otp"]),
        ("MDO aur CCA ka matlab kya hai? circular me baar baar aa raha", ["mdo", "cca"]),
        ("how do I choose my MDO during registration", []),  # asks more than the meaning
        ("MDO and CCA", []),
        (
            "The OM keeps saying MDO/CCA. Expand both please.",
            ["om", "mdo", "cca"],
        ),  # names them without asking what they mean
        ("naam batao", []),
        ("MDO का विस्तार बताइए", ["mdo"]),
        ("CCA ka vistar?", ["cca"]),
        ("What is CCA in that OM?", ["cca"]),  # the one right after "what is"
        ("What is MDO and what is CCA?", ["mdo", "cca"]),
        ("what is the OM about APAR", []),  # asks what the order says, not a meaning
        ("what is iGOT and OM", []),
        ("MDO & CCA — दोनों के full forms?", ["mdo", "cca"]),
        ("CCA = ?", ["cca"]),
        ("In the DoPT OM I see CCA and AIS written many times. What do they stand for?", ["cca", "ais"]),
        ("OM में MDO और CCA लिखा है, इनका मतलब?", ["mdo", "cca"]),
        # Asked of all of them, though one is named again; the OM is where they were seen.
        ("MDO, CCA, AIS - pls expand these, they are in the OM and CCA confuses me", ["mdo", "cca", "ais"]),
        ("OM में AIS लिखा है, AIS मतलब क्या?", ["ais"]),
        # The meaning of what is on iGOT, not of iGOT.
        ("blended programs on igot means?", []),
        ("iGOT means?", ["igot"]),
    ],
)
def test_the_acronyms_whose_meaning_is_asked(text: str, asked: list[str]) -> None:
    assert acronyms_asked(text, ACRONYMS) == asked


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # A question asking a meaning that names no short form: those of the clause before it.
        (
            "My section officer sent the OM, and it says MDO/CCA everywhere. What do both of these mean?",
            ["mdo", "cca"],
        ),
        ("iGOT mein i, G, O, T kis cheez ke liye hai? Poora naam kya hai?", ["igot"]),
        ("What is the deadline? And what does that mean for me?", []),  # asks no meaning of a short form
        ("MDO ka matlab kya hai?", []),  # names its own: acronyms_asked reads it
        # The meaning of a thing the sentence names itself, not of the short form before it.
        ("I was put on a Blended Program on iGOT. Can you explain what this blended type means?", []),
        ("My boss keeps saying MDO. What does this stand for?", ["mdo"]),
        # Not the document where they were seen.
        ("In the DoPT OM I keep seeing CCA and AIS. What do they stand for?", ["cca", "ais"]),
    ],
)
def test_the_acronyms_a_meaning_question_points_back_at(text: str, asked: list[str]) -> None:
    assert acronyms_pointed_at(text, ACRONYMS) == asked


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("uska progress batao", True),
        ("his certificate?", True),
        ("My colleague has not finished his courses yet. How many has he done?", True),
        ("Mere colleague Ramesh ka progress dekhna hai. Kitna hua?", True),
        ("My colleague has far more Karma Points than I do. How do they go up?", False),
        ("My boss got many points this month. Is there a monthly cap?", False),
        (
            "My senior says Karma Points mean nothing; a colleague disagrees. What do they represent?",
            False,
        ),
        ("Mere dost ke karma points zyada hain. Inka matlab kya hai?", False),
        ("My colleague Ravi has not finished. What are his pending courses?", True),
        (
            "One colleague says it is this year, another says next year. In which APAR cycle will the course "
            "status first appear?",
            False,
        ),
        ("Is course ka quiz kaisa hai, aur uske module 3 mein kya hai?", False),  # "its module"
        ("What is the deadline?", False),
        # A relative clause points back at things: "the skills I learn, where is their record kept?"
        ("portal पर जो भी skills मैं सीखता हूँ उनका पूरा record कहाँ track होता है?", False),
        ("jo courses maine kiye unka record kahan dikhta hai?", False),
        ("उनका रिकॉर्ड दिखाओ", True),
        ("जो लोग मेरी टीम में हैं उनका progress बताओ", True),  # a relative clause about people
        ("jo log meri team mein hain unka progress batao", True),
    ],
)
def test_whether_a_message_asks_about_someone_elses_record(text: str, asks: bool) -> None:
    assert asks_about_someone_else(text) is asks


def test_the_other_questions_of_a_message_asking_a_meaning() -> None:
    assert besides_meanings("OTP means? and what is this competency passbook thing", ACRONYMS) == [
        "and what is this competency passbook thing"
    ]
    assert besides_meanings("एक मिनट, ये MDO का मतलब क्या होता है? पोर्टल पर हर जगह यही लिखा है", ACRONYMS) == []
    assert besides_meanings("OM में MDO/CCA लिखा है। इन दोनों का पूरा मतलब क्या है?", ACRONYMS) == []


def test_the_two_things_a_difference_is_asked_between() -> None:
    text = "What is the difference between domain and functional competencies? And ethics comes under which?"
    assert compared(text) == ("domain competencies", "functional competencies")
    assert besides_comparison(text) == ["And ethics comes under which?"]
    assert compared("Parichay vs Jan Parichay?") == ("Parichay", "Jan Parichay")
    assert compared("nodal officer aur request for help mein kya farak hai?") == (
        "nodal officer",
        "request for help",
    )
    assert compared("डोमेन और फ़ंक्शनल कम्पेटेंसी में क्या अंतर है?") == ("डोमेन कम्पेटेंसी", "फ़ंक्शनल कम्पेटेंसी")
    assert compared("how do I register and log in?") is None


def test_a_short_form_we_cannot_expand_is_named() -> None:
    vikas = "portal पर VIKAS Programme लिखा दिखा। VIKAS का full form क्या है?"
    assert unknown_short_form_asked(vikas, ACRONYMS) == "VIKAS"
    assert unknown_short_form_asked("what does NIC stand for?", ACRONYMS) == "NIC"
    assert unknown_short_form_asked("MDO meaning", ACRONYMS) is None
    assert unknown_short_form_asked("VIKAS का मतलब?", ACRONYMS) == "VIKAS"
    assert unknown_short_form_asked("WHAT IS THE MEANING OF KARMA POINTS", ACRONYMS) is None  # all capitals
    assert unknown_short_form_asked("VIKAS programme kya hai?", ACRONYMS) is None  # no meaning asked
    assert unknown_short_form_asked("what is the meaning of the OM from DoPT?", ACRONYMS) is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "Is there a mobile app for iGOT, and do we have to pay anything for it?",
            ["Is there a mobile app for iGOT", "do we have to pay anything for it?"],
        ),
        ("कितने कोर्स करने हैं और कब तक करने हैं?", ["कितने कोर्स करने हैं", "कब तक करने हैं?"]),
        ("Which courses and certificates do I need?", []),  # "and" between two nouns
        ("how do I register", []),
        ("karma points kya hai aur kaise milte hai", []),  # the second asks too little on its own
        ("is it free? any app for phone?", ["is it free?", "any app for phone?"]),  # two whole questions
        ("iGOT free है? app भी है?", ["iGOT free है?", "app भी है?"]),
        # Counted out ("ek, … aur do, …"), and "and by when" after a sentence of its own.
        (
            "ek, training plan daalne ki deadline kya thi, aur do, assessment live karne ki date kya thi?",
            ["ek, training plan daalne ki deadline kya thi", "assessment live karne ki date kya thi?"],
        ),
        (
            "will it come in my APAR automatically?? and by when was this linking to be done",
            ["will it come in my APAR automatically??", "and by when was this linking to be done"],
        ),
    ],
)
def test_a_message_that_asks_two_things_is_split_into_its_questions(text: str, parts: list[str]) -> None:
    assert question_parts(text) == parts


def test_a_long_ramble_is_searched_by_the_sentences_that_ask() -> None:
    story = "I joined the ministry last year and my section officer keeps reminding us about training. " * 3
    ramble = story + "By when do I have to finish the mandatory courses? Thanks in advance."
    assert asking_parts(ramble) == ["By when do I have to finish the mandatory courses?"]
    # The sentence with a question mark is tried first.
    asks_late = story + "Tell me what the CBU sent. Which share of the courses must I finish?"
    assert asking_parts(asks_late)[0] == "Which share of the courses must I finish?"
    assert asking_parts("By when do I have to finish the courses?") == []  # short: searched whole


def test_questions_and_follow_ups_are_recognised_in_three_languages() -> None:
    assert is_question("kab tak karna hai")
    assert is_question("पंजीकरण कैसे करें")
    assert not is_question("I registered yesterday.")
    # English wh-words ask at the start of a clause or after a verb of asking, not as relatives.
    assert is_question("In one line, what is the basic shift")
    assert is_question("I want to know how to register")
    assert is_question("by when must half of the prescribed courses be finished")
    assert is_question("and by when was this to be done")
    assert not is_question("and by the way I registered")
    assert is_question("otp not recieved on my offical email id. wat to check at my end")  # chat spelling
    assert not is_question("Our unit sent a mail with an annexure which I could not open on my phone.")
    assert leans_on_previous("and is that for everyone?")
    assert leans_on_previous("aur last date?")
    assert not leans_on_previous("what is the deadline for the mandatory courses on iGOT")


def test_a_subject_the_sources_do_not_cover_is_named_unless_the_passage_mentions_it(tmp_path: Path) -> None:
    path = tmp_path / "outside.yml"
    path.write_text("outside:\n  - [salary, वेतन, tankhwah]\n  - [leave rules]\n", encoding="utf-8")
    outside = OutsideTopics.load(path)
    assert (
        outside.named("will my salary stop if I do not finish", "The courses count in the APAR.") == "salary"
    )
    assert outside.named("meri tankhwah kategi kya", "APAR") == "tankhwah"
    assert outside.named("does the salary slip show it", "Your salary slip shows nothing.") is None
    assert outside.named("what are the courses", "APAR") is None
    assert OutsideTopics.load(tmp_path / "absent.yml").named("salary", "") is None


def test_the_shipped_outside_topics_include_quiz_answers() -> None:
    """The sources describe courses, not their quizzes' answers: "send the final quiz answers" is not
    answered with the course catalogue."""
    outside = OutsideTopics.load(get_settings().kb_outside)
    catalogue = "Each course has short videos and reading material followed by a quiz."
    assert outside.named("Please share the correct answers of the final quiz", catalogue) == "correct answers"
    assert outside.named("final quiz ke answers bhej do", catalogue) == "quiz ke answers"
    assert outside.named("is there a quiz at the end?", catalogue) is None


def test_the_shipped_outside_topics_include_ltc_and_the_budget_but_not_words_used_otherwise() -> None:
    """LTC and the mission's budget are nowhere in the sources; "keep budget for this" in a story and
    "match" as a verb are no such subject."""
    outside = OutsideTopics.load(get_settings().kb_outside)
    mission = "Mission Karmayogi aims to train more than 20 million government employees."
    assert outside.named("last date for the LTC claim?", mission) == "ltc"
    assert outside.named("Mission Karmayogi ka total kitna budget rakha hai?", mission) == "kitna budget"
    assert outside.named("do we need to keep budget for the courses?", mission) is None
    assert outside.named("so that the recommendations match my new role?", mission) is None
    assert outside.named("who won the cricket match?", mission) == "cricket"
    assert outside.named("aaj India ka match kitne baje hai bhai?", mission) == "india ka match"


def test_of_a_long_message_the_sentences_with_a_question_mark_are_what_is_asked() -> None:
    told = (
        "The home page keeps suggesting courses on leave rules, which are of no use to me now. "
        "Which sections of my profile should I update so that the course recommendations match my role?"
    )
    assert asking(told) == (
        "Which sections of my profile should I update so that the course recommendations match my role?"
    )


def test_the_shipped_outside_topics_include_extensions_hours_and_offline_viewing() -> None:
    """The sources set deadlines but say nothing of extending them, of the helpdesk's hours, or of
    watching courses offline: such questions get "not sure", not the nearest passage as if it answered."""
    outside = OutsideTopics.load(get_settings().kb_outside)
    deadline = "Employees must complete the courses by 31 March 2026."
    assert outside.named("Has the deadline been extended?", deadline) == "extended"
    assert outside.named("kya deadline badhi hai?", deadline) == "deadline badhi"
    assert outside.named("Is the helpdesk open on Saturdays?", "Write to support-igot@gov.in.") == "saturdays"
    assert outside.named("can I watch videos offline in the app?", "The app streams videos.") == "offline"
    jan_seva = "The programme has since been extended to State Government employees."
    assert outside.named("Was the Jan Seva programme extended to the states?", jan_seva) is None


def test_the_sentences_that_ask_stand_for_a_message_when_they_stand_on_their_own() -> None:
    """An aside ("I was on medical leave") is not what is asked; a question that leans on it is judged
    with it ("Is that allowed?")."""
    text = (
        "I was on medical leave last year. By what date were we to complete half of the prescribed courses?"
    )
    assert asking(text) == "By what date were we to complete half of the prescribed courses?"
    leaning = "I want study leave to do the iGOT courses. Is that allowed?"
    assert asking(leaning) == leaning
    assert asking("what is the deadline?") == "what is the deadline?"


@pytest.mark.parametrize(
    ("text", "someone_else"),
    [
        ("namaste, main Rakesh hoon. mera iGOT pe kitna course complete hua hai? boss puch rahe the", False),
        ("Main junior assistant hoon. kya mujhe certificate APAR ke saath lagana padega?", False),
        ("My boss asked me to check how many courses I did", False),
        ("what is my junior's progress?", True),
        ("meri boss ka course status batao", True),
        ("my boss wants his progress", True),
    ],
)
def test_a_rank_the_writer_holds_or_the_one_who_asked_them_is_no_third_person(
    text: str, someone_else: bool
) -> None:
    assert about_someone_else(text) is someone_else


def test_a_rule_asked_with_must_in_hindi_and_hinglish() -> None:
    assert asks_a_rule("kya mujhe certificate APAR ke saath manually lagana padega?")
    assert asks_a_rule("APAR में कोर्स की जानकारी हमें खुद भरनी होगी क्या?")
    assert not asks_a_rule("mera iGOT pe kitna course complete hua hai?")


def test_what_holds_as_a_rule_is_asked_though_the_story_is_ones_own() -> None:
    """ "…my certificate has not come. Generally, within how long is one made?" asks the rule."""
    assert asks_a_rule("कल कोर्स पूरा किया पर certificate नहीं दिखा। आम तौर पर कितने समय में certificate बनता है?")
    assert asks_a_rule("course kiya, certificate nahi aaya. aam taur par kitne time me aata hai?")
    assert asks_a_rule("I finished a course yesterday. How long does a certificate usually take?")
    assert not asks_a_rule("कल कोर्स पूरा किया पर certificate नहीं दिखा। मेरा certificate कब आएगा?")


def test_where_the_portal_keeps_something_is_asked_though_it_is_ones_own() -> None:
    """The way round the portal is in the guides; "मैंने" (I have) says whose, not that a record is asked."""
    assert asks_a_rule("जो जो स्किल्स मैंने कोर्स से सीखी उनका रिकॉर्ड पोर्टल पर कहाँ दिखता है?")
    assert asks_a_rule("From where on the portal do I download my course completion certificate?")
    assert asks_a_rule("maine jo courses kiye unka certificate portal pe kahan milega?")
    assert not asks_a_rule("मैंने कितने कोर्स पूरे किए?")
    assert not asks_a_rule("where on the portal is my colleague's certificate? he is on leave")


def test_someone_from_the_helpdesk_is_a_person_asked_for() -> None:
    assert wants_a_person("I did all the quizzes, still nothing. Can someone from the helpdesk look into it?")
    assert not wants_a_person("what is the helpdesk email?")


def test_whom_a_rule_covers_is_asked_without_any_other_question() -> None:
    assert asks_whom_it_covers("is that for everyone?")
    assert asks_whom_it_covers("ye sab ke liye hai kya? hum log central govt me hain")
    assert asks_whom_it_covers("क्या यह सबके लिए है?")
    assert not asks_whom_it_covers("how many courses are mandatory for everyone in my office?")
    assert not asks_whom_it_covers("is the portal free?")


def test_a_full_stop_inside_an_address_or_a_figure_ends_no_sentence() -> None:
    assert sentences("ईमेल गलत लिख दी। सही है rc.sharma@nic.in") == [
        "ईमेल गलत लिख दी।",
        "सही है rc.sharma@nic.in",
    ]
    assert sentences("Is it 2.5 hours? Visit igotkarmayogi.gov.in.") == [
        "Is it 2.5 hours?",
        "Visit igotkarmayogi.gov.in.",
    ]


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("APAR में iGOT course status वाला नियम किन-किन कर्मचारियों पर लागू होता है?", True),
        ("to whom does the 50% rule apply?", True),
        ("who all does this order apply to?", True),
        ("ye rule kin employees par lagu hai?", True),
        ("as per the OM, which employees are covered by the mandatory course completion?", True),
        ("who all are covered by this order?", True),
        ("who can apply for the course?", False),
        ("is my course covered in the plan?", False),
        ("how do I apply for leave?", False),
    ],
)
def test_whom_a_rule_applies_to_is_recognised_when_asked_outright(text: str, asks: bool) -> None:
    assert asks_whom_a_rule_covers(text) is asks


def test_a_rule_about_what_happens_to_my_courses_is_no_request_for_my_record() -> None:
    assert asks_a_rule("Will the iGOT courses I completed show up in my annual appraisal for 2024-25?")
    assert not asks_a_rule("have I completed my courses?")


def test_what_the_portal_offers_is_a_rule_though_the_question_says_my() -> None:
    """ "Is there any place where my skills get recorded?" asks about a feature, not for one's record."""
    assert asks_a_rule(
        "Is there any place on iGOT where the skills I pick up get recorded, like a resume of my service?"
    )
    assert asks_a_rule("Is there any feature like a digital resume of my service?")
    assert asks_a_rule("मेरी skills का record रखने के लिए कोई सुविधा है क्या?")
    assert not asks_a_rule("is there any option to see my progress?")  # the record itself


def test_the_choices_of_an_either_or_question() -> None:
    assert alternatives("APAR me quiz ke marks jayenge ya sirf course completion?") == [
        "APAR me quiz ke marks jayenge",
        "sirf course completion?",
    ]
    assert alternatives("marks of the quizzes or only the completion status?") == [
        "marks of the quizzes",
        "only the completion status?",
    ]
    assert alternatives("what is recorded in the APAR?") == []


def test_a_short_form_used_in_passing_is_spelled_out_but_not_one_whose_meaning_is_asked() -> None:
    full = {"mdo": "Ministry, Department and Organisation", "एमडीओ": "Ministry, Department and Organisation"}
    assert (
        spelled_out("MDO list में नहीं है, अब?", full)
        == "Ministry, Department and Organisation list में नहीं है, अब?"
    )
    assert spelled_out("एमडीओ नहीं मिला", full) == "Ministry, Department and Organisation नहीं मिला"
    assert spelled_out("MDO meaning", full) is None
    assert spelled_out("the list is empty", full) is None


@pytest.mark.parametrize(
    ("text", "general"),
    [
        ("min % of courses to clear?", True),
        ("कितने प्रतिशत कोर्स अनिवार्य हैं?", True),
        ("is the training mandatory for everyone?", True),
        # No rule asked: "how many more…", "am I…" and a record's state are the writer's own.
        ("इस online वाली training की क्या-क्या कमियाँ हैं?", False),
        ("how many more courses needed to reach 50%?", False),
        ("kitne aur chahiye 50% ke liye?", False),
        ("how many courses left?", False),
        ("kitne course bache hain?", False),
        ("course status?", False),
        ("am I on track for the 31 March deadline?", False),
        ("which mandatory ones are left for me", False),
        ("karma points kitne hain?", False),
        ("50 प्रतिशत लक्ष्य से कितना दूर हूँ", False),
        ("training plan kitna percent hua", False),
        ("mere kitne course ho gaye?", False),
    ],
)
def test_a_question_asks_in_general_when_it_asks_nothing_of_ones_record(text: str, general: bool) -> None:
    assert asks_in_general(text) is general


@pytest.mark.parametrize(
    ("text", "none"),
    [
        # "हमारे यहाँ" (at our place) is no record of the writer's; the portal's limitations are no record.
        ("इस online वाली training की क्या-क्या कमियाँ हैं? हमारे यहाँ कई लोग इससे परेशान रहते हैं।", True),
        ("हमारे यहाँ कितने कोर्स हुए?", False),
        ("how far along am I?", False),
        ("our certificates?", False),
    ],
)
def test_a_message_names_no_record_when_it_names_nothing_a_record_holds(text: str, none: bool) -> None:
    assert names_no_record(text) is none
