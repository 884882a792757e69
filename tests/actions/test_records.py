"""Personal records through the actions: nothing shown before a proof, then the right answer, audited."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions import knowledge, records
from bot.actions.fallback import ActionFallback
from bot.actions.identity import ActionForgetMe, ValidateIdentityForm, drain_deliveries
from bot.actions.records import ActionPersonalRecords, ActionRefuseOtherPerson
from bot.identity import proofs
from bot.identity.tables import AuditRecord, IdentityLink
from bot.records.source import (
    AssessmentRecord,
    CourseRecord,
    EmployeeRef,
    KarmaRecord,
    LearnerSnapshot,
    PlanRecord,
)
from bot.records.tables import EnrolmentStatus
from bot.services import Services
from tests.actions.conftest import PROOF_KEY, answering, card, make_tracker, responses, signed_phone
from tests.fakes import FakeLearnerRecords, FakeMailer

SECRET = "test-portal-secret-at-least-32-bytes-long"
NOW = datetime.now(UTC)
ANITA = EmployeeRef(7, "Anita Verma", "anita.verma@mha.gov.in", "9876543210", "Section Officer", "B", "RIO")
RAVI = EmployeeRef(8, "Ravi Shankar", "ravi.shankar@up.gov.in", "9123456780", "Clerk", "C", "Tehsil")


def course(code: str, title: str, status: EnrolmentStatus, completion: float, **kw: Any) -> CourseRecord:
    return CourseRecord(code=code, title=title, status=status, completion=completion, mandated=True, **kw)


ANITA_RECORDS = LearnerSnapshot(
    employee=ANITA,
    plan=PlanRecord("2025-26", NOW.date() + timedelta(days=40), 0.5, True, ("C1", "C2", "C3", "C4")),
    courses=(
        course(
            "C1", "Right to Information Act Basics", EnrolmentStatus.completed, 100, certificate_id="CERT-9"
        ),
        course(
            "C2",
            "Cyber Security Awareness",
            EnrolmentStatus.completed,
            100,
            completed_at=NOW - timedelta(hours=30),
        ),
        course(
            "C3", "Noting and Drafting", EnrolmentStatus.in_progress, 90, pending_items=("quiz: Module 4",)
        ),
        course("C4", "Public Procurement", EnrolmentStatus.not_started, 0),
    ),
    karma=(KarmaRecord(10, "course", NOW - timedelta(days=2), "Right to Information Act Basics"),),
    karma_total=45,
    assessment=AssessmentRecord("2025-26", False, NOW - timedelta(days=5)),
)
RAVI_RECORDS = LearnerSnapshot(employee=RAVI, plan=None)


@pytest.fixture
def personal(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setattr(proofs, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    services.settings = services.settings.model_copy(
        update={"identity_jwt_key": SECRET, "proof_key": PROOF_KEY}
    )
    services.learner_records = FakeLearnerRecords([ANITA_RECORDS, RAVI_RECORDS])
    services.mail = FakeMailer()
    yield services


def token(employee_id: int, *, minutes: int = 5, key: str = SECRET) -> str:
    claims = {"employee_id": employee_id, "exp": datetime.now(UTC) + timedelta(minutes=minutes)}
    return jwt.encode(claims, key, algorithm="HS256")


def audits(services: Services) -> list[tuple[str, str]]:
    with services.sessions() as session:
        return [(a.action, a.outcome) for a in session.scalars(select(AuditRecord).order_by(AuditRecord.id))]


async def ask(domain, services, text, intent, *, metadata=None, entities=None, slots=None, channel="rest"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        domain, text=text, intent=intent, metadata=metadata, entities=entities, slots=slots, channel=channel
    )
    events = await ActionPersonalRecords().run(dispatcher, tracker, domain)
    return dispatcher, events


async def test_nothing_personal_before_a_proof(domain, personal) -> None:
    dispatcher, events = await ask(domain, personal, "how far am I with my courses", "ask_course_progress")
    assert responses(dispatcher) == ["utter_identity_needed"]
    assert SlotSet("pending_request", "ask_course_progress") in events
    assert FollowupAction("identity_form") in events
    assert personal.learner_records.lookups == []  # type: ignore[union-attr]


async def test_a_portal_token_proves_and_the_summary_follows(domain, personal) -> None:
    dispatcher, events = await ask(
        domain, personal, "my progress", "ask_course_progress", metadata={"portal_token": token(7)}
    )
    # The card ends the turn: reached as another action's follow-up, nothing may show it twice.
    assert events[-1] == FollowupAction("action_listen")
    # One card: counts, target, deadline, assessment, what is missing, and the courses either side.
    assert responses(dispatcher) == ["card_progress"]
    shown = card(dispatcher.messages[0])
    assert shown["meter"] == {
        "value": 2,
        "max": 4,
        "label": "2 of 4 prescribed courses completed (50%)",
    }
    facts = {f["label"]: f["value"] for f in shown["facts"]}
    assert facts["Target"] == "at least 50%, that is 2 courses"
    assert facts["Deadline"].endswith(", 40 days left")
    assert facts["Comprehensive Assessment"] == "taken, not passed yet"
    assert shown["note"].startswith("To meet the requirement, pass the Comprehensive Assessment")
    pending, done = shown["sections"]
    assert [i["text"] for i in pending["items"]] == ["Noting and Drafting", "Public Procurement"]
    assert pending["items"][0]["detail"] == "90%" and pending["items"][0]["url"].endswith(
        "/app/toc/C3/overview"
    )
    assert done["title"] == "Completed (2)" and "url" not in done["items"][0]
    text = dispatcher.messages[0]["text"]
    assert "▓" not in text and "• Public Procurement (0%)" in text  # the text rendering, for other channels
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ['/ask_certificate{"scope": "mine"}', '/ask_karma_points{"scope": "mine"}']
    trail = audits(personal)
    assert ("ask_course_progress", "shown") in trail and len(trail) >= 2  # the proof, then the lookup
    assert not any(re.search(r"@|\d{10}", action + outcome) for action, outcome in trail)
    # The link persists: the next question needs no token.
    dispatcher, _ = await ask(domain, personal, "my karma points", "ask_karma_points")
    assert responses(dispatcher) == ["utter_karma_points"]
    assert (
        dispatcher.messages[0]["total"] == 45 and "Right to Information" in dispatcher.messages[0]["recent"]
    )


@pytest.mark.parametrize(
    ("proof", "response"),
    [
        (token(7, minutes=-10), "utter_identity_token_expired"),
        (token(7, key="forged-secret-also-at-least-32-bytes-long"), "utter_identity_token_invalid"),
        ("not-a-jwt", "utter_identity_token_invalid"),
    ],
)
async def test_bad_tokens_show_nothing(domain, personal, proof: str, response: str) -> None:
    dispatcher, events = await ask(
        domain, personal, "my progress", "ask_course_progress", metadata={"portal_token": proof}
    )
    assert responses(dispatcher) == [response, "utter_identity_needed"]
    assert FollowupAction("identity_form") in events
    assert personal.learner_records.lookups == []  # type: ignore[union-attr]


async def test_a_new_portal_token_replaces_the_stored_link_and_a_bad_one_drops_it(domain, personal) -> None:
    """Two people using the same browser conversation: the token of whoever is signed in decides."""
    await ask(domain, personal, "my progress", "ask_course_progress", metadata={"portal_token": token(7)})
    dispatcher, _ = await ask(
        domain, personal, "my progress", "ask_course_progress", metadata={"portal_token": token(8)}
    )
    assert responses(dispatcher) == ["utter_progress_no_plan"]
    assert dispatcher.messages[0]["name"] == RAVI.name
    dispatcher, _ = await ask(
        domain, personal, "my progress", "ask_course_progress", metadata={"portal_token": "garbage"}
    )
    assert responses(dispatcher) == ["utter_identity_token_invalid", "utter_identity_needed"]
    dispatcher, _ = await ask(domain, personal, "my progress", "ask_course_progress")
    assert responses(dispatcher) == ["utter_identity_needed"]  # the old link is gone too


async def test_phone_proofs_count_only_on_the_channel_that_verified_them(domain, personal) -> None:
    # A REST caller cannot get a phone proof signed for its conversation, and one for a WhatsApp
    # conversation does not fit a REST one.
    rest = signed_phone("+91 98765 43210", "rest")
    dispatcher, _ = await ask(domain, personal, "my karma", "ask_karma_points", metadata=rest, channel="rest")
    assert responses(dispatcher) == ["utter_identity_needed"]
    proof = signed_phone("+91 98765 43210", "whatsapp")
    dispatcher, _ = await ask(
        domain, personal, "my karma", "ask_karma_points", metadata=proof, channel="rest"
    )
    assert responses(dispatcher) == ["utter_identity_needed"]
    dispatcher, _ = await ask(
        domain, personal, "my karma", "ask_karma_points", metadata=proof, channel="whatsapp"
    )
    assert responses(dispatcher) == ["utter_karma_points"]
    wrong = signed_phone("9000000001", "telegram")
    dispatcher, _ = await ask(
        domain, personal, "my karma", "ask_karma_points", metadata=wrong, channel="telegram"
    )
    assert responses(dispatcher) == ["utter_identity_phone_mismatch", "utter_identity_needed"]


async def test_a_shared_contact_answers_the_waiting_question_or_asks_again(domain, personal) -> None:
    waiting = {"pending_request": "ask_course_progress"}
    proof = signed_phone("+919876543210", "telegram")
    dispatcher, events = await ask(
        domain, personal, "/share_contact", "share_contact", metadata=proof, slots=waiting, channel="telegram"
    )
    assert responses(dispatcher)[0] == "card_progress"
    assert SlotSet("pending_request", None) in events
    # Without a proof (or from a channel that cannot verify numbers) the identity form runs instead.
    dispatcher, events = await ask(
        domain,
        personal,
        "/share_contact",
        "share_contact",
        metadata=signed_phone("+919876543210", "rest"),
        channel="rest",
        slots=waiting,
    )
    assert responses(dispatcher) == ["utter_identity_needed"]
    assert (
        FollowupAction("identity_form") in events
        and SlotSet("pending_request", "ask_course_progress") in events
    )


async def validate(domain, slot: str, text: str, *, intent: str = "inform", email: str | None = None):
    dispatcher = CollectingDispatcher()
    slots = {"requested_slot": slot, "identity_email": email, "pending_request": "ask_course_progress"}
    tracker = make_tracker(domain, text=text, intent=intent, slots=slots, active_loop="identity_form")
    events = await ValidateIdentityForm().run(dispatcher, tracker, domain)
    await drain_deliveries()  # the code mail goes out after the reply
    values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return responses(dispatcher), values


async def test_a_question_at_the_email_or_code_prompt_is_answered_and_asked_again(
    domain, personal, monkeypatch
) -> None:
    monkeypatch.setattr(knowledge, "answer_from_knowledge", answering("Points come per module."))
    # One message, the answer (plain text, no "that is not a valid e-mail"), and the field stays empty.
    said, values = await validate(domain, "identity_email", "karma pts kaise milte?")
    assert said == [None] and values == {"identity_email": None}
    said, values = await validate(domain, "identity_code", "code kab tak aayega?", email="a@mha.gov.in")
    assert said == [None] and values == {"identity_code": None}
    mailer: FakeMailer = personal.mail  # type: ignore[assignment]
    assert mailer.sent == []  # no code went anywhere
    # Not a question and not an address: told what was wrong, as before.
    said, _values = await validate(domain, "identity_email", "abc")
    assert said and said[0].startswith("utter_invalid_")
    said, _values = await validate(domain, "identity_email", "will ramesh@gmail.com do?")
    assert said and said[0].startswith("utter_invalid_")  # an address with a question is an address


async def test_the_email_code_proves_and_the_waiting_question_is_answered(domain, personal) -> None:
    said, values = await validate(domain, "identity_email", "Anita.Verma@mha.gov.in")
    assert said == ["utter_identity_code_sent"] and values["identity_email"] == "a***@mha.gov.in"
    mailer: FakeMailer = personal.mail  # type: ignore[assignment]
    assert mailer.sent[-1]["to"] == "anita.verma@mha.gov.in"
    code = mailer.last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    said, values = await validate(domain, "identity_code", wrong, email="anita.verma@mha.gov.in")
    assert said == ["utter_identity_wrong_code"] and values["identity_code"] is None
    said, values = await validate(domain, "identity_code", f"code is {code}", email="anita.verma@mha.gov.in")
    assert said == [] and values["identity_code"] == "ok"
    # The form is done: the question asked before it is answered now.
    dispatcher, events = await ask(
        domain,
        personal,
        code,
        "inform",
        slots={"pending_request": "ask_course_progress", "identity_code": "ok"},
    )
    assert responses(dispatcher) == ["card_progress"]
    pending = card(dispatcher.messages[0])["sections"][0]["items"]
    listed = [item["text"] for item in pending]
    assert listed == ["Noting and Drafting", "Public Procurement"]
    assert SlotSet("pending_request", None) in events


async def test_an_unknown_email_looks_the_same_and_sends_nothing(domain, personal) -> None:
    said, values = await validate(domain, "identity_email", "nobody.here@mha.gov.in")
    assert said == ["utter_identity_code_sent"] and values["identity_email"] == "n***@mha.gov.in"
    assert personal.mail.sent == []  # type: ignore[union-attr]


async def test_five_wrong_codes_lock_and_nothing_is_shown(domain, personal) -> None:
    await validate(domain, "identity_email", "anita.verma@mha.gov.in")
    code = personal.mail.last_code()  # type: ignore[union-attr]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        said, _values = await validate(domain, "identity_code", wrong, email="anita.verma@mha.gov.in")
        assert said == ["utter_identity_wrong_code"]
    said, values = await validate(domain, "identity_code", wrong, email="anita.verma@mha.gov.in")
    assert said == ["utter_identity_code_locked"] and values["identity_code"] == "failed"
    said, values = await validate(domain, "identity_code", code, email="anita.verma@mha.gov.in")
    assert values["identity_code"] != "ok"
    dispatcher, _ = await ask(domain, personal, code, "inform", slots={"identity_code": "failed"})
    assert responses(dispatcher) == []


@pytest.mark.parametrize("text", ["not an email", "anita@gmail.com", "😀", "a" * 500])
async def test_bad_email_answers_are_explained(domain, personal, text: str) -> None:
    said, values = await validate(domain, "identity_email", text)
    assert said and said[0].startswith("utter_invalid_") and values.get("identity_email") is None
    assert personal.mail.sent == []  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("course_name", "status", "note", "button"),
    [
        (
            "C1",
            "certificate issued (number CERT-9)",
            None,
            "https://igotkarmayogi.gov.in/certificates/CERT-9",
        ),
        (
            "cyber security awarness",
            "completed over 24 hours ago, no certificate yet",
            "I can pass this to the helpdesk.",
            "/request_human",
        ),
        ("noting drafting", "not complete yet, still open: quiz: Module 4", "within 24 hours", None),
        ("public procurement", "not started", "Once you start and complete it", None),
    ],
)
async def test_certificate_check_for_a_named_course(
    domain, personal, course_name, status, note, button
) -> None:
    metadata = {"portal_token": token(7)}
    entities = [{"entity": "course", "value": course_name}]
    dispatcher, _ = await ask(
        domain, personal, "why no certificate", "ask_certificate", metadata=metadata, entities=entities
    )
    assert responses(dispatcher) == ["card_certificate"]
    shown = card(dispatcher.messages[0])
    assert shown["facts"][0] == {"label": "Status", "value": status}
    assert note is None or note in shown["note"]
    sent = [b.get("url") or b.get("payload") for b in dispatcher.messages[0]["buttons"]]
    assert sent == ([button] if button else [])
    if course_name == "C1":
        assert {"label": "Certificate number", "value": "CERT-9", "unbroken": True} in shown["facts"]


async def test_certificate_check_without_a_course_shows_where_each_started_course_stands(
    domain, personal
) -> None:
    dispatcher, _ = await ask(
        domain, personal, "my certificate", "ask_certificate", metadata={"portal_token": token(7)}
    )
    assert responses(dispatcher) == ["card_certificate"]
    items = card(dispatcher.messages[0])["sections"][0]["items"]
    assert {
        "text": "Cyber Security Awareness",
        "detail": "completed over 24 hours ago, no certificate yet",
    } in items
    assert any(i["text"].startswith("Noting") and "quiz: Module 4" in i["detail"] for i in items)
    assert not any("Public Procurement" in i["text"] for i in items)  # not started: no certificate to check
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert '/ask_certificate{"course": "C2"}' in payloads and all("C4" not in p for p in payloads)
    assert payloads[-1] == "/request_human"  # one certificate is overdue: the helpdesk can chase it


async def test_just_after_the_proof_the_waiting_certificate_question_is_answered(domain, personal) -> None:
    """ "I finished Cyber Security Awareness this morning and can't see it. Can you check mine?", then the
    proof: that course's certificate, found inside the waiting sentence, with the account at a glance."""
    waiting = "I finished Cyber Security Awareness this morning and I can't see it. Can you check mine?"
    dispatcher, _ = await ask(
        domain,
        personal,
        "482913",
        "inform",
        metadata={"portal_token": token(7)},
        slots={"pending_request": "ask_certificate", "pending_course": waiting},
    )
    assert responses(dispatcher) == ["card_certificate"]
    shown = card(dispatcher.messages[0])
    assert shown["title"] == "Cyber Security Awareness"
    assert shown["meter"]["label"] == "2 of 4 prescribed courses completed (50%)"  # the account at a glance


