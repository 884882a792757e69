"""Language, fallback, registration steps, digressions, cancelling and escalation."""

from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from bot.actions import digression, fallback, records
from bot.actions.answer_first import ActionAnswerFirst
from bot.actions.common import closes, insists_after_refusal, steers_away
from bot.actions.digression import ActionAnswerDigression, ActionCancelForm
from bot.actions.escalation import ActionEscalate
from bot.actions.fallback import ActionFallback
from bot.actions.identity import ActionForgetMe
from bot.actions.language import ActionDetectLanguage
from bot.actions.records import ActionPersonalRecords, asks_for_own_record
from bot.actions.registration import ActionRegistrationStep
from bot.helpdesk.tables import Escalation
from tests.actions.conftest import answering, make_tracker, responses, slot_values


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("otp nahi aaya", "en", {"language": "hinglish"}),
        ("otp nahi aaya", "hinglish", {}),
        ("मदद चाहिए", "hinglish", {"language": "hi"}),
        ("मदद चाहिए", "en", {"language": "hi"}),
        ("hello there", "hi", {"language": "en"}),
        ("9876543210", "hi", {}),
        ("hello", "en", {}),
        ("/ask_registration_help", "hi", {}),
        ("great, thanks. bye", "hinglish", {}),  # thanks and goodbye say nothing of what the user reads
        ("thank you so much", "hi", {}),
        ("thanks, and what is the deadline?", "hi", {"language": "en"}),
    ],
)
async def test_language_follows_the_message(domain, dispatcher, text, current, expected) -> None:
    tracker = make_tracker(domain, text=text, intent="inform", slots={"language": current})
    assert slot_values(await ActionDetectLanguage().run(dispatcher, tracker, domain)) == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("Ministry of Railways", "inform", {}),
        ("what is the deadline for mandatory courses?", "faq", {"language": "en"}),
        ("cancel the form", "cancel", {"language": "en"}),
    ],
)
async def test_a_form_answer_keeps_the_language(domain, dispatcher, text, intent, expected) -> None:
    tracker = make_tracker(
        domain,
        text=text,
        intent=intent,
        slots={"language": "hi", "requested_slot": "ministry_or_state"},
        active_loop="organisation_request_form",
    )
    assert slot_values(await ActionDetectLanguage().run(dispatcher, tracker, domain)) == expected


async def test_explicit_choice_sets_and_locks_the_language(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain, text="reply in hindi", intent="set_language", entities=[{"entity": "language", "value": "hi"}]
    )
    assert slot_values(await ActionDetectLanguage().run(dispatcher, tracker, domain)) == {
        "language": "hi",
        "language_locked": True,
    }
    locked = make_tracker(
        domain,
        text="hello there how are you",
        intent="greet",
        slots={"language": "hi", "language_locked": True},
    )
    assert await ActionDetectLanguage().run(dispatcher, locked, domain) == []


@pytest.mark.parametrize(
    ("text", "entity", "response"),
    [
        ("stuck at step 5", None, "utter_registration_step_5"),
        ("", "4", "utter_registration_step_4"),
        ("password set nahi ho raha", None, "utter_registration_step_7"),
        ("चरण ३", None, "utter_registration_step_3"),
        ("step 2", None, "utter_registration_step_1"),
    ],
)
async def test_registration_step_help(domain, dispatcher, text, entity, response) -> None:
    entities = [{"entity": "step", "value": entity}] if entity else []
    tracker = make_tracker(domain, text=text, intent="registration_step", entities=entities)
    await ActionRegistrationStep().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [response, "utter_anything_else_registration"]


async def test_registration_step_unknown_asks_which(domain, dispatcher) -> None:
    await ActionRegistrationStep().run(
        dispatcher, make_tracker(domain, text="I am stuck", intent="registration_step"), domain
    )
    assert responses(dispatcher) == ["utter_ask_registration_step"]


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("", "utter_empty_message"),
        ("   ", "utter_empty_message"),
        ("😀🙏🎉", "utter_text_only"),
        ("?!...", "utter_text_only"),
        ("a" * 10_000, "utter_message_too_long"),
    ],
)
async def test_fallback_explains_unreadable_messages(domain, dispatcher, text, response) -> None:
    await ActionFallback().run(dispatcher, make_tracker(domain, text=text, intent="nlu_fallback"), domain)
    assert responses(dispatcher) == [response]


