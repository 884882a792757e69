"""Answers from the knowledge base, doubt, feedback, and the fallback's look into the knowledge base."""

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions import knowledge as knowledge_actions
from bot.actions.digression import ActionAnswerDigression
from bot.actions.fallback import ActionFallback
from bot.actions.knowledge import ActionAnswerFaq, ActionStoreFeedback
from bot.knowledge.answers import answer_question
from bot.knowledge.tables import AnswerFeedback
from bot.services import Services, get_services, set_services
from bot.settings import Settings
from tests.actions.conftest import make_tracker, responses, slot_values
from tests.fakes import HashingEncoder

DEADLINE_QUESTION = "by when must half of the prescribed courses be finished"


async def test_a_confident_answer_cites_its_source_and_asks_for_feedback(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text=DEADLINE_QUESTION, intent="faq")
    events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    answer = dispatcher.messages[0]["text"]
    assert "31 March 2026" in answer
    assert (
        "Source: Test order on mandatory courses (Test Department, No. T-1/2025, dated 2025-07-04)" in answer
    )
    assert responses(dispatcher)[1] == "utter_ask_helpful"
    assert slot_values(events) == {
        "kb_last_answer": "test-order#annexure-a/row-2",
        "kb_last_question": DEADLINE_QUESTION,
    }


async def test_the_answer_comes_in_hindi_when_the_user_writes_hindi(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text=DEADLINE_QUESTION, intent="faq", slots={"language": "hi"})
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    answer = dispatcher.messages[0]["text"]
    assert "31 मार्च 2026" in answer and "स्रोत:" in answer


async def test_doubt_shows_the_closest_topics_and_the_helpdesk(domain, dispatcher) -> None:
    """Not sure: what the closest passage says, short and cited, then the topics to choose from."""
    tracker = make_tracker(domain, text="officer browser half", intent="faq")
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_knowledge_closest"]
    assert "Source: Test order on mandatory courses" in dispatcher.messages[0]["closest"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads[-1] == "/request_human"
    assert all(p.startswith('/faq{"kb_chunk": "test-order#') for p in payloads[:-1])
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert len(set(titles)) == len(titles) >= 3
    # Whole headings, never a table row's cells cut short.
    assert set(titles[:-1]) <= {"Who must take the courses", "How to register", "Annexure A"}


async def test_a_message_like_no_passage_gets_the_topics_alone(domain, dispatcher) -> None:
    tracker = make_tracker(domain, text="qqq zzz xxw", intent="faq")
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_knowledge_not_sure"]
    assert "closest" not in dispatcher.messages[0]


async def test_a_topic_button_answers_that_passage(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain,
        text='/faq{"kb_chunk": "test-order#registration"}',
        intent="faq",
        entities=[{"entity": "kb_chunk", "value": "test-order#registration"}],
    )
    events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert "1. Open the portal" in dispatcher.messages[0]["text"]
    assert slot_values(events)["kb_last_answer"] == "test-order#registration"


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("", "utter_empty_message"),
        ("?!?!...", "utter_text_only"),
        ("x" * 5000, "utter_message_too_long"),
        ("பதிவு செய்வது எப்படி", "utter_unsupported_language"),
        ("如何注册", "utter_unsupported_language"),
    ],
)
async def test_bad_questions_get_a_clear_reply(domain, dispatcher, text, response) -> None:
    events = await ActionAnswerFaq().run(dispatcher, make_tracker(domain, text=text, intent="faq"), domain)
    assert responses(dispatcher) == [response]
    assert events == []


async def test_a_missing_index_is_explained_and_the_rest_keeps_working(domain, dispatcher, tmp_path) -> None:
    broken = Services(
        settings=Settings(kb_index_dir=tmp_path / "none"),
        sessions=get_services().sessions,
        encoder=HashingEncoder(),
    )
    set_services(broken)
    await ActionAnswerFaq().run(
        dispatcher, make_tracker(domain, text=DEADLINE_QUESTION, intent="faq"), domain
    )
    assert responses(dispatcher) == ["utter_knowledge_unavailable"]
    dispatcher.messages.clear()
    tracker = make_tracker(
        domain, text="asdf qwer", intent="nlu_fallback", ranking=[{"name": "nlu_fallback"}]
    )
    await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_fallback_helpdesk"]


async def test_feedback_is_stored_with_personal_data_masked(domain, dispatcher, services) -> None:
    tracker = make_tracker(
        domain,
        text='/feedback{"helpful": "no"}',
        intent="feedback",
        entities=[{"entity": "helpful", "value": "no"}],
        slots={
            "kb_last_answer": "test-order#who-is-covered",
            "kb_last_question": "mail me at a.b@nic.in 9876543210",
        },
        channel="telegram",
    )
    events = await ActionStoreFeedback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_feedback_sorry"]
    assert slot_values(events) == {"kb_last_answer": None}
    with services.sessions() as session:
        stored = session.scalars(select(AnswerFeedback)).one()
    assert (stored.chunk_id, stored.helpful, stored.channel) == (
        "test-order#who-is-covered",
        False,
        "telegram",
    )
    assert "a.b@nic.in" not in stored.question and "9876543210" not in stored.question