def proven_right_after(domain, response: str, text: str, intent: str) -> Tracker:
    """A message from a user proven by the portal, right after the bot said `response`."""
    bot: dict[str, Any] = {"event": "bot", "text": "…", "metadata": {"utter_action": response}}
    if response.startswith("card_"):
        bot = {
            "event": "bot",
            "text": "…",
            "data": {"custom": {"card": {"kind": response[5:], "title": "…"}}},
        }
    said: list[dict[str, Any]] = [{"event": "user", "text": "…"}, bot]
    return make_tracker(domain, text=text, intent=intent, metadata={"portal_token": token(7)}, events=said)


@pytest.mark.parametrize("intent", ["ask_course_progress", "ask_karma_points"])
async def test_check_my_account_right_after_the_certificate_offer_checks_certificates(
    domain, personal, intent
) -> None:
    """ "I did all the quizes also. can you check my account pls", read as progress or as points, answers
    the offer to check certificates that came just before it."""
    dispatcher = CollectingDispatcher()
    text = "I did all the quizes also. can you check my account pls"
    tracker = proven_right_after(domain, "utter_offer_own_certificates", text, intent)
    await ActionPersonalRecords().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["card_certificate"]


async def test_what_the_card_counts_asked_after_it_and_not_understood_gets_the_card(domain, personal) -> None:
    """ "What was the minimum number I needed to do out of those?" that NLU could not place, right after
    the progress card: the card (with its target) again, not the fallback's topics."""
    dispatcher = CollectingDispatcher()
    text = "What was the minimum number I needed to do out of those?"
    tracker = proven_right_after(domain, "card_progress", text, "nlu_fallback")
    await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "card_progress"
    assert "that is 2 courses" in dispatcher.messages[0]["text"]


