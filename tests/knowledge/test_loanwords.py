"""English words spelt in Devanagari are read by their sound (bot/knowledge/loanwords.py)."""

from bot.knowledge.loanwords import Loanwords, devanagari_sound, english_sound
from bot.knowledge.search import Glossary

ENGLISH = ["section", "registration", "department", "person", "live", "competency", "Section"]
HINDI = ["प्रश्न", "प्रशासन"]


def test_an_english_word_and_its_devanagari_spelling_sound_alike() -> None:
    assert devanagari_sound("सेक्शन")[0] == english_sound("section")[0] == "sksn"
    assert devanagari_sound("रजिस्ट्रेशन")[0] == english_sound("registration")[0]
    assert devanagari_sound("कॉम्पिटेंसी") == english_sound("competency")


def test_a_devanagari_spelling_is_read_as_the_english_word_of_our_passages() -> None:
    loanwords = Loanwords(ENGLISH, HINDI)
    assert loanwords.english("सेक्शन") == "section"
    assert loanwords.english("रजिस्ट्रेसन") == "registration"  # misspelt as people type it
    assert loanwords.english("डिपार्टमेंट") == "department"


def test_hindi_words_short_words_and_far_syllable_counts_are_not_read_as_english() -> None:
    loanwords = Loanwords(ENGLISH, HINDI)
    assert loanwords.english("प्रश्न") is None  # our Hindi passages use it: a Hindi word, not "person"
    assert loanwords.english("परेशानियां") is None  # the consonants of "person", five syllables
    assert loanwords.english("लाइव") is None  # two consonants say too little: left to the glossary
    assert loanwords.english("section") is None  # not Devanagari


def test_the_glossary_reads_loanwords_that_it_does_not_list() -> None:
    glossary = Glossary({"number": ["नंबर"]})
    assert glossary.english("सेक्शन का नंबर") == "number"
    assert glossary.reading_loanwords(Loanwords(ENGLISH, HINDI)).english("सेक्शन का नंबर") == "section number"
