"""Reading, chunking, indexing and searching the knowledge base, with the hashing encoder."""

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfWriter
from typer.testing import CliRunner

from bot.knowledge.answers import (
    NO_DATE_FOR,
    NO_FIGURE,
    SHORT_ANSWER_CHARS,
    Answer,
    answer_question,
    answered_besides,
    chosen_by_own_words,
    citation,
    compose,
    counted,
    dates_what_is_asked,
    excerpt,
    focused,
    holds_figure,
    period_not_covered,
    sentences,
    step_asked,
)
from bot.knowledge.chunking import Chunk, chunk_document, deduplicate
from bot.knowledge.documents import DocumentError, Heading, Paragraph, Source, Table, read_document
from bot.knowledge.index import REBUILD_HINT, IndexUnavailable, load_index
from bot.knowledge.ingest import ingest
from bot.knowledge.search import Glossary, Hit, KnowledgeBase, short_form_spellings
from bot.language import tokenize
from bot.settings import get_settings
from bot.tools.cli import app
from tests.conftest import KB_DOCS
from tests.fakes import HashingEncoder


def text_pdf(path: Path, lines: list[str]) -> None:
    """A one-page PDF with a real text layer, written by hand (no PDF library writes text)."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = "%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    path.write_bytes(out.encode("latin-1"))


# --- reading ------------------------------------------------------------------------------------


def test_markdown_front_matter_headings_lists_and_tables() -> None:
    document = read_document(KB_DOCS / "deadlines.en.md")
    assert document.source.doc_id == "test-order"
    assert document.source.number == "T-1/2025"
    assert document.source.date == "2025-07-04"
    assert document.source.link == "https://example.invalid/order"
    headings = [b for b in document.blocks if isinstance(b, Heading)]
    assert [h.anchor for h in headings[1:]] == ["who-is-covered", "registration", "annexure-a"]
    numbered = [b.text for b in document.blocks if isinstance(b, Paragraph) and b.numbered]
    assert numbered[0].startswith("1. Open the portal") and numbered[2].startswith("3. Verify")
    table = next(b for b in document.blocks if isinstance(b, Table))
    assert table.header == ["Item", "Who", "Deadline"]
    assert table.rows[1][2] == "31 March 2026"


def test_html_drops_page_noise_and_keeps_structure(tmp_path: Path) -> None:
    page = tmp_path / "notice.html"
    page.write_text(
        "<html><body><nav>Home | Share</nav><h1>Notice</h1><h2 id='dates'>Dates</h2>"
        "<p>Register by 31 July 2025.</p><ol><li>Open the portal</li><li>Register</li></ol>"
        "<table><tr><th>Item</th><th>Deadline</th></tr>"
        "<tr><td>Courses</td><td>31 March 2026</td></tr></table>"
        "<script>alert(1)</script></body></html>"
    )
    document = read_document(page)
    texts = [getattr(b, "text", "") for b in document.blocks]
    assert "Home | Share" not in " ".join(texts) and "alert" not in " ".join(texts)
    chunks = chunk_document(document)
    assert [c.id for c in chunks] == ["notice#dates", "notice#dates/row-1"]
    assert chunks[1].text == "Item: Courses; Deadline: 31 March 2026"


def test_pdf_text_layer_is_read(tmp_path: Path) -> None:
    pdf = tmp_path / "order.pdf"
    text_pdf(pdf, ["Office Memorandum on training", "", "All officers must register by 31 July 2025."])
    document = read_document(pdf)
    assert "31 July 2025" in " ".join(getattr(b, "text", "") for b in document.blocks)


def test_scanned_pdf_is_refused_with_a_clear_warning(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    scan = tmp_path / "scan.pdf"
    with scan.open("wb") as out:
        writer.write(out)
    with pytest.raises(DocumentError, match="no text layer"):
        read_document(scan)


def test_plain_text_numbered_paragraphs_become_separate_blocks(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Registration steps\n\n1. Open the portal.\n2. Press Register.\n3. Verify the OTP.\n")
    document = read_document(note)
    assert isinstance(document.blocks[0], Heading)
    assert [getattr(b, "text", None) for b in document.blocks[1:]] == [
        "1. Open the portal.",
        "2. Press Register.",
        "3. Verify the OTP.",
    ]


def test_unsupported_and_empty_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(DocumentError, match="unsupported"):
        read_document(tmp_path / "image.png")
    (tmp_path / "empty.md").write_text("---\ntitle: x\n---\n")
    with pytest.raises(DocumentError, match="no text"):
        read_document(tmp_path / "empty.md")


# --- chunking -----------------------------------------------------------------------------------


def test_chunk_ids_are_shared_by_language_versions() -> None:
    english = [c.id for c in chunk_document(read_document(KB_DOCS / "deadlines.en.md"))]
    hindi = [c.id for c in chunk_document(read_document(KB_DOCS / "deadlines.hi.md"))]
    assert (
        english
        == hindi
        == [
            "test-order#who-is-covered",
            "test-order#registration",
            "test-order#annexure-a/row-1",
            "test-order#annexure-a/row-2",
        ]
    )


def test_a_table_row_stays_whole_with_its_header() -> None:
    chunks = {c.id: c for c in chunk_document(read_document(KB_DOCS / "deadlines.en.md"))}
    row = chunks["test-order#annexure-a/row-2"]
    assert (
        row.text == "Item: Finish half of the prescribed courses; Who: every officer; Deadline: 31 March 2026"
    )
    assert row.heading == "Annexure A"


def test_a_long_section_is_split_at_paragraphs(tmp_path: Path) -> None:
    paragraphs = "\n\n".join(f"{i}. " + "word " * 60 for i in range(1, 8))
    doc = tmp_path / "long.en.md"
    doc.write_text(f"---\nid: long\n---\n# Long\n\n## Steps {{#steps}}\n\n{paragraphs}\n")
    chunks = chunk_document(read_document(doc))
    assert [c.id for c in chunks] == ["long#steps", "long#steps-2", "long#steps-3", "long#steps-4"]
    assert all(len(c.text) <= 900 for c in chunks)
    assert chunks[1].text.startswith("3. ")


def test_duplicates_are_dropped() -> None:
    chunks = chunk_document(read_document(KB_DOCS / "deadlines.en.md"))
    assert deduplicate(chunks + chunks[:2]) == chunks


# --- the index ----------------------------------------------------------------------------------


def test_ingest_is_incremental_by_content(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(KB_DOCS, docs)
    encoder = HashingEncoder()
    first = ingest([docs], tmp_path / "index", encoder=encoder)
    assert (first.documents, first.changed_documents, first.embedded) == (2, 2, 8)
    again = ingest([docs], tmp_path / "index", encoder=encoder)
    assert (again.changed_documents, again.embedded) == (0, 0)
    english = docs / "deadlines.en.md"
    english.write_text(english.read_text().replace("31 July 2025", "15 August 2025"))
    changed = ingest([docs], tmp_path / "index", encoder=encoder)
    assert (changed.changed_documents, changed.embedded) == (1, 1)
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["model"] == encoder.name
    assert manifest["dimension"] == encoder.dimension
    assert manifest["chunk_count"] == 8
    assert manifest["corpus_hash"] == changed.manifest.corpus_hash != first.manifest.corpus_hash
    assert manifest["created_at"]


def test_a_new_model_re_embeds_everything(tmp_path: Path) -> None:
    ingest([KB_DOCS], tmp_path / "index", encoder=HashingEncoder("model-a"))
    report = ingest([KB_DOCS], tmp_path / "index", encoder=HashingEncoder("model-b"))
    assert report.embedded == 8


def test_an_index_built_with_another_model_is_explained(tmp_path: Path) -> None:
    ingest([KB_DOCS], tmp_path / "index", encoder=HashingEncoder("model-a"))
    with pytest.raises(IndexUnavailable, match="built with the model 'model-a'") as raised:
        KnowledgeBase.load(tmp_path / "index", HashingEncoder("model-b"), min_score=0.5)
    assert REBUILD_HINT in str(raised.value)


@pytest.mark.parametrize("damage", ["missing", "manifest", "vectors", "chunks"])
def test_a_missing_or_corrupt_index_names_the_rebuild_command(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "index"
    ingest([KB_DOCS], folder, encoder=HashingEncoder())
    if damage == "missing":
        shutil.rmtree(folder)
    elif damage == "manifest":
        (folder / "manifest.json").write_text("{not json")
    elif damage == "vectors":
        (folder / "vectors.npy").write_bytes(b"garbage")
    else:
        lines = (folder / "chunks.jsonl").read_text().splitlines()
        (folder / "chunks.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(IndexUnavailable, match="sahayak kb ingest"):
        load_index(folder)


def test_an_empty_corpus_leaves_the_index_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    ingest([KB_DOCS], folder, encoder=HashingEncoder())
    before = (folder / "manifest.json").read_text()
    (tmp_path / "empty").mkdir()
    with pytest.raises(DocumentError, match="no text found"):
        ingest([tmp_path / "empty"], folder, encoder=HashingEncoder())
    assert (folder / "manifest.json").read_text() == before


# --- search and answers -------------------------------------------------------------------------


def test_tokenize_keeps_hindi_words_order_numbers_and_emails() -> None:
    assert tokenize("ओटीपी नहीं आया") == ["ओटीपी", "नहीं", "आया"]
    assert "t-28/27/2025-igot" in tokenize("OM No. T-28/27/2025-iGOT")
    assert "support-igot@gov.in" in tokenize("write to support-igot@gov.in")
    assert tokenize("कहाँ") == tokenize("कहां") == []


def test_hybrid_search_finds_hindi_and_english_and_one_hit_per_id(knowledge_base: KnowledgeBase) -> None:
    hits = knowledge_base.search("निर्धारित पाठ्यक्रमों में से आधे कब तक", k=4)
    assert hits[0].chunk.id == "test-order#annexure-a/row-2"
    assert len({h.chunk.id for h in hits}) == len(hits)
    english = knowledge_base.search("by when must half of the prescribed courses be finished", k=2)
    assert english[0].chunk.id == "test-order#annexure-a/row-2"
    assert knowledge_base.confident(english)


def test_unrelated_questions_are_not_confident(knowledge_base: KnowledgeBase) -> None:
    assert not knowledge_base.confident(knowledge_base.search("cricket score today", k=3))


def test_passage_prefers_the_users_language(knowledge_base: KnowledgeBase) -> None:
    hindi = knowledge_base.passage("test-order#who-is-covered", "hi")
    assert hindi is not None and hindi.language == "hi"
    assert knowledge_base.passage("test-order#who-is-covered", "ta") is not None
    assert knowledge_base.passage("nope#none", "en") is None


def test_excerpt_keeps_the_answering_sentences_within_the_limit() -> None:
    filler = " ".join(f"Sentence {i} talks about something else entirely." for i in range(30))
    text = f"The portal is open to all officers. {filler} Certificates appear within 24 hours."
    short = excerpt(text, "when do certificates appear")
    assert len(short) <= SHORT_ANSWER_CHARS
    assert short.startswith("The portal is open") and short.endswith("within 24 hours.")
    assert excerpt("Short passage.", "anything") == "Short passage."


def test_excerpt_adds_the_sentence_with_words_not_yet_said() -> None:
    first = "The last date for the assessment is 31 March 2026."
    again = "Each employee must also complete the assessment."
    live = "Question banks are ready by 15 October, and assessments go live by 15 November."
    # Room for one more sentence: the one that says when it goes live, not the assessment again.
    short = excerpt(f"{first} {again} {live}", "assessment live last date", limit=len(first) + len(live) + 2)
    assert short == f"{first} {live}"


def test_a_short_form_with_a_full_stop_does_not_end_the_sentence() -> None:
    text = "It is Office Memorandum No. T-28/27/2025-iGOT of Govt. of India. It was issued in July."
    assert sentences(text) == [
        "It is Office Memorandum No. T-28/27/2025-iGOT of Govt. of India.",
        "It was issued in July.",
    ]
    # A step's number ends no sentence either: an excerpt keeps "2." with its step, not as a bare "2.".
    assert sentences("1. Open the portal. 2. Press Register.") == [
        "1. Open the portal.",
        "2. Press Register.",
    ]


def test_the_answer_cites_authority_number_date_and_link(knowledge_base: KnowledgeBase) -> None:
    chunk = knowledge_base.passage("test-order#annexure-a/row-2", "en")
    assert chunk is not None
    answer = compose(chunk, "deadline?", "en")
    assert "Test Department" in answer and "No. T-1/2025" in answer and "dated 2025-07-04" in answer
    assert answer.endswith("https://example.invalid/order")
    assert citation(chunk.source, "hi").startswith("स्रोत:")


def test_asking_for_more_gives_a_longer_answer(knowledge_base: KnowledgeBase) -> None:
    chunk = knowledge_base.passage("test-order#who-is-covered", "en")
    assert chunk is not None
    long_chunk = type(chunk)(chunk.id, chunk.source, chunk.heading, "One fact here. " * 80)
    assert len(compose(long_chunk, "explain in detail", "en")) > len(compose(long_chunk, "what?", "en")) + 500


# --- the command line ---------------------------------------------------------------------------


def test_cli_ingest_and_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.knowledge.embeddings.SentenceEncoder", lambda name: HashingEncoder(name))
    runner = CliRunner()
    result = runner.invoke(app, ["kb", "ingest", str(KB_DOCS), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    assert "2 documents (2 changed), 8 chunks (8 embedded" in result.output
    assert "--help" not in result.output
    help_text = runner.invoke(app, ["kb", "ingest", "--help"]).output
    assert "only documents whose content changed" in help_text


def test_cli_ingest_reports_a_scanned_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.knowledge.embeddings.SentenceEncoder", lambda name: HashingEncoder(name))
    docs = tmp_path / "docs"
    shutil.copytree(KB_DOCS, docs)
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    with (docs / "scan.pdf").open("wb") as out:
        writer.write(out)
    result = CliRunner().invoke(app, ["kb", "ingest", str(docs), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0
    assert "scan.pdf: this PDF has no text layer" in result.output
    only_scan = CliRunner().invoke(
        app, ["kb", "ingest", str(docs / "scan.pdf"), "--index", str(tmp_path / "i2")]
    )
    assert only_scan.exit_code == 1
    assert "no text found" in only_scan.output
    assert not (tmp_path / "i2").exists()


def test_glossary_reads_hindi_and_hinglish_in_english(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text(
        "glossary:\n"
        "  certificate: [प्रमाणपत्र, certifcate]\n"
        "  did not come: [nahi aaya, नहीं आया]\n"
        "  come: [aaya]\n"
        "  full form: [फ़ुल फ़ॉर्म]\n"
        "  karma points: [कर्मा पॉइंट]\n",
        encoding="utf-8",
    )
    glossary = Glossary.load(path)
    assert glossary.english("OTP nahi aaya") == "otp did not come"  # the longest phrase wins
    # Untranslated Devanagari words and Hindi particles are dropped: the English model reads the rest better.
    assert glossary.english("aaya kya") == "come"
    assert glossary.english("मेरा प्रमाणपत्र कहाँ है?") == "certificate"
    assert glossary.english("iGOT का फुल फॉर्म") == "igot full form"  # spelt without nukta
    assert glossary.english("certifcate ka deadline") == "certificate deadline"
    assert glossary.english("how do I register") is None
    # Typed in a hurry: no virama, a short vowel for a long one, a doubled letter.
    assert glossary.english("करमा पोइंट कैसे मिलते हे") == "karma points"
    assert glossary.english("प्रमाणपत्र नहि आया") == "certificate did not come"
    assert glossary.english("प्रमानपत्र") is None  # a changed consonant is another word
    assert glossary.english("certifcatee nahii aaya") == "certificate did not come"


def test_a_missing_glossary_rewrites_nothing(tmp_path: Path) -> None:
    assert Glossary.load(tmp_path / "absent.yml").english("प्रमाणपत्र") is None


def test_the_shipped_glossary_loads_and_maps_to_english() -> None:
    glossary = Glossary.load(get_settings().kb_glossary)
    # The negation is kept: "not in the list" is what a missing organisation's passage speaks of.
    assert glossary.english("sarkari email nahi hai") == "government email is missing"


def test_a_follow_up_on_the_passage_just_sent_gets_the_sentence_its_question_word_asks_for(
    knowledge_base: KnowledgeBase,
) -> None:
    scope = knowledge_base.passage("test-order#who-is-covered", "en")
    row = knowledge_base.passage("test-order#annexure-a/row-2", "en")
    assert scope is not None and row is not None
    by_when = focused(row, "and by when?", "en")
    assert by_when is not None and "31 March 2026" in by_when and "Source:" in by_when
    assert focused(scope, "aur kab tak?", "en") is None  # the passage holds no date
    assert focused(row, "and is that for everyone?", "en") is None  # no date or number asked


@pytest.mark.parametrize(
    ("question", "topic", "says_none_given"),
    [
        ("Is there a maximum number of courses per month?", "test-order#who-is-covered", True),
        ("kitne courses karne hain?", "test-order#who-is-covered", True),
        ("Finish half of the courses by when?", "test-order#annexure-a/row-2", False),  # the row has the date
        ("What do I do when the form does not open?", "test-order#registration", False),  # no figure asked
        ("Who must take the courses?", "test-order#who-is-covered", False),
        # The row's figures count courses and give a date: they answer "how many courses", not "how many
        # portals" nor "how many minutes".
        ("How many courses must be finished?", "test-order#annexure-a/row-2", False),
        (
            "How many annual courses must be finished?",
            "test-order#annexure-a/row-2",
            False,
        ),  # an adjective first
        ("How many portals does the order name?", "test-order#annexure-a/row-2", True),
        ("How many minutes does it take?", "test-order#annexure-a/row-2", True),
    ],
)
def test_a_figure_asked_of_a_passage_without_one_is_said_to_be_missing(
    knowledge_base: KnowledgeBase, question: str, topic: str, says_none_given: bool
) -> None:
    """ "Is there a monthly cap?" answered from a passage with no number at all: the user is told the
    sources give none before reading what they do say, rather than left to look for it."""
    for language in ("en", "hinglish"):
        answer = answer_question(knowledge_base, question, language, topic=topic)
        assert isinstance(answer, Answer)
        assert answer.text.startswith(NO_FIGURE[language]) is says_none_given, (question, language)


DEADLINE_ROW = Chunk(
    "test-order#annexure-a/row-6",
    Source("test-order", "Test order", "en"),
    "Annexure A",
    "Item: employees complete half of the prescribed courses; Deadline: by 31.03.2026 (31 March 2026)",
)


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("What is the last date for the 2026-27 courses?", "2026-27"),
        ("March 2026 is over. By when for 2026-27?", "2026-27"),  # the span, not the month named
        ("Now that the 31 March 2026 deadline is over, what is the deadline for 2027?", "2027"),
        ("kab tak, 2026-2027 ke liye?", "2026-2027"),
        ("अगले साल यानी 2026-27 के कोर्स पूरे करने की लास्ट डेट क्या होगी?", "2026-27"),
        ("What is the deadline for the 2025-26 courses?", None),  # it ends in 2026, which has a date
        ("What is the deadline?", None),  # no year named
        ("How many courses in 2026-27?", None),  # asks no date
    ],
)
def test_a_date_asked_for_a_year_the_sources_do_not_reach_is_said_to_be_missing(
    question: str, period: str | None
) -> None:
    assert period_not_covered(question, DEADLINE_ROW) == period


def test_the_answer_says_the_sources_give_no_date_for_that_year(knowledge_base: KnowledgeBase) -> None:
    for language in ("en", "hi", "hinglish"):
        answer = answer_question(
            knowledge_base,
            "What is the last date for 2031-32?",
            language,
            topic="test-order#annexure-a/row-2",
        )
        assert isinstance(answer, Answer)
        assert answer.text.startswith(NO_DATE_FOR[language].format(period="2031-32")), language


def test_a_follow_up_naming_its_own_topic_with_a_pointer_gets_that_topic(
    knowledge_base: KnowledgeBase,
) -> None:
    """ "mobile app hai kya iska?" after the fee: "iska" points back, but the app is its own topic."""
    previous = "by when must half of the prescribed courses be finished"
    answer = answer_question(knowledge_base, "register iska kaise hota hai?", "en", previous=previous)
    assert isinstance(answer, Answer) and answer.passage_id == "test-order#registration"


def test_what_a_how_many_counts_is_read_from_the_question(knowledge_base: KnowledgeBase) -> None:
    assert counted(knowledge_base, "How many courses must I finish?") == ["courses"]
    assert counted(knowledge_base, "kitne din lagenge, aur kitne courses?") == ["time", "courses"]
    # Nothing is judged of a kind, a share or a word no passage has (a typo, a subject we lack).
    assert counted(knowledge_base, "kitne type ke courses hain?") == []
    assert counted(knowledge_base, "what percentage of courses?") == []
    assert counted(knowledge_base, "how many stpes are there?") == []
    assert counted(knowledge_base, "who must register?") == []


def test_a_date_answers_how_many_days_but_not_how_many_minutes(knowledge_base: KnowledgeBase) -> None:
    row = "test-order#annexure-a/row-2"
    assert holds_figure(knowledge_base, row, "How many days are left?")
    assert not holds_figure(knowledge_base, row, "How many minutes are left?")
    assert not holds_figure(
        knowledge_base, "test-order#who-is-covered", "How many days are left?"
    )  # no figure


def test_romanised_passages_are_shown_to_hinglish_readers_but_not_searched(tmp_path: Path) -> None:
    """A Hinglish reader gets the romanised version of the passage found; the search itself reads the
    English and Hindi versions only, so adding a third version changes no ranking."""
    docs = tmp_path / "docs"
    shutil.copytree(KB_DOCS, docs)
    ingest([docs], tmp_path / "before", encoder=HashingEncoder())
    before = KnowledgeBase(load_index(tmp_path / "before"), HashingEncoder(), min_score=1.2)
    english = (docs / "deadlines.en.md").read_text()
    romanised = english.replace("language: en", "language: hinglish").replace(
        "Every officer must complete the prescribed courses",
        "Har officer ko prescribed courses poore karne hain",
    )
    (docs / "deadlines.hinglish.md").write_text(romanised)
    ingest([docs], tmp_path / "after", encoder=HashingEncoder())
    after = KnowledgeBase(load_index(tmp_path / "after"), HashingEncoder(), min_score=1.2)
    for question in ("Har officer ko courses poore karne hain?", "by when must half the courses be done"):
        assert [(h.chunk.id, round(h.score, 6)) for h in after.search(question)] == [
            (h.chunk.id, round(h.score, 6)) for h in before.search(question)
        ]
    shown = after.passage("test-order#who-is-covered", "hinglish")
    assert shown is not None and shown.text.startswith("Har officer ko")
    # A passage with no romanised version is shown in English, which a Hinglish reader also reads.
    (docs / "deadlines.hinglish.md").write_text(romanised.split("## How to register")[0])
    ingest([docs], tmp_path / "after", encoder=HashingEncoder())
    partial = KnowledgeBase(load_index(tmp_path / "after"), HashingEncoder(), min_score=1.2)
    fallback = partial.passage("test-order#registration", "hinglish")
    assert fallback is not None and fallback.language == "en"


def test_a_follow_ups_own_words_choose_among_the_passages_its_context_finds(
    knowledge_base: KnowledgeBase,
) -> None:
    """Read with the previous question, every follow-up finds the passage just sent; among the passages
    the context finds, the one its own words find best is chosen, keeping the context's top score."""
    row, scope, registration = (
        next(c for c in knowledge_base.chunks if c.id == f"test-order#{anchor}")
        for anchor in ("annexure-a/row-2", "who-is-covered", "registration")
    )
    in_context = [Hit(row, 3.0, 0.5, 0.5), Hit(scope, 2.8, 0.4, 0.4), Hit(registration, 1.5, 0.2, 0.2)]
    own = [Hit(scope, 2.0, 0.4, 0.4), Hit(row, 1.0, 0.2, 0.2), Hit(registration, 1.9, 0.4, 0.4)]
    chosen = chosen_by_own_words(own, in_context)
    assert [h.chunk.id for h in chosen] == ["test-order#who-is-covered", "test-order#annexure-a/row-2"]
    assert chosen[0].score == 3.0  # what was judged confident stays so
    # A passage far below the context's best is not the context's topic, however well its words match.
    assert all(h.chunk.id != "test-order#registration" for h in chosen)
    # Own words that find nothing better leave the context's order as it was.
    assert [h.chunk.id for h in chosen_by_own_words([], in_context)][:2] == [row.id, scope.id]