async def test_an_unproven_certificate_question_gets_the_rules_and_a_way_to_check(domain, personal) -> None:
    dispatcher, events = await ask(domain, personal, "certificate not generated", "ask_certificate")
    assert responses(dispatcher) == ["utter_certificate_help"]
    assert [e["name"] for e in events if e.get("event") == "followup"] == ["action_listen"]  # no proof asked
    assert personal.learner_records.lookups == []  # type: ignore[union-attr]
    # Its button, or a named course, asks for the proof and keeps the question waiting.
    for entities in ([{"entity": "scope", "value": "mine"}], [{"entity": "course", "value": "RTI"}]):
        dispatcher, events = await ask(
            domain, personal, "/ask_certificate", "ask_certificate", entities=entities
        )
        assert responses(dispatcher) == ["utter_identity_needed"]
        assert (
            FollowupAction("identity_form") in events
            and SlotSet("pending_request", "ask_certificate") in events
        )


async def test_someone_elses_records_are_refused_even_when_proven(domain, personal) -> None:
    dispatcher, _ = await ask(
        domain,
        personal,
        "show progress of ravi.shankar@up.gov.in",
        "ask_course_progress",
        metadata={"portal_token": token(7)},
    )
    assert responses(dispatcher) == ["utter_other_person_refused"]
    assert ("ask_course_progress", "refused") in audits(personal)
    dispatcher = CollectingDispatcher()
    await ActionRefuseOtherPerson().run(dispatcher, make_tracker(domain, text="my boss's karma"), domain)
    assert responses(dispatcher) == ["utter_other_person_refused"]


