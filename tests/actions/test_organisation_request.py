import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import organisation_request
from bot.actions.digression import ActionAnswerDigression
from bot.actions.organisation_request import (
    ActionAskRequestConfirmed,
    ActionRequestStatus,
    ActionSubmitOrganisationRequest,
    ValidateOrganisationRequestForm,
)
from bot.helpdesk.organisation_requests import find_request
from tests.actions.conftest import answering, card, make_tracker, responses, slot_values

FORM = "organisation_request_form"
FILLED = {
    "requester_name": "Anita Verma",
    "requester_email": "anita.verma@mha.gov.in",
    "requester_mobile": "9876543210",
    "government_level": "centre",
    "ministry_or_state": "Ministry of Home Affairs",
    "department": "Department of Official Language",
    "organisation_name": "Regional Implementation Office, Bhopal",
}


async def validate(domain, dispatcher, **tracker_args):
    tracker = make_tracker(domain, active_loop=FORM, **tracker_args)
    return slot_values(await ValidateOrganisationRequestForm().run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    ("slot", "text", "stored"),
    [
        ("requester_name", "  Anita   Verma ", "Anita Verma"),
        ("requester_email", "it is Anita.Verma@MHA.gov.in", "anita.verma@mha.gov.in"),
        ("requester_mobile", "+91 ९८७६५ ४३२१०", "9876543210"),
        ("government_level", "kendra sarkar", "centre"),
        ("department", "Department of Official Language", "Department of Official Language"),
    ],
)
async def test_answers_are_cleaned_and_stored(domain, dispatcher, slot, text, stored) -> None:
    values = await validate(domain, dispatcher, text=text, intent="inform", slots={"requested_slot": slot})
    assert values[slot] == stored
    assert responses(dispatcher) == []


@pytest.mark.parametrize("text", ["haan bhej do", "yes please", "हाँ, भेज दीजिए"])
async def test_a_yes_at_the_name_question_is_no_name(domain, dispatcher, text: str) -> None:
    values = await validate(
        domain, dispatcher, text=text, intent="affirm", slots={"requested_slot": "requester_name"}
    )
    assert values == {"requester_name": None}
    assert responses(dispatcher) == ["utter_form_goes_on"]


async def test_personal_email_is_refused_with_the_reason(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="anita@gmail.com",
        intent="inform",
        slots={"requested_slot": "requester_email"},
    )
    assert values["requester_email"] is None
    assert responses(dispatcher) == ["utter_invalid_email_personal"]


@pytest.mark.parametrize(
    "text", ["'; DROP TABLE organisation_requests; --", "<script>x</script>", "😀😀😀", "x" * 10_000]
)
async def test_injection_and_junk_never_fill_a_slot(domain, dispatcher, text) -> None:
    for slot in ("requester_name", "requester_email", "requester_mobile", "department", "organisation_name"):
        values = await validate(
            domain, dispatcher, text=text, intent="inform", slots={"requested_slot": slot}
        )
        assert values[slot] is None


async def test_state_level_asks_for_a_real_state(domain, dispatcher) -> None:
    slots = {"requested_slot": "ministry_or_state", "government_level": "state"}
    assert (await validate(domain, dispatcher, text="utar pradesh", intent="inform", slots=slots))[
        "ministry_or_state"
    ] == "Uttar Pradesh"
    assert (await validate(domain, dispatcher, text="Narnia", intent="inform", slots=slots))[
        "ministry_or_state"
    ] is None
    assert responses(dispatcher) == ["utter_invalid_state"]


async def test_entities_prefill_slots_when_the_form_starts(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="Regional Office Bhopal is not in the list",
        intent="organisation_not_found",
        entities=[{"entity": "organisation", "value": "Regional Office Bhopal"}],
    )
    assert values["organisation_name"] == "Regional Office Bhopal"


async def test_an_answer_is_not_also_taken_as_another_field(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="Railway Board",
        intent="inform",
        slots={"requested_slot": "department"},
        entities=[{"entity": "organisation", "value": "railway board"}],
    )
    assert values == {"department": "Railway Board"}


