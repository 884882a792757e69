"""Screening of incoming text, shared by every channel and by the action server.

Pure standard library, so both the Rasa server (3.10) and the action server (3.11) import it. A
message that cannot be read as words never reaches the NLU model: a 10,000-character message costs
real CPU there and is classified as whatever intent its character n-grams happen to resemble.
"""

import json
import unicodedata
from typing import Literal

# A long story around one question is read (bot/knowledge/questions.asking_parts); beyond this, a
# message is refused before NLU.
MAX_MESSAGE_CHARS = 2000
Problem = Literal["empty", "too_long", "no_text"]
# Rasa parses "/intent{...}" itself, so a screened message skips the model and lands in the
# fallback action, which reads the entity to tell the user what was wrong.
PROBLEM_ENTITY = "message_problem"
# What a chat channel answers itself to a photo, voice note, sticker or location: it never reaches the
# assistant, so it is said in both languages.
TEXT_ONLY_REPLY = (
    "Sorry, I can only read text messages. Please type your question.\n"
    "क्षमा करें, मैं केवल टेक्स्ट संदेश पढ़ सकता हूँ। कृपया अपना प्रश्न लिखकर भेजें।"
)


def message_problem(text: str) -> Problem | None:
    """Why a message cannot be read as words, or None when it is fine."""
    stripped = text.strip()
    if not stripped:
        return "empty"
    if len(stripped) > MAX_MESSAGE_CHARS:
        return "too_long"
    if not any(unicodedata.category(c)[0] in "LN" for c in stripped):
        return "no_text"
    return None


def screen(text: str | None) -> str:
    """The text to hand to Rasa: the message itself, or a fallback payload naming its problem."""
    problem = message_problem(text or "")
    if problem is None:
        return text or ""
    return "/nlu_fallback" + json.dumps({PROBLEM_ENTITY: problem})
