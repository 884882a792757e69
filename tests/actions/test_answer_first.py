"""A fact question gets the fact; a problem or a question about one's own record gets the flow."""

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import answer_first
from bot.actions.answer_first import ActionAnswerFirst, ActionAnswerOffer, tries_the_answer
from bot.actions.common import asks_own_requirement, shown_own_record
from bot.actions.digression import ActionAnswerDigression
from bot.actions.knowledge import ActionAnswerFaq
from bot.actions.otp import ActionOtpOutcome, otp_start
from tests.actions.conftest import answering, make_tracker, responses, slot_values
from tests.actions.test_knowledge import DEADLINE_QUESTION


def followup(events: list[dict]) -> str | None:
    return next((e["name"] for e in events if e.get("event") == "followup"), None)


@pytest.mark.parametrize(
    ("intent", "text", "answer_first"),
    [
        ("ask_course_progress", "how is progress on the mandatory courses tracked?", True),
        ("ask_course_progress", "how many courses have I completed", False),
        ("ask_certificate", "mera certificate kab milega", False),
        ("ask_certificate", "how long after finishing a course is the certificate issued?", True),
        ("ask_karma_points", "karma points", False),  # no question: the user's own points
        # A rule asked in the first person is still a rule; what one's own record says needs the proof.
        (
            "ask_course_progress",
            "Do I have to complete every course on my list, or is a minimum enough?",
            True,
        ),
        ("ask_course_progress", "Can I do the courses on my own phone instead of the office computer?", True),
        ("ask_course_progress", "DoPT khud decide karta hai kya ki mujhe kaunse course karne hain?", True),
        ("ask_course_progress", "mere kitne course ho gaye?", False),
        # "हमारे यहाँ" (at our place) names no record: the portal's limitations are asked.
        ("ask_course_progress", "इस online training की कमियाँ क्या हैं? हमारे यहाँ लोग परेशान हैं।", True),
        # Many words between "will" and "show": still whether courses reach the APAR, a rule.
        (
            "ask_course_progress",
            "will the courses i did on igot actually show in my APAR or is it waste?",
            True,
        ),
        ("ask_course_progress", "मेरी प्रगति क्या है?", False),
        ("ask_course_progress", "have I finished my mandatory courses?", False),
        ("ask_course_progress", "can I see my progress? my email is a.b@gov.in", False),
        (
            "ask_certificate",
            "3 din ho gaye course complete kiye. aap mera account check kar sakte ho?",
            False,
        ),
        (
            "ask_course_progress",
            "Is there any place on iGOT where all the skills I have picked up get recorded, like a digital "
            "resume of my service?",
            True,
        ),
        ("otp_not_received", "otp not recieved on my offical email id. wat to check at my end", True),
        ("otp_not_received", "OTP nahi aa raha", False),
        ("otp_not_received", "what should I check if the mobile OTP does not come?", True),
        ("otp_not_received", "does the OTP go to the e-mail or the mobile?", True),
        ("organisation_not_found", "my department is not in the dropdown", False),
        ("request_human", "what is the helpdesk e-mail address?", True),
        ("request_human", "connect me to a person", False),
        ("request_human", "/request_human", False),
        ("ask_registration_help", "what details do I need to register?", True),
        ("registration_step", "stuck at step 5", False),
        ("otp_not_received", "email wala OTP nahi aaya, email ke liye kya check karu??", True),
        ("bot_challenge", "OM में AIS लिखा है, AIS मतलब क्या?", True),
        ("bot_challenge", "are you a bot?", False),
        # Of a long message, the question decides, whatever the story before it says of oneself.
        (
            "ask_certificate",
            "I retire next March and I want my records in order before that. Over the last year I finished "
            "many courses on iGOT, on ethics and office procedure, but my service book shows none of them. "
            "Where on the portal do I download the certificates, and which section of my office takes them?",
            True,
        ),
        (
            "ask_course_progress",
            "I joined this office in August and nobody handed over the training work to me. My boss wants "
            "to know where we stand, and I have been told to look at my own courses first. Please check "
            "mine: how many of my prescribed courses have I completed so far, and what is pending?",
            False,
        ),
    ],
)
def test_which_messages_are_answered_before_any_flow(intent: str, text: str, answer_first: bool) -> None:
    assert tries_the_answer(intent, text) is answer_first