def test_every_further_question_of_a_message_is_answered(knowledge_base: KnowledgeBase) -> None:
    """Up to two more questions than the first get their passages; a part that leans on the one before
    ("and by when?") is read with it."""
    parts = ["how do I register on the portal?", "who must take the courses?", "and by when half of them?"]
    others = answered_besides(knowledge_base, parts, "test-order#registration")
    assert [hit.chunk.id for hit, _ in others] == ["test-order#who-is-covered", "test-order#annexure-a/row-2"]


def test_a_further_question_the_answered_passage_only_echoes_is_answered_by_its_own(
    knowledge_base: KnowledgeBase,
) -> None:
    """The deadline row says "Register on the portal", every word of "how do I register on the portal?",
    yet it tells no one how: the question's own passage, the steps, is added."""
    parts = ["by when must I register?", "how do I register on the portal?"]
    others = answered_besides(knowledge_base, parts, "test-order#annexure-a/row-1")
    assert [hit.chunk.id for hit, _ in others] == ["test-order#registration"]


def test_the_step_asked_for_is_said_first(knowledge_base: KnowledgeBase) -> None:
    steps = knowledge_base.passage("test-order#registration", "en")
    assert steps is not None
    asked = "at which step do I verify the one-time passwords?"
    answer = answer_question(knowledge_base, asked, "en", topic="test-order#registration")
    assert isinstance(answer, Answer)
    assert answer.text.startswith(
        "Step 3 of 3: Verify the one-time passwords sent to the mobile and the e-mail."
    )
    assert "1. Open the portal" in answer.text  # the whole list follows
    # A follow-up read with that question asks for no step itself.
    follow_up = answer_question(knowledge_base, "and by when?", "en", previous=asked)
    assert not isinstance(follow_up, Answer) or not follow_up.text.startswith("Step")
    assert step_asked(steps.text, "how do I register?", "en") is None  # no step number asked
    assert step_asked(steps.text, "what steps do I follow to register?", "en") is None  # all of them
    hindi = knowledge_base.passage("test-order#registration", "hi")
    assert hindi is not None
    assert (step_asked(hindi.text, "ओटीपी किस चरण में?", "hi") or "").startswith("चरण 3 (कुल 3 में से):")