async def test_feedback_without_an_answer_stores_nothing(domain, dispatcher, services) -> None:
    tracker = make_tracker(
        domain, text="/feedback", intent="feedback", entities=[{"entity": "helpful", "value": "yes"}]
    )
    await ActionStoreFeedback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_feedback_nothing_to_rate"]
    with services.sessions() as session:
        assert session.scalars(select(AnswerFeedback)).all() == []


async def test_the_fallback_answers_from_the_knowledge_base_when_sure(domain, dispatcher) -> None:
    tracker = make_tracker(
        domain, text=DEADLINE_QUESTION, intent="nlu_fallback", ranking=[{"name": "nlu_fallback"}]
    )
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert "31 March 2026" in dispatcher.messages[0]["text"]
    assert events[0]["event"] == "rewind"
    assert slot_values(events)["kb_last_answer"] == "test-order#annexure-a/row-2"


async def test_a_question_in_the_middle_of_a_form_is_answered_then_the_form_goes_on(
    domain, dispatcher
) -> None:
    tracker = make_tracker(
        domain, text=DEADLINE_QUESTION, intent="faq", active_loop="organisation_request_form"
    )
    await ActionAnswerDigression().run(dispatcher, tracker, domain)
    assert "31 March 2026" in dispatcher.messages[0]["text"]
    assert responses(dispatcher)[-1] == "utter_continue_form"


async def test_the_same_passage_is_not_sent_twice_in_a_row(domain, dispatcher) -> None:
    answered_before = [
        {"event": "user", "text": DEADLINE_QUESTION},
        {"event": "slot", "name": "kb_last_answer", "value": "test-order#annexure-a/row-2"},
    ]
    tracker = make_tracker(
        domain,
        text="by when must half of the prescribed courses be finished, please",
        intent="faq",
        events=answered_before,
        slots={"kb_last_answer": "test-order#annexure-a/row-2", "kb_last_question": DEADLINE_QUESTION},
    )
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert "31 March 2026" not in str(dispatcher.messages)
    assert responses(dispatcher)[0] in ("utter_knowledge_said_all", None)


async def test_a_passage_sent_earlier_but_not_last_turn_is_sent_again(domain, dispatcher) -> None:
    earlier = [
        {"event": "user", "text": DEADLINE_QUESTION},
        {"event": "slot", "name": "kb_last_answer", "value": "test-order#annexure-a/row-2"},
        {"event": "user", "text": "thanks"},
    ]
    tracker = make_tracker(
        domain,
        text=DEADLINE_QUESTION,
        intent="faq",
        events=earlier,
        slots={"kb_last_answer": "test-order#annexure-a/row-2"},
    )
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert "31 March 2026" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("and by when?", "31 March 2026"),  # names nothing new: the date of the passage just sent
        ("and when do I register on the portal?", "Press Register"),  # names its own topic
    ],
)
async def test_a_follow_up_asking_when_gets_the_date_of_the_passage_just_sent(
    domain, dispatcher, monkeypatch, text, said
) -> None:
    """The search, led by the previous question, may find another passage that holds a date of its own
    (the order's summary, dated itself); a bare "and by when?" still asks about what was just said."""
    from bot.actions import knowledge as actions
    from bot.knowledge.answers import answer_question

    elsewhere = "test-order#registration" if "register" in text else "test-order#who-is-covered"

    def led_elsewhere(kb, question, language, **kwargs):  # type: ignore[no-untyped-def]
        return answer_question(kb, question, language, topic=elsewhere)

    monkeypatch.setattr(actions, "answer_question", led_elsewhere)
    sent = [
        {"event": "user", "text": DEADLINE_QUESTION},
        {"event": "slot", "name": "kb_last_answer", "value": "test-order#annexure-a/row-2"},
    ]
    tracker = make_tracker(
        domain,
        text=text,
        intent="faq",
        events=sent,
        slots={"kb_last_answer": "test-order#annexure-a/row-2", "kb_last_question": DEADLINE_QUESTION},
    )
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert said in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("text", ["is that for everyone?", "sab ke liye hai kya? state wale bhi?"])
async def test_whom_a_rule_covers_asked_right_after_it_gets_the_documents_scope(
    domain, dispatcher, monkeypatch, text
) -> None:
    """ "is that for everyone?" after the deadline: whom that order covers is the topic, not the rule."""
    asked: list[str | None] = []

    def answering_topic(*args, topic=None, **options):
        asked.append(topic)
        return answer_question(*args, topic=topic, **options)

    monkeypatch.setattr(knowledge_actions, "answer_question", answering_topic)
    answered: list[dict[str, Any]] = [
        {"event": "user", "text": DEADLINE_QUESTION, "parse_data": {}},
        {"event": "slot", "name": "kb_last_answer", "value": "test-order#annexure-a/row-2"},
    ]
    slots = {"kb_last_question": DEADLINE_QUESTION, "kb_last_answer": "test-order#annexure-a/row-2"}
    tracker = make_tracker(domain, text=text, intent="faq", events=answered, slots=slots)
    events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert asked[0] == "test-order#who-is-covered"
    assert slot_values(events)["kb_last_answer"] == "test-order#who-is-covered"
    # A figure asked for everyone is not a question of scope.
    figure = make_tracker(
        domain, text="how many courses for everyone?", intent="faq", events=answered, slots=slots
    )
    await ActionAnswerFaq().run(CollectingDispatcher(), figure, domain)
    assert asked[1] is None