async def test_a_general_question_under_a_personal_intent_is_answered_without_a_proof(
    domain, dispatcher
) -> None:
    tracker = make_tracker(domain, text=DEADLINE_QUESTION, intent="ask_course_progress")
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert "31 March 2026" in dispatcher.messages[0]["text"]
    assert responses(dispatcher)[1:] == ["utter_ask_helpful", "utter_offer_own_progress"]
    assert followup(events) == "action_listen"  # no identity form


@pytest.mark.parametrize("text", ["min % of courses to clear?", "कितने प्रतिशत कोर्स अनिवार्य हैं?"])
async def test_a_rule_for_everyone_the_search_is_unsure_of_asks_for_no_proof(
    domain, dispatcher, monkeypatch, text: str
) -> None:
    """Unsure of the passage, a question about everyone's rule gets the closest topics, not a proof."""
    monkeypatch.setattr(answer_first, "answer_from_knowledge", unsure_answer)
    tracker = make_tracker(domain, text=text, intent="ask_course_progress")
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_knowledge_closest", "utter_offer_own_progress"]
    assert followup(events) == "action_listen"  # no identity form


async def unsure_answer(
    dispatcher: CollectingDispatcher, tracker: Any, *, admit_doubt: bool, **_: Any
) -> list[Any] | None:
    """The knowledge base unsure of the question: the closest topics when doubt may be admitted."""
    if not admit_doubt:
        return None
    dispatcher.utter_message(response="utter_knowledge_closest")
    return []


async def test_a_question_about_ones_own_record_goes_to_the_records(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text="how many courses have I completed", intent="ask_course_progress")
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert followup(events) == "action_personal_records"


async def test_a_question_the_search_is_unsure_of_falls_back_to_the_fixed_reply(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text="why is the sky blue?", intent="login_problem")
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_login_help"]
    assert followup(events) == "action_listen"


async def test_a_missing_organisation_starts_the_form_with_its_introduction(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text="my department is not in the list", intent="organisation_not_found")
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_organisation_intro"]
    assert followup(events) == "organisation_request_form"


async def test_an_otp_problem_starts_the_checklist_from_what_was_said(domain, dispatcher) -> None:
    text = "OTP on mobile is not coming, I already checked that my number is linked with Aadhaar"
    events = await ActionAnswerFirst().run(
        dispatcher, make_tracker(domain, text=text, intent="otp_not_received"), domain
    )
    assert followup(events) == "otp_form"
    assert slot_values(events) == {"otp_channel": "mobile", "otp_step": 1}  # the Aadhaar check is skipped


async def test_an_otp_fact_the_circulars_lack_gets_a_clear_not_sure_not_the_checklist(
    domain, dispatcher
) -> None:
    """ "How many minutes is the OTP valid?" reports no problem: the closest topics, then the offer."""
    tracker = make_tracker(domain, text="How many minutes is the OTP valid?", intent="otp_not_received")
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    said = responses(dispatcher)
    assert said[0] in ("utter_knowledge_not_sure", "utter_knowledge_closest")
    assert said[-1] == "utter_offer_otp_checks"
    assert followup(events) == "action_listen"  # not the otp_form


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("officer browser half", "utter_knowledge_closest"),  # like a passage: shown, with the doubt
        ("cricket score please", "utter_out_of_scope"),  # like none: outside what the bot knows
    ],
)
async def test_a_message_read_as_out_of_scope_that_resembles_a_passage_gets_it(
    domain, dispatcher, text: str, said: str
) -> None:
    tracker = make_tracker(domain, text=text, intent="out_of_scope")
    await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == said