def test_the_step_asked_for_is_found_by_its_telling_words() -> None:
    """ "Portal flow chart: at which step are the passwords checked?": "portal" names the whole list (it
    is in nearly every passage), "passwords" the step."""
    steps = "1. Open the portal in a browser.\n2. Press Register.\n3. Verify the passwords sent to you."
    asked = "portal flow chart: at which step are the passwords checked?"
    spread = {"portal": 40, "passwords": 2}.get
    assert (step_asked(steps, asked, "en", lambda word: spread(word) or 1) or "").startswith("Step 3 of 3")
    assert (step_asked(steps, asked, "en") or "").startswith("Step 1 of 3")  # unweighed, the tie goes first


def test_a_date_is_asked_of_the_sentence_about_the_question(knowledge_base: KnowledgeBase) -> None:
    """ "By when must officers register?" is dated by the Annexure row, not by the rule on courses."""
    asked = "by when must every officer register on the portal?"
    assert dates_what_is_asked(knowledge_base, "test-order#annexure-a/row-1", asked)
    assert not dates_what_is_asked(knowledge_base, "test-order#who-is-covered", asked)


def test_a_passage_far_ahead_of_the_rest_is_answered_from_a_little_below_the_threshold(
    knowledge_base: KnowledgeBase,
) -> None:
    first = knowledge_base.passage("test-order#who-is-covered", "en")
    second = knowledge_base.passage("test-order#registration", "en")
    assert first is not None and second is not None
    floor = knowledge_base.min_score
    assert knowledge_base.confident([Hit(first, floor - 0.3, 0.8, 0.3), Hit(second, floor - 0.9, 0.2, 0.2)])
    # Not when the runner-up is close, nor far below the threshold.
    assert not knowledge_base.confident(
        [Hit(first, floor - 0.3, 0.8, 0.3), Hit(second, floor - 0.5, 0.7, 0.3)]
    )
    assert not knowledge_base.confident(
        [Hit(first, floor - 1.0, 0.8, 0.3), Hit(second, floor - 2.0, 0.1, 0.1)]
    )