async def test_other_entities_in_an_answer_still_fill_their_fields(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="anita.verma@mha.gov.in, mobile 9876543210",
        intent="inform",
        slots={"requested_slot": "requester_email"},
        entities=[
            {"entity": "email", "value": "anita.verma@mha.gov.in"},
            {"entity": "mobile", "value": "9876543210"},
        ],
    )
    assert values["requester_email"] == "anita.verma@mha.gov.in"
    assert values["requester_mobile"] == "9876543210"


async def test_side_question_fills_nothing_so_the_rules_answer_it(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="what is the deadline for mandatory courses?",
        intent="faq",
        confidence=0.95,
        slots={"requested_slot": "department"},
    )
    assert "department" not in values


async def test_low_confidence_intent_is_taken_as_the_answer(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="Certificate Issuing Cell",
        intent="ask_certificate",
        confidence=0.5,
        slots={"requested_slot": "organisation_name"},
    )
    assert values["organisation_name"] == "Certificate Issuing Cell"


async def test_confirmation_yes(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="/affirm",
        intent="affirm",
        slots={**FILLED, "requested_slot": "request_confirmed"},
    )
    assert values["request_confirmed"] == "yes"


async def test_a_question_at_the_read_back_fills_nothing_so_the_rules_answer_it(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="what is the deadline for mandatory courses?",
        intent="faq",
        confidence=0.55,
        slots={**FILLED, "requested_slot": "request_confirmed"},
    )
    assert "request_confirmed" not in values


async def test_confirmation_no_asks_which_field(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="/deny",
        intent="deny",
        slots={**FILLED, "requested_slot": "request_confirmed"},
    )
    assert values["request_confirmed"] == "change"
    assert values["requested_slot"] == "field_to_correct"


async def test_correcting_one_field_clears_only_that_field(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text='/correct_field{"field": "email"}',
        intent="correct_field",
        entities=[{"entity": "field", "value": "email"}],
        slots={**FILLED, "requested_slot": "request_confirmed"},
    )
    # Rasa's form then asks for the first empty slot: the one just cleared.
    assert values["requester_email"] is None and values["request_confirmed"] is None
    assert "requester_name" not in values


async def test_a_correction_that_gives_the_new_value_takes_it_and_the_answer_beside_it(
    domain, dispatcher
) -> None:
    """ "Delhi. And sorry, the mobile I gave is wrong, correct one is 9810012354" at "Centre or State?":
    the new number replaces the old, Delhi answers the question, and nothing is asked twice."""
    partly = {"requester_name": "Meena Kumari Sharma", "requester_email": "meena.sharma@delhi.gov.in"}
    values = await validate(
        domain,
        dispatcher,
        text="Delhi. And sorry, the mobile number I gave is wrong, correct one is 9810012354",
        intent="correct_field",
        entities=[{"entity": "field", "value": "mobile"}],
        slots={**partly, "requester_mobile": "9810012345", "requested_slot": "government_level"},
    )
    assert values["requester_mobile"] == "9810012354"
    assert values["government_level"] == "state" and values["ministry_or_state"] == "Delhi"
    email = await validate(
        domain,
        CollectingDispatcher(),
        text="माफ़ कीजिए, ईमेल गलत लिख दी। सही है rc.sharma@nic.in",
        intent="correct_field",
        entities=[],
        slots={**partly, "requested_slot": "requester_mobile"},
    )
    assert email["requester_email"] == "rc.sharma@nic.in" and "requester_mobile" not in email
    # Read as an answer, not a correction, by NLU; the state asked for comes before it.
    state = await validate(
        domain,
        CollectingDispatcher(),
        text="बिहार। और माफ़ कीजिए, मोबाइल नंबर गलत लिख दिया था, सही नंबर 9431076534 है।",
        intent="inform",
        entities=[],
        slots={**partly, "requester_mobile": "9431076543", "government_level": "state"}
        | {"requested_slot": "ministry_or_state"},
    )
    assert state["requester_mobile"] == "9431076534" and state["ministry_or_state"] == "Bihar"


async def test_a_field_tagged_with_an_unknown_value_is_read_from_the_words(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="please change my email",
        intent="correct_field",
        entities=[{"entity": "field", "value": "5"}],
        slots={**FILLED, "requested_slot": "request_confirmed"},
    )
    assert values["requester_email"] is None and "requester_name" not in values