def test_the_checklist_asks_the_channel_only_when_none_was_named() -> None:
    assert otp_start("OTP nahi aaya") == ([], "otp_form")
    events, first = otp_start("email otp nahi aaya, spam folder check kiya")
    assert first == "otp_form" and slot_values(events) == {"otp_channel": "email", "otp_step": 1}
    # As typed on a phone: "kr liya" for "kar liya".
    events, _first = otp_start("otp nhi aa rha email pe, spam folder bhi check kr liya")
    assert slot_values(events) == {"otp_channel": "email", "otp_step": 1}


async def test_a_fed_up_user_is_offered_the_helpdesk_at_once(domain, dispatcher) -> None:
    events, first = otp_start("I am fed up, the SMS OTP never comes")
    assert first == "action_otp_outcome"
    tracker = make_tracker(domain, slots=slot_values(events))
    await ActionOtpOutcome().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_otp_offer_helpdesk_now"]


async def test_every_check_already_done_goes_straight_to_the_helpdesk_offer(domain, dispatcher) -> None:
    text = (
        "email OTP not received. already checked spam, IT team says the server is not blocking, "
        "waited, resend many times"
    )
    events, first = otp_start(text)
    assert first == "action_otp_outcome" and slot_values(events)["otp_resolved"] == "no"
    await ActionOtpOutcome().run(dispatcher, make_tracker(domain, slots=slot_values(events)), domain)
    assert responses(dispatcher) == ["utter_otp_offer_escalation"]


async def test_inside_a_form_a_general_question_is_answered_from_the_circulars(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain, text=DEADLINE_QUESTION, intent="ask_course_progress", active_loop="organisation_request_form"
    )
    await ActionAnswerDigression().run(dispatcher, tracker, domain)
    assert "31 March 2026" in dispatcher.messages[0]["text"]
    assert "utter_personal_after_form" not in responses(dispatcher)
    assert responses(dispatcher)[-1] == "utter_continue_form"


async def test_choosing_hindi_with_a_question_switches_and_answers_the_question(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain,
        text="मुझे हिंदी में बताइए, by when must half of the prescribed courses be finished?",
        intent="set_language",
        entities=[{"entity": "language", "value": "hi"}],
        slots={"language": "hi"},
    )
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_language_set"
    assert "31 मार्च 2026" in dispatcher.messages[1]["text"]
    assert followup(events) == "action_listen"


async def test_choosing_a_language_alone_only_switches(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain,
        text="hindi mein batao",
        intent="set_language",
        entities=[{"entity": "language", "value": "hi"}],
    )
    await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_language_set"]


async def test_asking_plainly_for_a_person_hands_over_whatever_the_intent(domain, dispatcher) -> None:
    text = "I want to speak to a real person. My APAR is showing zero courses. Please connect me."
    events = await ActionAnswerFirst().run(
        dispatcher, make_tracker(domain, text=text, intent="ask_course_progress"), domain
    )
    assert followup(events) == "action_escalate"


def offer_then(domain, text: str, intent: str, payload: str):
    offered: list[dict] = [
        {"event": "user", "text": "earlier"},
        {"event": "bot", "text": "Shall I?", "data": {"buttons": [{"title": "Yes", "payload": payload}]}},
    ]
    return make_tracker(domain, text=text, intent=intent, events=offered)


async def test_a_yes_takes_up_the_offered_flow(domain, dispatcher, services) -> None:
    events = await ActionAnswerOffer().run(
        dispatcher, offer_then(domain, "Yes please raise it", "affirm", "/request_human"), domain
    )
    assert responses(dispatcher) == ["utter_escalated"] and followup(events) is None
    events = await ActionAnswerOffer().run(
        dispatcher, offer_then(domain, "ok send that request", "affirm", "/organisation_not_found"), domain
    )
    assert followup(events) == "organisation_request_form"