@pytest.mark.parametrize(
    ("problem", "response"),
    [
        ("empty", "utter_empty_message"),
        ("too_long", "utter_message_too_long"),
        ("no_text", "utter_text_only"),
    ],
)
async def test_fallback_explains_what_the_channel_screened(domain, dispatcher, problem, response) -> None:
    """The channel replaced the message by a payload naming its problem (contract/inbound.py)."""
    entities = [{"entity": "message_problem", "value": problem}]
    tracker = make_tracker(domain, text="/nlu_fallback", intent="nlu_fallback", entities=entities)
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [response]
    assert events == [UserUtteranceReverted()]


async def test_fallback_first_offers_likely_topics_in_the_users_language(domain, dispatcher) -> None:
    ranking = [
        {"name": "nlu_fallback"},
        {"name": "otp_not_received"},
        {"name": "inform"},
        {"name": "login_problem"},
    ]
    tracker = make_tracker(
        domain, text="kuch gadbad hai", intent="nlu_fallback", ranking=ranking, slots={"language": "hi"}
    )
    await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_clarify"]
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/otp_not_received", "/login_problem", "/request_human"]
    assert buttons[0]["title"] == "OTP नहीं आया"


async def test_second_fallback_in_a_row_offers_the_helpdesk(domain, dispatcher) -> None:
    earlier = [{"event": "user", "text": "blah", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    tracker = make_tracker(
        domain,
        text="blah blah",
        intent="nlu_fallback",
        events=earlier,
        ranking=[{"name": "otp_not_received"}],
    )
    await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_fallback_helpdesk"]


async def test_digression_answers_then_returns_to_the_form(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain,
        text="certificate kab milega",
        intent="ask_certificate",
        active_loop="organisation_request_form",
    )
    await ActionAnswerDigression().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_certificate_help", "utter_continue_form"]


async def test_a_question_read_as_out_of_scope_inside_a_form_gets_the_circulars(
    domain, dispatcher, monkeypatch
) -> None:
    monkeypatch.setattr(digression, "answer_from_knowledge", answering("The sources give no time for that."))
    tracker = make_tracker(
        domain,
        text="ye add hone me kitna time lagta hai?",
        intent="out_of_scope",
        active_loop="organisation_request_form",
    )
    await ActionAnswerDigression().run(dispatcher, tracker, domain)
    assert [m.get("text") or m.get("response") for m in dispatcher.messages] == [
        "The sources give no time for that.",
        "utter_continue_form",
    ]


@pytest.mark.parametrize(
    ("text", "confidence", "steers"),
    [
        ("Revenue", 0.51, False),  # a department the model took for a cancel
        ("abhi nahi karna", 0.51, True),
        ("stop this form", 0.6, True),
        ("cancel", 0.95, True),
    ],
)
def test_a_cancel_read_with_little_confidence_stops_a_form_only_when_the_words_say_so(
    domain, text: str, confidence: float, steers: bool
) -> None:
    tracker = make_tracker(
        domain,
        text=text,
        intent="cancel",
        confidence=confidence,
        active_loop="organisation_request_form",
        slots={"requested_slot": "department"},
    )
    assert steers_away(tracker) is steers


async def test_cancel_forgets_what_the_form_collected(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain,
        text="cancel",
        intent="cancel",
        active_loop="organisation_request_form",
        slots={"requester_name": "Anita Verma", "requester_email": "a@nic.in"},
    )
    events = await ActionCancelForm().run(dispatcher, tracker, domain)
    values = slot_values(events)
    assert values["requester_name"] is None and values["requester_email"] is None
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert responses(dispatcher) == ["utter_form_cancelled"]


async def test_a_stop_the_model_did_not_understand_inside_a_form_stops_it(domain, dispatcher) -> None:
    text = (
        "Actually leave it, my section officer just told me that the nodal officer is getting all our "
        "offices added together, so please cancel this request. Thanks for your help anyway"
    )
    tracker = make_tracker(
        domain,
        text=text,
        intent="nlu_fallback",
        active_loop="organisation_request_form",
        slots={"requested_slot": "requester_mobile", "requester_name": "Suresh Chandra Negi"},
    )
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_form_cancelled", "utter_goodbye"]
    assert slot_values(events)["requester_name"] is None
    # Outside a form the same words are not taken for a stop of anything.
    other = CollectingDispatcher()
    await ActionFallback().run(other, make_tracker(domain, text=text, intent="nlu_fallback"), domain)
    assert "utter_form_cancelled" not in responses(other)


@pytest.mark.parametrize(
    "text", ["ok please send that request for me", "haan bhej do", "हाँ, भेज दीजिए", "yes go ahead"]
)
async def test_a_yes_read_as_a_cancel_goes_on_with_the_form(domain, dispatcher, text: str) -> None:
    tracker = make_tracker(
        domain,
        text=text,
        intent="cancel",
        active_loop="organisation_request_form",
        slots={"requester_name": "Anita Verma"},
    )
    events = await ActionCancelForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_form_goes_on"]
    assert events == [{"event": "followup", "timestamp": None, "name": "organisation_request_form"}]


@pytest.mark.parametrize(
    "text", ["ok, stop this form", "ok no", "please stop", "theek hai rehne do", "HTTP/1.1 200 OK"]
)
async def test_a_yes_with_a_stop_still_cancels(domain, dispatcher, text: str) -> None:
    tracker = make_tracker(domain, text=text, intent="cancel", active_loop="organisation_request_form")
    await ActionCancelForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_form_cancelled"]


async def test_escalation_is_recorded_with_context(domain, dispatcher, services) -> None:
    history: list[dict[str, Any]] = [
        {"event": "user", "text": "OTP not coming to 9876543210", "parse_data": {}},
        {"event": "bot", "text": "Which OTP is not arriving?"},
    ]
    tracker = make_tracker(
        domain,
        text="talk to a human",
        intent="request_human",
        events=history,
        channel="telegram",
        slots={
            "language": "hi",
            "escalation_reason": "otp_not_received",
            "escalation_context": {"otp_channel": "mobile"},
        },
    )
    events = await ActionEscalate().run(dispatcher, tracker, domain)
    reference = dispatcher.messages[0]["reference"]
    assert responses(dispatcher) == ["utter_escalated"]
    with services.sessions() as session:
        stored = session.scalar(select(Escalation).where(Escalation.reference == reference))
    assert stored.reason == "otp_not_received" and stored.channel == "telegram" and stored.language == "hi"
    assert stored.context == {"otp_channel": "mobile"} and stored.sender_id == "telegram:test-user"
    assert "9876543210" not in stored.summary and "talk to a human" in stored.summary
    assert slot_values(events) == {
        "escalation_reason": None,
        "escalation_context": None,
        "escalation_reference": reference,
    }


async def test_asking_for_a_person_again_while_waiting_files_no_second_case(
    domain, dispatcher, services
) -> None:
    first = make_tracker(domain, text="talk to a human", intent="request_human", channel="widget")
    await ActionEscalate().run(dispatcher, first, domain)
    again = type(dispatcher)()
    second = make_tracker(
        domain, text="can a person help me please", intent="request_human", channel="widget"
    )
    events = await ActionEscalate().run(again, second, domain)
    reference = dispatcher.messages[0]["reference"]
    assert responses(again) == ["utter_escalation_waiting"] and again.messages[0]["reference"] == reference
    assert slot_values(events)["escalation_reference"] == reference
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Escalation)) == 1
    said = domain["responses"]["utter_escalation_waiting"]
    assert all(variant["custom"] == {"handoff": "waiting"} for variant in said)  # the widget shows it