async def test_typed_field_name_is_understood(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="mobile number",
        intent="inform",
        slots={**FILLED, "request_confirmed": "change", "requested_slot": "field_to_correct"},
    )
    assert values["requester_mobile"] is None and values["request_confirmed"] is None
    assert "requester_email" not in values


async def test_unclear_confirmation_is_asked_again(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="hmm maybe",
        intent="inform",
        slots={**FILLED, "requested_slot": "request_confirmed"},
    )
    assert values["request_confirmed"] is None
    assert responses(dispatcher) == ["utter_choose_confirmation"]


async def test_submit_files_once_and_resets_the_form(domain, dispatcher, services) -> None:
    tracker = make_tracker(domain, slots={**FILLED, "request_confirmed": "yes"})
    events = await ActionSubmitOrganisationRequest().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["card_request"]
    filed_card = card(dispatcher.messages[0])
    reference = filed_card["facts"][0]["value"]
    assert filed_card["facts"][0] == {"label": "Reference", "value": reference, "unbroken": True}
    assert f'"status of my request {reference}"' in filed_card["note"]  # what happens next
    filed = find_request(services.sessions, reference=reference)
    assert filed is not None and filed.email == FILLED["requester_email"]
    assert all(value is None for value in slot_values(events).values())

    again = type(dispatcher)()
    await ActionSubmitOrganisationRequest().run(again, tracker, domain)
    assert responses(again) == ["utter_request_exists"] and again.messages[0]["reference"] == reference


async def test_submit_when_the_database_is_down_keeps_the_answers(domain, dispatcher, database_down) -> None:
    tracker = make_tracker(domain, slots={**FILLED, "request_confirmed": "yes"})
    events = await ActionSubmitOrganisationRequest().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_service_unavailable"]
    assert slot_values(events) == {"request_confirmed": None}


async def test_status_of_a_request(domain, dispatcher, services) -> None:
    tracker = make_tracker(domain, slots={**FILLED, "request_confirmed": "yes"})
    await ActionSubmitOrganisationRequest().run(dispatcher, tracker, domain)
    reference = card(dispatcher.messages[0])["facts"][0]["value"]

    status = type(dispatcher)()
    await ActionRequestStatus().run(
        status,
        make_tracker(domain, text=f"status of {reference.lower()}", intent="check_request_status"),
        domain,
    )
    assert responses(status) == ["card_request"]
    facts = {f["label"]: f["value"] for f in card(status.messages[0])["facts"]}
    assert facts["Reference"] == reference and facts["Status"] == "received; the portal team decides on it"
    assert facts["Organisation"] == FILLED["organisation_name"]


async def test_status_of_an_unknown_or_missing_reference(domain, dispatcher, services) -> None:
    await ActionRequestStatus().run(
        dispatcher, make_tracker(domain, text="status of ORG-ZZZZZZ", intent="check_request_status"), domain
    )
    await ActionRequestStatus().run(
        dispatcher,
        make_tracker(domain, text="what happened to my request?", intent="check_request_status"),
        domain,
    )
    assert responses(dispatcher) == ["utter_request_not_found", "utter_ask_reference"]


async def test_a_rule_question_mistaken_for_a_status_check_is_answered(
    domain, dispatcher, services, monkeypatch
) -> None:
    monkeypatch.setattr(organisation_request, "answer_from_knowledge", answering("The assessment too."))
    text = "५०% कोर्स के अलावा और क्या पूरा करना ज़रूरी है? कोई टेस्ट भी देना पड़ेगा क्या"
    events = await ActionRequestStatus().run(
        dispatcher, make_tracker(domain, text=text, intent="check_request_status"), domain
    )
    assert [m["text"] for m in dispatcher.messages] == ["The assessment too."] and events == []
    # Asking after a request still asks for its reference.
    asked = CollectingDispatcher()
    await ActionRequestStatus().run(
        asked, make_tracker(domain, text="mera request ka kya hua?", intent="check_request_status"), domain
    )
    assert responses(asked) == ["utter_ask_reference"]