async def test_records_down_gets_a_clear_reply(domain, personal) -> None:
    personal.learner_records.down = True  # type: ignore[union-attr]
    dispatcher, _ = await ask(
        domain, personal, "my progress", "ask_course_progress", metadata={"portal_token": token(7)}
    )
    assert responses(dispatcher) == ["utter_records_unavailable"]


async def test_forget_me_unlinks(domain, personal) -> None:
    await ask(domain, personal, "my progress", "ask_course_progress", metadata={"portal_token": token(7)})
    dispatcher = CollectingDispatcher()
    await ActionForgetMe().run(dispatcher, make_tracker(domain, text="forget me", intent="forget_me"), domain)
    assert responses(dispatcher) == ["utter_forgotten"]
    with personal.sessions() as session:
        assert session.scalars(select(IdentityLink)).all() == []
    dispatcher, _ = await ask(domain, personal, "my progress", "ask_course_progress")
    assert responses(dispatcher) == ["utter_identity_needed"]


@pytest.mark.parametrize(
    "text",
    [
        "I am Priya Sharma, priya.sharma@nic.in. What is my course progress?",
        "मेरा नाम राकेश है, मेरे कोर्स कितने बाकी हैं?",
        "mera naam Fatima hai, meri karma points batao",
    ],
)
async def test_introducing_yourself_is_not_asking_about_someone_else(domain, dispatcher, text) -> None:
    tracker = make_tracker(domain, text=text, intent="ask_about_colleague")
    events = await ActionRefuseOtherPerson().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert events == [FollowupAction("action_personal_records")]