async def test_a_no_asks_what_next_and_an_ok_to_nothing_offered_is_acknowledged(domain, dispatcher) -> None:
    events = await ActionAnswerOffer().run(
        dispatcher, offer_then(domain, "no", "deny", "/request_human"), domain
    )
    assert responses(dispatcher) == ["utter_how_can_help"] and followup(events) is None
    ok = CollectingDispatcher()
    await ActionAnswerOffer().run(ok, offer_then(domain, "ok thik hai", "affirm", "/faq"), domain)
    assert responses(ok) == ["utter_glad_to_help"]


async def test_a_colleagues_record_is_refused_whatever_the_intent(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text="But I am his RO, I have to write his APAR!", intent="bot_challenge")
    assert (
        followup(await ActionAnswerFirst().run(dispatcher, tracker, domain)) == "action_refuse_other_person"
    )


async def test_a_follow_up_question_read_as_a_yes_is_answered(domain, dispatcher, monkeypatch) -> None:
    """ "ok. and what if I miss it?" after an answer is a question, not an acknowledgement."""
    monkeypatch.setattr("bot.actions.answer_first.answer_from_knowledge", answering("It shows in the APAR."))
    await ActionAnswerOffer().run(
        dispatcher, offer_then(domain, "ok. and what if I miss it?", "affirm", "/faq"), domain
    )
    assert [m.get("text") for m in dispatcher.messages] == ["It shows in the APAR."]


@pytest.mark.parametrize("intent", ["thank", "goodbye"])
def test_a_question_mistaken_for_thanks_or_goodbye_is_answered(intent: str) -> None:
    assert tries_the_answer(intent, "ये कैसे मिलते हैं?")
    assert not tries_the_answer(intent, "thanks, what a help!")
    assert not tries_the_answer(intent, "ok bye, see you?")


async def test_a_pronoun_in_a_rule_question_is_no_third_person(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text="उसके लिए कितने कोर्स करने होंगे?", intent="ask_course_progress")
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert followup(events) != "action_refuse_other_person"


async def test_a_user_whose_own_organisation_is_missing_gets_the_rule_and_the_request_started(
    domain, dispatcher, monkeypatch
) -> None:
    monkeypatch.setattr(answer_first, "answer_from_knowledge", answering('Use "Request for help".'))
    own = (
        "While registering on iGOT our office is not showing in the organisation drop down. What do I do now?"
    )
    events = await ActionAnswerFirst().run(
        dispatcher, make_tracker(domain, text=own, intent="organisation_not_found"), domain
    )
    assert dispatcher.messages[0]["text"] == 'Use "Request for help".'
    assert responses(dispatcher)[1:] == ["utter_organisation_intro"]
    assert followup(events) == "organisation_request_form"
    # A general question is answered and the request only offered.
    general = CollectingDispatcher()
    events = await ActionAnswerFirst().run(
        general,
        make_tracker(domain, text="what if my organisation is not listed?", intent="organisation_not_found"),
        domain,
    )
    assert (
        responses(general)[1:] == ["utter_offer_organisation_request"] and followup(events) == "action_listen"
    )


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("otp nhi aa rha email pe, spam folder bhi check kr liya. mobile pe aa gaya tha", "email"),
        ("Email OTP is not coming. The mobile OTP came fine.", "email"),
        ("mobile OTP not coming but the email one arrived", "mobile"),
        ("OTP not coming on mobile or email", None),
    ],
)
def test_of_two_channels_named_the_one_that_worked_is_not_the_problem(text: str, channel: str | None) -> None:
    known, _first = otp_start(text)
    assert slot_values(known).get("otp_channel") == channel