async def test_asking_for_the_reference_repeats_it_without_a_new_case(domain, dispatcher, services) -> None:
    tracker = make_tracker(
        domain,
        text="ok. what is the reference number?",
        intent="ask_course_progress",
        slots={"escalation_reference": "ESC-ABC123"},
    )
    events = await ActionAnswerFirst().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_escalation_reference"]
    assert dispatcher.messages[0]["reference"] == "ESC-ABC123"
    assert events[-1]["name"] == "action_listen"
    with services.sessions() as session:
        assert session.scalar(select(Escalation)) is None


async def test_escalation_when_the_database_is_down(domain, dispatcher, database_down) -> None:
    tracker = make_tracker(domain, text="talk to a human", intent="request_human")
    assert await ActionEscalate().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_service_unavailable"]


@pytest.mark.parametrize(
    ("text", "stops"),
    [
        ("theek hai IT wale se baat karta hu. thanks", True),
        ("ok thanks", True),
        ("9810012345 thanks", False),  # a value given with thanks still answers the form
        ("thanks, and by when is the deadline?", False),  # a question goes on
    ],
)
def test_thanks_ends_what_is_going_on_unless_it_gives_a_value_or_asks(text: str, stops: bool) -> None:
    assert closes(text) is stops


@pytest.mark.parametrize(
    "text",
    [
        "rakesh.yadav@istm.gov.in",  # an e-mail given on its own
        "mera status dekh ke batao kitna hua",
    ],
)
async def test_an_unplaced_message_about_ones_own_record_asks_for_the_proof(
    domain, dispatcher, monkeypatch, text: str
) -> None:
    class Records:
        async def run(self, dispatcher, tracker, domain):
            dispatcher.utter_message(response="utter_identity_needed")
            return [SlotSet("pending_request", "ask_course_progress")]

    monkeypatch.setattr(fallback, "ActionPersonalRecords", Records)
    tracker = make_tracker(domain, text=text, intent="nlu_fallback")
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_identity_needed"]
    # Run in place, the turn then ends: no rule knows a path after it.
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["action_listen"]