async def test_own_record_asked_for_a_boss_goes_to_the_proof_not_a_refusal(domain, personal) -> None:
    """ "main Rakesh hoon, mera kitna course hua? boss puch rahe the", read as a colleague question: the
    refusal hands it on, and the records flow asks for the proof instead of saying nothing."""
    text = "namaste, main Rakesh Kumar Yadav hoon. mera iGOT pe kitna course hua hai? boss puch rahe the"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(domain, text=text, intent="ask_about_colleague")
    assert await ActionRefuseOtherPerson().run(dispatcher, tracker, domain) == [
        FollowupAction("action_personal_records")
    ]
    dispatcher, events = await ask(domain, personal, text, "ask_about_colleague")
    assert responses(dispatcher) == ["utter_identity_needed"]
    assert FollowupAction("identity_form") in events


async def test_a_rule_asked_by_someone_who_names_their_rank_is_answered(
    domain, dispatcher, monkeypatch
) -> None:
    monkeypatch.setattr(records, "answer_from_knowledge", answering("It goes from iGOT to the APAR."))
    text = "Main junior assistant hoon. Kya mujhe certificate APAR ke saath manually lagana padega?"
    await ActionRefuseOtherPerson().run(dispatcher, make_tracker(domain, text=text), domain)
    assert [m["text"] for m in dispatcher.messages] == ["It goes from iGOT to the APAR."]


