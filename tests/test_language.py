import pytest

from bot.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", "en"),
        ("OTP not received on my mobile", "en"),
        ("I want to talk to a human", "en"),
        ("नमस्ते", "hi"),
        ("मुझे ओटीपी नहीं मिला", "hi"),
        ("मेरा OTP नहीं आया", "hi"),
        ("otp nahi aaya", "hinglish"),
        ("mera certificate kab milega", "hinglish"),
        ("registration kaise kare", "hinglish"),
        ("namaste ji", "hinglish"),
        ("kitni bhasha me courses hai", "hinglish"),  # "me" and "courses" are English words too
        ("aur agar na aaye to?", "hinglish"),
        ("Is there a mobile app? Which phones does it run on?", "en"),
    ],
)
def test_detects_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text", ["9876543210", "९८७६५ ४३२१०", "ok", "r.sharma@nic.in", "Ramesh Kumar", "😀", "", "ORG-7K3M9Q"]
)
def test_no_signal_keeps_the_current_language(text: str) -> None:
    assert detect_language(text) is None
