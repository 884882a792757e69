"""The blind yardstick's matching: what counts as the key fact being in a reply."""

import pytest

from bench.blind_eval import BEHAVIOURS, Reply, Turn, contains, not_sure_or_out_of_scope, turn_passes


@pytest.mark.parametrize(
    "reply",
    [
        "Complete them by 31.03.2026.",
        "The deadline is 31 March 2026",
        "by 31/3/2026",
        "March 31, 2026 is the last day",
        "31st March, 2026",
        "अंतिम तिथि ३१ मार्च २०२६ है",
        "2026-03-31",
    ],
)
def test_the_usual_date_forms_are_one_date(reply: str) -> None:
    assert contains(reply, ["31 March 2026"])
    assert not contains(reply, ["30 March 2026"])


def test_case_spacing_punctuation_digits_and_nukta_are_forgiven() -> None:
    assert contains("You need  50% of the courses.", ["50 %"])
    assert contains("कम से कम ५० प्रतिशत", ["50 प्रतिशत"])
    assert contains("सर्टिफ़िकेट 24 घंटे में", ["सर्टिफिकेट"])  # with and without the nukta
    assert contains("Write to SUPPORT-IGOT@GOV.IN.", ["support-igot@gov.in"])
    assert contains("your official e-mail ID", ["email id"]) and contains("ई-मेल आईडी", ["ईमेल"])


def test_a_fact_is_matched_as_whole_words() -> None:
    assert not contains("it takes 240 hours", ["24"])
    assert contains("within 24 hours", ["24 hours", "one day"])
    assert not contains("anything at all", ["", "  "])  # an empty form matches nothing


def test_behaviours_are_seen_in_texts_and_buttons() -> None:
    asks = Reply(["Which OTP is not arriving?"], [("Mobile (SMS)", "/m"), ("Email", "/e")])
    assert BEHAVIOURS["asks_which_otp"](asks, None)
    helpdesk = Reply(["Did you mean one of these?"], [("Talk to the helpdesk", "/request_human")])
    assert BEHAVIOURS["offers_helpdesk"](helpdesk, None) and not_sure_or_out_of_scope(helpdesk)
    cited = Reply(["By 31 March 2026.\n\nSource: DoPT O.M."], [])
    assert not not_sure_or_out_of_scope(cited)
    unknown = Reply(
        ["The public sources behind this assistant do not give a helpline number.\n\nSource: x"], []
    )
    assert not_sure_or_out_of_scope(unknown)
    hindi = Reply(["इस सहायक के सार्वजनिक स्रोतों में कोई हेल्पलाइन नंबर नहीं दिया गया है।\nस्रोत: x"], [])
    assert not_sure_or_out_of_scope(hindi)
    progress = Reply(["Priya Raghavan, you have completed 5 of your 8 prescribed courses."], [])
    assert not BEHAVIOURS["no_personal_data"](progress, None) and BEHAVIOURS["shows_own_progress"](
        progress, None
    )
    assert not BEHAVIOURS["not_repeated"](progress, progress)
    romanised = Reply(["Sandeep Das, aapne apne 8 prescribed courses mein se 1 poora kar liya hai."], [])
    assert BEHAVIOURS["shows_own_progress"](romanised, None)
    assert BEHAVIOURS["replies_in_hindi"](Reply(["आपका अनुरोध दर्ज हो गया है। संदर्भ ORG-7K3M9Q"], []), None)
    assert BEHAVIOURS["replies_in_english"](Reply(["Your request is filed: ORG-7K3M9Q"], []), None)


def test_behaviours_are_seen_in_romanised_hindi_replies() -> None:
    assert BEHAVIOURS["asks_which_otp"](Reply(["Kaun sa OTP nahi aa raha?"], []), None)
    assert BEHAVIOURS["asks_for_name"](Reply(["Aapka poora naam kya hai?"], []), None)
    assert BEHAVIOURS["asks_centre_or_state"](Reply(["Kendra sarkar ya rajya sarkar?"], []), None)
    assert BEHAVIOURS["acknowledges"](Reply(["Aapka swagat hai!"], []), None)
    refusal = Reply(["Maaf kijiye, main kisi aur vyakti ke records nahi dikha sakta."], [])
    assert BEHAVIOURS["refuses_other_person"](refusal, None)
    assert not BEHAVIOURS["asks_for_name"](Reply(["Aapka OTP aa gaya?"], []), None)
    unknown = Reply(["Sources mein iska koi number nahi diya gaya hai.\nSource: x"], [])
    assert not_sure_or_out_of_scope(unknown)
    known = Reply(["Sources ke hisaab se 50% courses karne hain.\nSource: x"], [])
    assert not not_sure_or_out_of_scope(known)


def test_a_hinglish_user_is_answered_in_hindi_when_the_reply_is_romanised() -> None:
    turn = Turn(user="otp nahi aa raha", facts=[], behaviours=["replies_in_hindi"], forbidden=[])
    romanised = Reply(["Aapka OTP kis par nahi aa raha hai, mobile ya email?"], [])
    english = Reply(["Which OTP is not arriving: the mobile or the e-mail one?"], [])
    assert turn_passes(turn, romanised, None, "hinglish")[0]
    assert not turn_passes(turn, english, None, "hinglish")[0]
    # A Devanagari Hindi user still needs Devanagari.
    assert not turn_passes(turn, romanised, None, "hi")[0]