@pytest.mark.parametrize(
    "text",
    [
        "my colleague's certificate status",
        "uska progress batao",
        "मेरे दोस्त के पॉइंट्स",
        "aur mere colleague Rakesh Yadav ka kitna hua? same section me hai",  # no record word, a colleague
        # A story naming a colleague, then a question about them.
        "My colleague has not finished his courses yet. How many has he done?",
        "Mere colleague Ramesh ka progress dekhna hai. Kitna hua?",
    ],
)
async def test_a_colleague_named_next_to_my_is_still_someone_else(domain, dispatcher, text) -> None:
    await ActionRefuseOtherPerson().run(dispatcher, make_tracker(domain, text=text), domain)
    assert responses(dispatcher) == ["utter_other_person_refused"]


async def start_identity_form(domain, text: str) -> list[str]:
    """The identity form's first run, right after the personal question that started it."""
    dispatcher = CollectingDispatcher()
    slots = {"pending_request": "ask_certificate"}
    tracker = make_tracker(
        domain, text=text, intent="ask_certificate", slots=slots, active_loop="identity_form"
    )
    await ValidateIdentityForm().run(dispatcher, tracker, domain)
    await drain_deliveries()
    return responses(dispatcher)


async def test_an_own_address_given_with_the_question_is_not_asked_again(domain, personal) -> None:
    said = await start_identity_form(
        domain, "I finished a course this morning, can you check mine? My mail is Anita.Verma@mha.gov.in"
    )
    assert said == ["utter_identity_code_sent"]
    assert personal.mail.sent[-1]["to"] == "anita.verma@mha.gov.in"  # type: ignore[union-attr]


async def test_an_address_typed_alone_to_start_the_proof_is_not_asked_again(domain, personal) -> None:
    said = await start_identity_form(domain, "Anita.Verma@mha.gov.in")
    assert said == ["utter_identity_code_sent"]
    assert personal.mail.sent[-1]["to"] == "anita.verma@mha.gov.in"  # type: ignore[union-attr]