async def test_an_unmistakable_value_is_an_answer_whatever_the_intent(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="9876543210",
        intent="check_request_status",
        confidence=0.95,
        slots={"requested_slot": "requester_mobile"},
    )
    assert values["requester_mobile"] == "9876543210"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("bye", "goodbye"),
        ("ok thanks, that's all", "inform"),  # whatever NLU made of it
        ("stop this form, I will ask Ramesh Kumar instead", "ask_about_colleague"),
        ("रहने दो, बाद में करूँगा", "inform"),
        ("chhodo ise", "inform"),
    ],
)
async def test_a_goodbye_or_a_stop_is_never_taken_as_an_answer(domain, dispatcher, text, intent) -> None:
    values = await validate(
        domain,
        dispatcher,
        text=text,
        intent=intent,
        confidence=0.4,
        slots={"requested_slot": "requester_name"},
    )
    assert "requester_name" not in values


async def test_a_stop_read_as_a_side_question_ends_the_form(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain,
        text="stop this form, I will ask my colleague Ramesh",
        intent="ask_about_colleague",
        active_loop=FORM,
        slots={**FILLED, "requested_slot": "organisation_name"},
    )
    events = await ActionAnswerDigression().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_form_cancelled"]
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert slot_values(events)["requester_name"] is None
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"


async def test_a_name_given_with_the_email_fills_both(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="Anil Kumar Meena, anil.meena@mea.gov.in",
        intent="inform",
        slots={"requested_slot": "requester_name"},
    )
    assert values == {"requester_name": "Anil Kumar Meena", "requester_email": "anil.meena@mea.gov.in"}


async def test_a_single_given_name_is_not_a_full_name(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="Geeta",
        intent="inform",
        slots={"requester_name": None, "requested_slot": "requester_name"},
    )
    assert values == {"requester_name": None}
    assert responses(dispatcher) == ["utter_invalid_full_name"]


@pytest.mark.parametrize(
    ("text", "filled"),
    [
        ("राजस्थान", {"government_level": "state", "ministry_or_state": "Rajasthan"}),
        (
            "Centre. Ministry of External Affairs",
            {"government_level": "centre", "ministry_or_state": "Ministry of External Affairs"},
        ),
    ],
)
async def test_centre_or_state_answered_with_a_place_fills_both(domain, dispatcher, text, filled) -> None:
    slots = {**FILLED, "government_level": None, "ministry_or_state": None, "department": None}
    values = await validate(
        domain, dispatcher, text=text, intent="inform", slots={**slots, "requested_slot": "government_level"}
    )
    assert values == filled


async def test_a_part_of_the_answer_tagged_as_another_field_fills_nothing_else(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="Consular, Passport and Visa Division",
        intent="inform",
        entities=[{"entity": "organisation", "value": "Consular"}],
        slots={**FILLED, "department": None, "organisation_name": None, "requested_slot": "department"},
    )
    assert values == {"department": "Consular, Passport and Visa Division"}


async def test_a_question_at_a_field_is_answered_and_the_field_asked_again(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="by when must half of the prescribed courses be finished?",
        intent="inform",
        confidence=0.3,
        slots={**FILLED, "organisation_name": None, "requested_slot": "organisation_name"},
    )
    assert values["organisation_name"] is None
    assert "31 March 2026" in dispatcher.messages[0]["text"]


async def test_the_message_that_starts_the_request_gives_name_and_email(domain, dispatcher) -> None:
    text = (
        "mera organisation dropdown me nahi aa raha. naam Vikram Singh Rathore, "
        "email vikram.rathore@rajasthan.gov.in"
    )
    values = await validate(domain, dispatcher, text=text, intent="organisation_not_found")
    assert values["requester_name"] == "Vikram Singh Rathore"
    assert values["requester_email"] == "vikram.rathore@rajasthan.gov.in"


async def test_a_mobile_given_with_the_state_fills_both(domain, dispatcher) -> None:
    slots = {**FILLED, "requester_mobile": None, "government_level": None, "ministry_or_state": None}
    values = await validate(
        domain,
        dispatcher,
        text="9414098765. state govt hai, Rajasthan",
        intent="inform",
        slots={**slots, "department": None, "organisation_name": None, "requested_slot": "requester_mobile"},
    )
    assert values == {
        "requester_mobile": "9414098765",
        "government_level": "state",
        "ministry_or_state": "Rajasthan",
    }


async def test_department_and_organisation_labelled_in_one_answer(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="Department is Railway Board, organisation is Southern Railway, Divisional Office, Chennai",
        intent="inform",
        slots={**FILLED, "department": None, "organisation_name": None, "requested_slot": "department"},
    )
    assert values == {
        "department": "Railway Board",
        "organisation_name": "Southern Railway, Divisional Office, Chennai",
    }