async def test_a_yes_right_after_the_hand_over_repeats_its_reference(domain, dispatcher) -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "Please connect me to a real person", "parse_data": {}},
        {"event": "slot", "name": "escalation_reference", "value": "ESC-7K3M9Q"},
        {"event": "bot", "text": "I have passed your case to the helpdesk (reference ESC-7K3M9Q)."},
    ]
    tracker = make_tracker(domain, text="Yes please raise it.", intent="affirm", events=events)
    await ActionAnswerOffer().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_escalation_reference"]
    assert dispatcher.messages[0]["reference"] == "ESC-7K3M9Q"


async def test_after_the_progress_card_a_question_about_ones_own_courses_goes_to_the_record(
    domain, dispatcher
) -> None:
    """ "50% पूरा करने के लिए मुझे कुल कितने कोर्स करने हैं?" once the card is on screen: the record, which
    counts them, answers; before any card the same words get the rule."""
    shown = [
        {"event": "user", "text": "123456", "parse_data": {}},
        {"event": "bot", "text": "...", "data": {"custom": {"card": {"kind": "progress", "title": "..."}}}},
    ]
    text = "50% पूरा करने के लिए मुझे कुल कितने कोर्स करने हैं?"
    tracker = make_tracker(domain, text=text, intent="ask_course_progress", events=shown)
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert followup(events) == "action_personal_records"
    assert shown_own_record(tracker)
    assert not shown_own_record(make_tracker(domain, text=text, intent="ask_course_progress"))


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("Good. Is 5 enough or do I have to finish all 8?", "registration_step", ActionAnswerFirst),
        ("What was the minimum number I needed to do out of those?", "faq", ActionAnswerFaq),
        ("तो 31 मार्च तक कुल कितने पूरे करने होंगे?", "faq", ActionAnswerFaq),
        ("aur assessment wala?", "faq", ActionAnswerFaq),  # the user's own, on the card
        ("और assessment?", "faq", ActionAnswerFaq),
    ],
)
async def test_what_the_progress_card_counts_asked_right_after_it_is_answered_by_the_card(
    domain, dispatcher, text, intent, action
) -> None:
    """ "Is 5 enough?" right after "you have completed 5 of 8": the card, which gives the target, answers,
    whatever the words were mistaken for ("5" as a registration step); with no card on screen, or for a
    count of the catalogue, nothing is redirected."""
    shown = [
        {"event": "user", "text": "123456", "parse_data": {}},
        {"event": "bot", "text": "...", "data": {"custom": {"card": {"kind": "progress", "title": "..."}}}},
    ]
    tracker = make_tracker(domain, text=text, intent=intent, events=shown)
    assert followup(await action().run(dispatcher, tracker, domain)) == "action_personal_records"
    assert not asks_own_requirement(make_tracker(domain, text=text, intent=intent))
    catalogue = make_tracker(
        domain, text="how many courses are there on the platform?", intent="faq", events=shown
    )
    assert not asks_own_requirement(catalogue)
    rule = make_tracker(
        domain, text="what is the comprehensive assessment framework?", intent="faq", events=shown
    )
    assert not asks_own_requirement(rule)


async def test_the_channel_named_after_the_offer_of_the_otp_checks_starts_them(domain, dispatcher) -> None:
    """ "email wala nahi aa raha" right after the offer, read as anything: the e-mail checks, skipping
    the spam check the first message said was done."""
    earlier: list[dict[str, Any]] = [
        {"event": "user", "text": "otp nahi aa raha. 2 baar resend kiya, spam folder bhi dekh liya"},
        {
            "event": "bot",
            "text": "I can go through the checks with you.",
            "data": {"buttons": [{"title": "OTP checks", "payload": "/otp_not_received"}]},
        },
    ]
    text = "email wala nahi aa raha. mobile pe to aa gaya tha"
    tracker = make_tracker(domain, text=text, intent="correct_field", events=earlier)
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert slot_values(events) == {"otp_channel": "email", "otp_step": 1}
    assert [e["name"] for e in events if e.get("event") == "followup"] == ["otp_form"]