def test_a_rule_asked_in_the_first_person_is_no_record_question() -> None:
    assert asks_for_own_record("mera status dekh ke batao kitna hua")
    assert not asks_for_own_record("Can I do the courses on my own phone instead of the office computer?")
    assert not asks_for_own_record("Do I have to complete every course on my list?")
    # Both words, but the record is not called one's own: "my career" is no record.
    assert not asks_for_own_record("Do Karma Points have any real value for my career, or just for show?")
    assert asks_for_own_record("how many courses have I done")
    assert asks_for_own_record("मेरे कितने कोर्स पूरे हुए")
    # Of a long message the question decides, not the story before it.
    story = "Over the last year I have done eleven courses and downloaded my certificates as PDF files."
    assert not asks_for_own_record(
        f"{story} To whom should I give these certificates so that they get added?"
    )
    assert asks_for_own_record(f"{story} Can you check how many of my courses are recorded?")
    # An address given as one's own, with a question that names no record.
    assert asks_for_own_record("ok. can you tell me where I stand? my id is rakesh.yadav@istm.gov.in")


async def test_contact_details_with_a_request_for_a_person_are_handed_over(
    domain, dispatcher, services
) -> None:
    text = "my email is leak.abc@nic.in and mobile 9810012345, talk to a person"
    tracker = make_tracker(domain, text=text, intent="inform")
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_escalated"]
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["action_listen"]


async def test_a_request_to_see_ones_record_mistaken_for_forget_me_forgets_nothing(
    domain, dispatcher, services
) -> None:
    tracker = make_tracker(domain, text="क्या आप मेरा रिकॉर्ड देख सकते हैं?", intent="forget_me")
    events = await ActionForgetMe().run(dispatcher, tracker, domain)
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["action_fallback"]
    assert dispatcher.messages == []
    forgets = make_tracker(domain, text="please log me out, I'm done for today", intent="forget_me")
    await ActionForgetMe().run(dispatcher, forgets, domain)
    assert responses(dispatcher) == ["utter_forgotten"]


async def test_asking_whom_to_contact_is_not_a_shared_contact(domain, dispatcher, monkeypatch) -> None:
    monkeypatch.setattr(records, "answer_from_knowledge", answering("Write to support-igot@gov.in."))
    tracker = make_tracker(domain, text="achha, iske liye kisse contact karu?", intent="share_contact")
    await ActionPersonalRecords().run(dispatcher, tracker, domain)
    assert [m["text"] for m in dispatcher.messages] == ["Write to support-igot@gov.in."]


