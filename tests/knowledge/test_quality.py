"""Retrieval quality on our labelled questions with the real embedding model: a regression fails here.

The floors sit a little under the figures `python -m bench.kb_eval` reports, so that an honest change
in wording does not fail, while a broken ranker, tokenizer, glossary or fusion does; raise a floor whenever
the figures rise.
"""

from pathlib import Path

import pytest

from bench.kb_eval import (
    balanced_accuracy,
    build_knowledge_base,
    calibrate,
    embed,
    evaluate,
    load_questions,
    top_scores,
)
from bot.knowledge.answers import NO_FULL_FORM, Answer, Topics, answer_question
from bot.knowledge.embeddings import SentenceEncoder
from bot.knowledge.search import KnowledgeBase
from bot.language import LANGUAGES
from bot.settings import get_settings

# Recall@1, Recall@3. This set is a diagnostic since the blind yardstick (bench/blind_eval.py) became the
# target: its labels name one chunk, and the Hindi R@1 fell when new passages (acronyms, the Annexure A dates)
# began to answer some of its questions as well as the labelled one.
FLOORS = {"en": (0.88, 0.98), "hi": (0.74, 0.95), "hinglish": (0.86, 0.95)}


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(get_settings().embedding_model)


@pytest.fixture(scope="module")
def knowledge(encoder: SentenceEncoder, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return build_knowledge_base(Path(tmp_path_factory.mktemp("kb")) / "index", encoder)


def test_the_evaluation_set_is_big_enough_and_its_ids_exist(knowledge: KnowledgeBase) -> None:
    questions, unanswerable = load_questions()
    ids = {chunk.id for chunk in knowledge.chunks}
    for language in FLOORS:
        assert sum(q.language == language for q in questions) >= 50
    assert len(questions) >= 150 and len(unanswerable) >= 20
    assert all(q.answers <= ids for q in questions), [q.text for q in questions if not q.answers <= ids]


def test_every_chunk_exists_in_english_hindi_and_romanised_hindi(knowledge: KnowledgeBase) -> None:
    ids = {language: {c.id for c in knowledge.chunks if c.language == language} for language in LANGUAGES}
    assert ids["en"] == ids["hi"] == ids["hinglish"]


def test_recall_stays_above_the_floors(knowledge: KnowledgeBase) -> None:
    questions, _ = load_questions()
    scores = evaluate(knowledge, questions, embed(knowledge, [q.text for q in questions]))
    for language, (at_1, at_3) in FLOORS.items():
        assert scores[language].recall_at_1 >= at_1, (language, scores[language])
        assert scores[language].recall_at_3 >= at_3, (language, scores[language])


def test_the_configured_threshold_separates_answerable_questions_nearly_as_well_as_the_best(
    knowledge: KnowledgeBase,
) -> None:
    """The threshold is chosen end to end on the blind dev half (bench/blind_eval.py): there a lower
    one answers more unseen questions rightly, as an answer also needs the question's words covered
    (KnowledgeBase.confident) and example questions lift the scores of paraphrases. On this diagnostic
    set it must still separate the labelled hits from the wrong and unanswerable ones nearly as well as
    the threshold calibrated on the score alone."""
    questions, unanswerable = load_questions()
    embedded, negatives = embed(knowledge, [q.text for q in questions]), embed(knowledge, unanswerable)
    _threshold, best = calibrate(knowledge, questions, embedded, negatives)
    right, wrong = top_scores(knowledge, questions, embedded, negatives)
    configured = balanced_accuracy(right, wrong, get_settings().kb_min_score)
    assert best >= 0.75
    assert configured >= 0.74 and best - configured <= 0.1, (configured, best)


def test_a_short_form_asked_in_one_sentence_of_several_gets_its_entry(knowledge: KnowledgeBase) -> None:
    text = "एक मिनट, ये MDO का मतलब क्या होता है? पोर्टल पर हर जगह यही लिखा है"
    answer = answer_question(knowledge, text, "hi")
    assert isinstance(answer, Answer) and answer.passage_id == "acronyms#mdo"


def test_the_part_of_a_question_the_best_passage_leaves_out_is_answered_too(knowledge: KnowledgeBase) -> None:
    """ "…what is its date, and who signed it?": the circular's summary, then its signatory, cited once
    as both come from the same circular; a one-part question gets one passage."""
    question = (
        "Which Delhi Government circular told all officers to register on iGOT, what is its date, "
        "and who signed it?"
    )
    answer = answer_question(knowledge, question, "en")
    assert isinstance(answer, Answer)
    assert "20 June 2025" in answer.text and "Jitendra Kumar Arora" in answer.text
    assert answer.text.count("Source:") == 1
    plain = answer_question(knowledge, "How many courses must I complete?", "en")
    assert isinstance(plain, Answer) and plain.text.count("Source:") == 1 and "Arora" not in plain.text


def test_each_of_two_questions_in_one_message_gets_its_answer(knowledge: KnowledgeBase) -> None:
    question = (
        "When was Mission Karmayogi approved by the Cabinet, and how do I get a certificate after a course?"
    )
    answer = answer_question(knowledge, question, "en")
    assert isinstance(answer, Answer)
    assert "24 hours" in answer.text and "2 September 2020" in answer.text
    # One question, one passage.
    single = answer_question(knowledge, "how do I get a certificate after a course?", "en")
    assert isinstance(single, Answer) and "2 September 2020" not in single.text


def test_a_second_question_whose_words_the_first_passage_echoes_still_gets_its_own_passage(
    knowledge: KnowledgeBase,
) -> None:
    """The promotion passage says "Karma Points earned", yet how they are earned is another passage's
    subject: both questions are answered."""
    for asked in (
        "how are karma points earned and do they count for promotion?",
        "how r karma ponts earnd and do they count for promoshun",
    ):
        answer = answer_question(knowledge, asked, "en")
        assert isinstance(answer, Answer)
        assert "promotion" in answer.text and "module" in answer.text, asked


def test_a_near_tie_between_two_passages_brings_the_runner_up_briefly(knowledge: KnowledgeBase) -> None:
    """ "how to get karma points?": what earns them and how many a course earns score alike; both are
    said, the document cited once."""
    answer = answer_question(knowledge, "how to get karma points?", "en")
    assert isinstance(answer, Answer)
    assert "module" in answer.text and "15 points" in answer.text
    assert answer.text.count("Source:") == 1


def test_when_unsure_the_closest_passage_is_shown_unless_the_subject_is_outside_the_sources(
    knowledge: KnowledgeBase,
) -> None:
    unsure = answer_question(knowledge, "can I use iGOT on my iPhone?", "en")
    assert isinstance(unsure, Topics) and unsure.closest is not None
    assert "iOS" in unsure.closest and "Source:" in unsure.closest
    outside = answer_question(knowledge, "will my DA go up if I finish the courses?", "en")
    assert isinstance(outside, Topics) and outside.closest is None


def test_a_choice_outside_the_sources_does_not_stop_the_answer_to_the_other(knowledge: KnowledgeBase) -> None:
    """ "Quiz marks, or only whether the course was completed?": the sources speak of the second."""
    asked = "APAR me exactly kya aayega? Quiz ke marks dikhenge ya sirf ye ki course complete hua ya nahi?"
    answer = answer_question(knowledge, asked, "hinglish")
    assert isinstance(answer, Answer) and answer.passage_id == "dopt-om-2025-07-04#apar-linkage"
    marks_alone = answer_question(knowledge, "What are the passing marks of the final quiz?", "en")
    assert isinstance(marks_alone, Topics)


def test_the_step_asked_is_said_first_and_no_list_is_cut(knowledge: KnowledgeBase) -> None:
    asked = "iGOT registration flow chart में OTP authentication कौन से step number पर आता है?"
    answer = answer_question(knowledge, asked, "en")
    assert isinstance(answer, Answer) and answer.text.startswith("Step 4 of 7: Verify with the OTP")
    assert answer.text.count("1. ") == 1  # the whole list once; no second list with steps left out


def test_the_step_asked_comes_from_the_numbered_list_though_a_paragraph_on_it_ranks_first(
    knowledge: KnowledgeBase,
) -> None:
    asked = "registration में Centre/State, Department और Organisation चुनना कौन से step पर है?"
    answer = answer_question(knowledge, asked, "hi")
    assert isinstance(answer, Answer) and answer.text.startswith("चरण 5 (कुल 7 में से)")


def test_a_question_using_a_short_form_in_passing_is_not_answered_with_its_meaning(
    knowledge: KnowledgeBase,
) -> None:
    answer = answer_question(knowledge, "my MDO is not in the list, now?", "en")
    assert isinstance(answer, Answer) and not answer.passage_id.startswith("acronyms#")
    meaning = answer_question(knowledge, "MDO meaning", "en")
    assert isinstance(meaning, Answer) and meaning.passage_id == "acronyms#mdo"


def test_several_short_forms_asked_together_are_each_expanded(knowledge: KnowledgeBase) -> None:
    answer = answer_question(knowledge, "MDO, CCA, AIS - pls expand these, not sure about CCA", "en")
    assert isinstance(answer, Answer)
    for full in (
        "Ministry, Department and Organisation",
        "Cadre Controlling Authority",
        "All India Services",
    ):
        assert full in answer.text


def test_short_forms_asked_in_separate_questions_of_one_message_are_each_expanded(
    knowledge: KnowledgeBase,
) -> None:
    answer = answer_question(knowledge, "CBP credits - CBP = ? and iGOT = ?", "en")
    assert isinstance(answer, Answer)
    assert (
        "Capacity Building Programme" in answer.text
        and "Integrated Government Online Training" in answer.text
    )


def test_a_question_on_what_comes_next_gets_the_following_step(knowledge: KnowledgeBase) -> None:
    answer = answer_question(knowledge, "OTP सत्यापित हो गया, अब आगे क्या करना है?", "hi")
    assert isinstance(answer, Answer) and answer.text.startswith("इसके बाद चरण 5 (कुल 7 में से)")
    # Only when the search is unsure otherwise: a problem "aage" (later on) asks no next step.
    other = answer_question(
        knowledge, "Private email use karne mein aage kya problem aa sakti hai?", "hinglish"
    )
    assert isinstance(other, Answer) and not other.text.startswith("Iske baad step")


def test_a_cause_asked_is_answered_by_the_passage_naming_one(knowledge: KnowledgeBase) -> None:
    asked = "Email OTP not received during registration. What could be the reason from our side?"
    answer = answer_question(knowledge, asked, "en")
    assert isinstance(answer, Answer) and answer.passage_id == "guide-otp#email-otp"
    assert "blocking" in answer.text


def test_of_sentences_asking_without_a_question_mark_the_surest_is_answered(knowledge: KnowledgeBase) -> None:
    """The first sentence that asks ("…asking me whether they will have to pay for the courses or the
    certificates") reads like a certificate question; the one that asks outright is about the fee."""
    asked = (
        "Good morning. Our district office wants every clerk on the portal before the month ends and "
        "several of them worry about money. Some of them are asking me whether they will have to pay "
        "anything from their own pocket for the courses or the certificates, because a private website "
        "once charged our staff. So kindly clarify whether there is any fee or charge for using the iGOT "
        "platform and doing the courses, so that I can tell everyone in the staff meeting."
    )
    answer = answer_question(knowledge, asked, "en")
    assert isinstance(answer, Answer) and answer.passage_id == "platform-facts#cost"


def test_a_portal_name_is_read_for_what_it_is(knowledge: KnowledgeBase) -> None:
    answer = answer_question(knowledge, "wat is My iGOT secton for", "en")
    assert isinstance(answer, Answer) and answer.passage_id == "platform-facts#my-igot"


def test_a_meaning_asked_with_another_question_gets_both_answers(knowledge: KnowledgeBase) -> None:
    answer = answer_question(knowledge, "CBP credits means? and what is this competency passbook thing", "en")
    assert isinstance(answer, Answer) and answer.passage_id == "acronyms#cbp"
    assert "Capacity Building Programme" in answer.text and "digital resume" in answer.text
    alone = answer_question(knowledge, "CBP meaning", "en")
    assert isinstance(alone, Answer) and "resume" not in alone.text


def test_a_list_of_steps_is_sent_whole(knowledge: KnowledgeBase) -> None:
    for language, last in (("en", "7. Complete your profile"), ("hinglish", "7. Apni profile complete")):
        question = "Delhi circular flow chart registration ke steps kya hain? list them"
        answer = answer_question(knowledge, question, language)
        assert isinstance(answer, Answer) and "registration-steps" in answer.passage_id
        assert "1. " in answer.text and last in answer.text, language


def test_a_full_form_the_sources_lack_is_said_to_be_missing(knowledge: KnowledgeBase) -> None:
    for language in ("en", "hi", "hinglish"):
        answer = answer_question(knowledge, "VIKAS programme, full form of VIKAS?", language)
        assert isinstance(answer, Answer), language
        assert answer.text.startswith(NO_FULL_FORM[language].format(short="VIKAS")), language
        assert "VIKAS" in answer.text.split("\n", 1)[1]


def test_a_difference_asked_gets_what_each_one_is(knowledge: KnowledgeBase) -> None:
    question = "What is the difference between domain and functional competencies?"
    answer = answer_question(knowledge, question, "en")
    assert isinstance(answer, Answer) and answer.passage_id == "guide-competencies#domain-competencies"
    assert "sector" in answer.text and "daily tasks" in answer.text and answer.text.count("Source:") == 1
    hindi = answer_question(knowledge, "डोमेन और फ़ंक्शनल कम्पेटेंसी में क्या अंतर है?", "hi")
    assert isinstance(hindi, Answer) and "कृषि" in hindi.text and "डेटा विश्लेषण" in hindi.text


def test_typos_are_read_as_passage_words_but_real_words_are_not(knowledge: KnowledgeBase) -> None:
    assert knowledge.readings("pasword reset kaise kare")[0] == "password reset kaise kare"
    assert knowledge.readings("what are you saying about the reply?") == [
        "what are you saying about the reply?"
    ]