def test_whom_a_rule_covers_is_said_beside_the_rule(knowledge_base: KnowledgeBase) -> None:
    answer = answer_question(knowledge_base, "to whom does the deadline for half of the courses apply?", "en")
    assert isinstance(answer, Answer) and answer.passage_id == "test-order#annexure-a/row-2"
    assert answer.text.startswith("Every officer must complete")  # whom it covers, first, as asked
    assert "The order applies to all ministries and departments." in answer.text
    assert "31 March 2026" in answer.text  # then the rule


def test_a_short_form_spelt_in_devanagari_is_a_short_form(knowledge_base: KnowledgeBase) -> None:
    assert short_form_spellings("Parichay (परिचय)") == ["parichay", "परिचय"]
    assert short_form_spellings("AS/JS") == ["as/js"]


def test_a_step_named_in_english_in_a_hindi_question_is_found_in_the_hindi_list() -> None:
    hindi = "1. पोर्टल खोलें।\n2. रजिस्टर दबाएँ।\n3. केंद्र या राज्य, विभाग और संगठन चुनें।"
    english = "1. Open the portal.\n2. Press Register.\n3. Pick Centre or State, Department, Organisation."
    asked = "Department और Organisation चुनना कौन से step पर है?"
    assert (step_asked(hindi, asked, "hi", english=english) or "").startswith("चरण 3 (कुल 3 में से): केंद्र")
    assert step_asked(hindi, asked, "hi") is None  # the Hindi words alone share none


def test_the_step_after_the_one_done_is_said_first() -> None:
    steps = "1. Open the portal.\n2. Enter your name and mobile.\n3. Type in the OTP.\n4. Press Sign up."
    asked = "I have entered the OTP and it is accepted. What comes next?"
    # "entered" is in step 2's words too; the OTP sets step 3 apart.
    assert (step_asked(steps, asked, "en") or "").startswith("Next comes step 4 of 4: Press Sign up")
    # "signup" as users write it is "Sign up"; after the last step there is none.
    assert step_asked(steps, "clicked signup, anything left after that?", "en") is None
    assert (step_asked(steps, "OTP daal diya, iske baad kya?", "hinglish") or "").startswith(
        "Iske baad step 4"
    )