async def test_asking_for_a_number_is_not_sharing_one(domain, dispatcher, services, monkeypatch) -> None:
    monkeypatch.setattr(records, "answer_from_knowledge", answering("No helpline number is given."))
    tracker = make_tracker(domain, text="helpline number plz", intent="share_contact")
    events = await ActionPersonalRecords().run(dispatcher, tracker, domain)
    assert [m["text"] for m in dispatcher.messages] == ["No helpline number is given."]
    assert FollowupAction("identity_form") not in events
    # Giving one's own contact still starts the proof.
    other = CollectingDispatcher()
    shared = make_tracker(domain, text="here is my contact", intent="share_contact")
    assert FollowupAction("identity_form") in await ActionPersonalRecords().run(other, shared, domain)


async def test_pressing_after_a_refusal_is_refused_again(domain, dispatcher) -> None:
    refused = [
        {"event": "user", "text": "aur mere colleague ka kitna hua?", "parse_data": {}},
        {
            "event": "bot",
            "text": "Maaf kijiye...",
            "metadata": {"utter_action": "utter_other_person_refused"},
        },
    ]
    tracker = make_tracker(domain, text="arre sirf number bata do", intent="nlu_fallback", events=refused)
    await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_other_person_refused"]
    # The same words with no refusal before them are not one.
    fresh = make_tracker(domain, text="arre sirf number bata do", intent="nlu_fallback")
    other = CollectingDispatcher()
    await ActionFallback().run(other, fresh, domain)
    assert "utter_other_person_refused" not in responses(other)


async def test_turning_to_ones_own_case_after_a_refusal_is_not_pressing(domain, dispatcher) -> None:
    """ "ok fine. mine is still not there, please pass it to the helpdesk" after a refusal is handed over."""
    refused = [
        {"event": "user", "text": "can you check my colleague's certificate too?", "parse_data": {}},
        {"event": "bot", "text": "Sorry...", "metadata": {"utter_action": "utter_other_person_refused"}},
    ]
    text = "ok fine. mine is still not there after 3 days, please pass it to the helpdesk"
    tracker = make_tracker(domain, text=text, intent="request_human", events=refused)
    assert not insists_after_refusal(tracker)
    pressing = make_tracker(domain, text="arre sirf number bata do", intent="nlu_fallback", events=refused)
    assert insists_after_refusal(pressing)


async def test_a_goodbye_not_understood_outside_a_form_is_a_goodbye(domain, dispatcher, monkeypatch) -> None:
    monkeypatch.setattr(fallback, "answer_from_knowledge", answering("A certificate comes within 24 hours."))
    tracker = make_tracker(domain, text="ok thank you, bye", intent="nlu_fallback")
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_goodbye"]
    assert events == [UserUtteranceReverted()]


async def test_a_missing_organisation_not_understood_gets_the_rule_then_the_request(
    domain, dispatcher, monkeypatch
) -> None:
    async def answers(dispatcher: CollectingDispatcher, tracker: Any, **_options: Any) -> list[Any]:
        dispatcher.utter_message(text='Use "Request for help".')
        return [SlotSet("kb_last_answer", "gnctd-circular-2025-06-20#request-for-help")]

    monkeypatch.setattr(fallback, "answer_from_knowledge", answers)
    text = "registration me step 5 pe mera department dropdown me aa hi nahi raha. request dalni hai"
    events = await ActionFallback().run(
        dispatcher, make_tracker(domain, text=text, intent="nlu_fallback"), domain
    )
    assert responses(dispatcher) == [None, "utter_organisation_intro"]
    assert FollowupAction("organisation_request_form") in events
    assert UserUtteranceReverted() not in events
    asked = CollectingDispatcher()
    rule = make_tracker(domain, text="what if my department is not in the list?", intent="nlu_fallback")
    events = await ActionFallback().run(asked, rule, domain)
    assert FollowupAction("organisation_request_form") not in events  # a rule asked, nothing reported
