import pytest

from bot.actions.otp import CHECKS, ActionAskOtpResolved, ActionOtpOutcome, ValidateOtpForm
from tests.actions.conftest import make_tracker, responses, slot_values

FORM = "otp_form"


async def validate(domain, dispatcher, **tracker_args):
    tracker = make_tracker(domain, active_loop=FORM, **tracker_args)
    return slot_values(await ValidateOtpForm().run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("SMS", "mobile"),
        ("mobile wala", "mobile"),
        ("मोबाइल", "mobile"),
        ("on my e-mail", "email"),
        ("ईमेल", "email"),
    ],
)
async def test_which_otp_is_understood(domain, dispatcher, text, channel) -> None:
    values = await validate(
        domain, dispatcher, text=text, intent="inform", slots={"requested_slot": "otp_channel"}
    )
    assert values["otp_channel"] == channel and values["otp_step"] == 0


async def test_the_checks_said_done_in_the_first_message_stay_skipped(domain, dispatcher) -> None:
    """ "Email OTP not coming, already checked spam": the checklist began at the second e-mail check; the
    form reading "email" again from the same message does not start it over."""
    text = "Email OTP is not coming. The mobile OTP came fine. I have already checked spam and waited."
    values = await validate(
        domain,
        dispatcher,
        text=text,
        intent="otp_not_received",
        entities=[{"entity": "otp_channel", "value": "email"}],
        slots={"otp_channel": "email", "otp_step": 1},
    )
    assert values.get("otp_step", 1) == 1
    switched = await validate(
        domain,
        dispatcher,
        text="actually the mobile one",
        intent="inform",
        entities=[{"entity": "otp_channel", "value": "mobile"}],
        slots={"otp_channel": "email", "otp_step": 1, "requested_slot": "otp_channel"},
    )
    assert switched["otp_channel"] == "mobile" and switched["otp_step"] == 0


async def test_unclear_channel_is_asked_again(domain, dispatcher) -> None:
    values = await validate(
        domain, dispatcher, text="both? not sure", intent="inform", slots={"requested_slot": "otp_channel"}
    )
    assert values["otp_channel"] is None
    assert responses(dispatcher) == ["utter_invalid_otp_channel"]


async def test_button_entity_chooses_the_channel(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text='/inform{"otp_channel": "email"}',
        intent="inform",
        entities=[{"entity": "otp_channel", "value": "email"}],
        slots={"requested_slot": "otp_channel"},
    )
    assert values["otp_channel"] == "email"


@pytest.mark.parametrize("channel", ["mobile", "email"])
async def test_checks_go_in_order_then_run_out(domain, channel) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    shown = []
    step = 0
    for _ in range(10):
        dispatcher = CollectingDispatcher()
        slots = {"otp_channel": channel, "otp_step": step, "requested_slot": "otp_resolved"}
        await ActionAskOtpResolved().run(dispatcher, make_tracker(domain, slots=slots), domain)
        shown.append(responses(dispatcher)[0])
        values = await validate(domain, CollectingDispatcher(), text="/deny", intent="deny", slots=slots)
        if values.get("otp_resolved") == "no":
            break
        step = values["otp_step"]
    assert shown == [f"utter_otp_check_{check}" for check in CHECKS[channel]]


async def test_affirm_ends_the_checks(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="haan aa gaya",
        intent="affirm",
        slots={"otp_channel": "mobile", "otp_step": 1, "requested_slot": "otp_resolved"},
    )
    assert values["otp_resolved"] == "yes"


async def test_outcome_offers_the_helpdesk_with_what_was_tried(domain, dispatcher) -> None:
    tracker = make_tracker(domain, slots={"otp_channel": "email", "otp_step": 3, "otp_resolved": "no"})
    values = slot_values(await ActionOtpOutcome().run(dispatcher, tracker, domain))
    assert responses(dispatcher) == ["utter_otp_offer_escalation"]
    assert values["escalation_reason"] == "otp_not_received"
    assert values["escalation_context"] == {
        "topic": "otp",
        "otp_channel": "email",
        "checks_tried": list(CHECKS["email"]),
    }
    assert values["otp_channel"] is None and values["otp_resolved"] is None


async def test_asking_for_a_person_with_the_last_no_hands_over_at_once(domain, dispatcher, services) -> None:
    tracker = make_tracker(
        domain,
        text="बहुत परेशान हो गया हूँ, सुबह से लगा हूँ। किसी इंसान से बात करवाइए।",
        slots={"otp_channel": "mobile", "otp_step": 1, "otp_resolved": "no"},
    )
    events = await ActionOtpOutcome().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_escalated"]
    assert slot_values(events)["escalation_reference"].startswith("ESC-")


async def test_outcome_when_fixed(domain, dispatcher) -> None:
    tracker = make_tracker(domain, slots={"otp_channel": "mobile", "otp_step": 0, "otp_resolved": "yes"})
    values = slot_values(await ActionOtpOutcome().run(dispatcher, tracker, domain))
    assert responses(dispatcher) == ["utter_otp_fixed"] and "escalation_reason" not in values


async def test_a_check_the_user_says_was_done_is_not_shown_again(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="नंबर सही है और आधार से भी जुड़ा है, फिर भी नहीं आ रहा",
        intent="otp_not_received",
        slots={"otp_channel": "mobile", "otp_step": 0, "requested_slot": "otp_resolved"},
    )
    # Whatever NLU made of it, "still not coming" is a no; the DND check comes next.
    assert values == {"otp_resolved": None, "otp_step": 1}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I am fed up, nothing works", "deny"),
        ("यह सब हो चुका है भाई, कुछ नहीं हो रहा। किसी इंसान से बात करवाइए।", "bot_challenge"),
        ("no, connect me to someone please", "deny"),
    ],
)
async def test_a_fed_up_user_or_one_asking_for_a_person_ends_the_checks(
    domain, dispatcher, text: str, intent: str
) -> None:
    values = await validate(
        domain,
        dispatcher,
        text=text,
        intent=intent,
        slots={"otp_channel": "email", "otp_step": 0, "requested_slot": "otp_resolved"},
    )
    assert values["otp_resolved"] == "no"


@pytest.mark.parametrize(
    "text",
    [
        "स्पैम में भी नहीं है। चलिए कोई बात नहीं, मैं अपने IT सेल वाले से पूछ लूँगा, आपका बहुत धन्यवाद",
        "ok thanks, that's all",
    ],
)
async def test_a_stop_inside_the_checks_is_no_answer_whatever_nlu_read(domain, dispatcher, text: str) -> None:
    """Read as "deny", it would go to the next check; it fills nothing, so the stop gets through."""
    values = await validate(
        domain,
        dispatcher,
        text=text,
        intent="deny",
        slots={"otp_channel": "email", "otp_step": 0, "requested_slot": "otp_resolved"},
    )
    assert "otp_resolved" not in values


async def test_thanks_after_saying_it_still_fails_is_still_a_no(domain, dispatcher) -> None:
    values = await validate(
        domain,
        dispatcher,
        text="still not coming, thanks",
        intent="deny",
        slots={"otp_channel": "email", "otp_step": 0, "requested_slot": "otp_resolved"},
    )
    assert values == {"otp_resolved": None, "otp_step": 1}