@pytest.mark.parametrize(
    ("text", "department", "organisation"),
    [
        ("dept Revenue, org: Office of the Collector, Jaipur", "Revenue", "Office of the Collector, Jaipur"),
        (
            "Services Department, संगठन: Directorate of Training, UTCS, Shahdara, Delhi",
            "Services Department",
            "Directorate of Training, UTCS, Shahdara, Delhi",
        ),
    ],
)
@pytest.mark.parametrize("intent", ["inform", "organisation_not_found"])  # the form's own subject stays in it
async def test_department_and_organisation_given_in_one_answer(
    domain, dispatcher, text: str, department: str, organisation: str, intent: str
) -> None:
    values = await validate(
        domain,
        dispatcher,
        text=text,
        intent=intent,
        confidence=0.85,
        slots={**FILLED, "department": None, "organisation_name": None, "requested_slot": "department"},
    )
    assert values["department"] == department and values["organisation_name"] == organisation


@pytest.mark.parametrize(("language", "label"), [("en", "State / UT"), ("hi", "राज्य / केंद्र शासित प्रदेश")])
async def test_the_read_back_names_the_level_in_the_users_language(
    domain, dispatcher, language, label
) -> None:
    tracker = make_tracker(domain, slots={**FILLED, "government_level": "state", "language": language})
    await ActionAskRequestConfirmed().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_request_confirmed"
    assert dispatcher.messages[0]["government_level"] == label


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("ok can you raise that request for me", "utter_organisation_intro"),  # read as a status check
        ("what is the status of my request?", "utter_ask_reference"),
        ("what happened to the request I filed earlier?", "utter_ask_reference"),
    ],
)
async def test_asking_to_file_the_offered_request_starts_the_form(domain, dispatcher, text, said) -> None:
    offered: list[dict] = [
        {"event": "user", "text": "my office is not in the dropdown, which option should I use?"},
        {
            "event": "bot",
            "text": "Shall I file a request?",
            "data": {"buttons": [{"title": "Request it", "payload": "/organisation_not_found"}]},
        },
    ]
    tracker = make_tracker(domain, text=text, intent="check_request_status", events=offered)
    events = await ActionRequestStatus().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [said]
    started = [e.get("name") for e in events if e.get("event") == "followup"]
    assert started == (["organisation_request_form"] if said == "utter_organisation_intro" else [])


async def test_asking_to_file_a_request_while_the_form_asks_goes_on(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain,
        text="ok can you raise that request for me",
        intent="check_request_status",
        active_loop="organisation_request_form",
        slots={"requested_slot": "requester_name"},
    )
    assert await ActionRequestStatus().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_form_goes_on"]  # not a reference number asked for
    asked = CollectingDispatcher()
    earlier = make_tracker(
        domain,
        text="what happened to the request I filed earlier?",
        intent="check_request_status",
        active_loop="organisation_request_form",
    )
    await ActionRequestStatus().run(asked, earlier, domain)
    assert responses(asked) == ["utter_ask_reference"]


async def test_a_rule_asked_inside_the_form_read_as_a_status_check_is_answered(
    domain, dispatcher, monkeypatch
) -> None:
    monkeypatch.setattr(organisation_request, "answer_from_knowledge", answering('Use "Request for help".'))
    tracker = make_tracker(
        domain,
        text="ek sawal - ye request portal pe khud bhi bhej sakte hai kya, koi option hai?",
        intent="check_request_status",
        active_loop="organisation_request_form",
    )
    await ActionRequestStatus().run(dispatcher, tracker, domain)
    assert [m.get("text") for m in dispatcher.messages] == ['Use "Request for help".']


async def test_asking_to_see_ones_record_read_as_a_status_check_asks_for_the_proof(
    domain, dispatcher
) -> None:
    text = "क्विज़ तो दिया था। आप मेरा रिकॉर्ड देख सकते हैं क्या? मैं फ़ातिमा शेख, ISTM से।"
    tracker = make_tracker(domain, text=text, intent="check_request_status")
    events = await ActionRequestStatus().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("action_personal_records")] and dispatcher.messages == []