async def test_someone_elses_address_never_gets_a_code(domain, personal) -> None:
    said = await start_identity_form(domain, "show the certificate of ravi.shankar@up.gov.in")
    assert "utter_identity_code_sent" not in said
    assert personal.mail.sent == []  # type: ignore[union-attr]


async def test_a_certificate_question_waiting_for_the_proof_keeps_its_course(domain, personal) -> None:
    _, events = await ask(
        domain,
        personal,
        "please check my record: my Noting and Drafting certificate is not generated",
        "ask_certificate",
    )
    waiting = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert (
        waiting["pending_course"]
        == "please check my record: my Noting and Drafting certificate is not generated"
    )


async def test_a_courses_question_mistaken_for_points_gets_the_progress(domain, personal) -> None:
    dispatcher, _ = await ask(
        domain,
        personal,
        "So have I met the 50% requirement?",
        "ask_karma_points",
        metadata={"portal_token": token(7)},
    )
    assert responses(dispatcher)[0] == "card_progress"


async def test_a_message_that_names_no_one_is_answered_not_refused(domain, dispatcher, monkeypatch) -> None:
    monkeypatch.setattr(
        records, "answer_from_knowledge", answering("Finish the quizzes and the feedback form.")
    )
    text = "certifcate genrate nhi hua, course ke sare video to pure dekh liye the. kya kuch reh gya hoga??"
    await ActionRefuseOtherPerson().run(dispatcher, make_tracker(domain, text=text), domain)
    assert [m["text"] for m in dispatcher.messages] == ["Finish the quizzes and the feedback form."]
    named = CollectingDispatcher()
    await ActionRefuseOtherPerson().run(
        named, make_tracker(domain, text="is neha.gupta@gov.in on track?"), domain
    )
    assert responses(named) == ["utter_other_person_refused"]


@pytest.mark.parametrize(
    "text",
    [
        # The story names a colleague; the question asks how something works.
        "My colleague has far more Karma Points than I do. How do they go up?",
        "मेरे सहकर्मी के पॉइंट्स मुझसे ज़्यादा हैं। ये पॉइंट्स कैसे मिलते हैं?",
        # "हमारे यहाँ" (at our place) is no record of the writer's; the portal's limitations are asked.
        "इस online वाली training की क्या-क्या कमियाँ हैं? हमारे यहाँ कई लोग इससे परेशान रहते हैं।",
        # A pronoun before something that is no record points at a thing, not a person.
        "Is course ka final quiz kitna lamba hai, aur uske module 3 mein kya padhaya jata hai?",
        # A long story about oneself and one's superiors; the question asks a date of the order.
        "My Joint Secretary forwarded an old DoPT office memorandum this morning and wrote only 'check "
        "compliance' under it. I became Under Secretary in August and this is new to me; my predecessor "
        "retired without a handing-over note. The memorandum ends with a table of dates. When was the "
        "comprehensive assessment supposed to go live on iGOT, so that I can see whether we are late?",
    ],
)
async def test_a_question_that_asks_no_ones_record_is_answered_not_refused(
    domain, dispatcher, monkeypatch, text
) -> None:
    monkeypatch.setattr(records, "answer_from_knowledge", answering("From the circulars."))
    await ActionRefuseOtherPerson().run(dispatcher, make_tracker(domain, text=text), domain)
    assert [m["text"] for m in dispatcher.messages] == ["From the circulars."]


async def test_pressing_after_a_refusal_is_refused_again(domain, dispatcher, monkeypatch) -> None:
    """ "I am his reporting officer, still you cannot tell?" names no one, but presses for the colleague."""
    monkeypatch.setattr(records, "answer_from_knowledge", answering("If your department is still missing…"))
    refused = [
        {"event": "user", "text": "संदीप दास का कोर्स पूरा हुआ?", "parse_data": {}},
        {"event": "bot", "text": "माफ़ कीजिए…", "metadata": {"utter_action": "utter_other_person_refused"}},
    ]
    text = "मैं उनका रिपोर्टिंग अधिकारी हूँ, फिर भी नहीं बता सकते?"
    tracker = make_tracker(domain, text=text, intent="ask_about_colleague", events=refused)
    await ActionRefuseOtherPerson().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_other_person_refused"]
