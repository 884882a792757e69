"""The cards of one's own records and requests: progress, certificates, a filed request.

Each is sent as one message whose custom payload holds the card and whose text is `card_text` of it,
so the widget draws a card and every other channel (and the helpdesk transcript) reads the same facts
as text. The words are here, in the three reply languages, because a card is assembled from parts that
depend on the record; the longer prose (what to do after a missed deadline) stays in the domain.
"""

from datetime import date, datetime
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.helpdesk.tables import OrganisationRequest
from bot.records import progress
from bot.records.progress import CertificateState
from contract.cards import Card, Fact, Item, Meter, Section, Tone, card_text

MAX_LISTED = 10
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "progress_title": "{name}: your prescribed courses",
        "meter": "{completed} of {prescribed} prescribed courses completed ({percent}%)",
        "meter_one": "{completed} of {prescribed} prescribed courses completed ({percent}%)",
        "target": "Target",
        "target_value": "at least {target}%, that is {required} {courses}",
        "course": "course",
        "courses": "courses",
        "deadline": "Deadline",
        "days_left": "{due}, {days} {day_word} left",
        "days_passed": "{due}, passed {days} {day_word} ago",
        "day": "day",
        "days": "days",
        "assessment": "Comprehensive Assessment",
        "passed": "passed",
        "failed": "taken, not passed yet",
        "not_taken": "not taken yet",
        "on_track": "You have met the requirement. Well done!",
        "behind": "To meet the requirement, complete {missing} more courses (and the assessment, if it is "
        "still open).",
        "behind_one": "To meet the requirement, complete {missing} more course (and the assessment, if it is "
        "still open).",
        "assessment_left": "To meet the requirement, pass the Comprehensive Assessment.",
        "pending": "Not finished yet ({count})",
        "done": "Completed ({count})",
        "more": "… and {count} more",
        "certificates_title": "Your certificates",
        "certificates_started": "Courses you have started (pick one for more)",
        "status": "Status",
        "certificate_number": "Certificate number",
        "download": "Download the certificate",
        "wait_note": "Certificates take up to 24 hours; please check again in about {hours} {hour_word}.",
        "hour": "hour",
        "hours": "hours",
        "items_note": "The certificate follows within 24 hours of finishing what is still open.",
        "escalate_note": "That is longer than it should take. I can pass this to the helpdesk.",
        "in_progress_note": "The certificate comes within 24 hours of completing the course.",
        "not_enrolled_note": "Once you start and complete it, the certificate comes within 24 hours.",
        "request_filed_title": "Your request has been filed",
        "request_title": "Where your request stands",
        "reference": "Reference",
        "organisation": "Organisation",
        "filed_on": "Filed on",
        "status_created": "received; the portal team decides on it",
        "request_next": 'Keep the reference safe; ask "status of my request {reference}" at any time. Once '
        "the organisation is added you can finish registering.",
        "my_certificates": "My certificates",
        "my_points": "My Karma Points",
    },
    "hi": {
        "progress_title": "{name}: आपके निर्धारित पाठ्यक्रम",
        "meter": "निर्धारित {prescribed} में से {completed} पाठ्यक्रम पूरे हुए ({percent}%)",
        "meter_one": "निर्धारित {prescribed} में से {completed} पाठ्यक्रम पूरा हुआ ({percent}%)",
        "target": "लक्ष्य",
        "target_value": "कम से कम {target}%, यानी {required} {courses}",
        "course": "पाठ्यक्रम",
        "courses": "पाठ्यक्रम",
        "deadline": "अंतिम तिथि",
        "days_left": "{due}, {days} {day_word} बाकी",
        "days_passed": "{due}, {days} {day_word} पहले निकल चुकी",
        "day": "दिन",
        "days": "दिन",
        "assessment": "व्यापक मूल्यांकन (Comprehensive Assessment)",
        "passed": "उत्तीर्ण",
        "failed": "दिया है, पर उत्तीर्ण नहीं",
        "not_taken": "अभी नहीं दिया",
        "on_track": "आप लक्ष्य पूरा कर चुके हैं। बढ़िया!",
        "behind": "लक्ष्य के लिए {missing} और पाठ्यक्रम पूरे करने हैं (और मूल्यांकन, यदि बाकी है)।",
        "behind_one": "लक्ष्य के लिए {missing} और पाठ्यक्रम पूरा करना है (और मूल्यांकन, यदि बाकी है)।",
        "assessment_left": "लक्ष्य के लिए व्यापक मूल्यांकन (Comprehensive Assessment) उत्तीर्ण करना बाकी है।",
        "pending": "अभी पूरे नहीं ({count})",
        "done": "पूरे हो चुके ({count})",
        "more": "… और {count}",
        "certificates_title": "आपके सर्टिफ़िकेट",
        "certificates_started": "आपके शुरू किए पाठ्यक्रम (और जानने के लिए एक चुनें)",
        "status": "स्थिति",
        "certificate_number": "सर्टिफ़िकेट संख्या",
        "download": "सर्टिफ़िकेट डाउनलोड करें",
        "wait_note": "सर्टिफ़िकेट बनने में 24 घंटे तक लगते हैं; लगभग {hours} {hour_word} बाद फिर देखें।",
        "hour": "घंटे",
        "hours": "घंटे",
        "items_note": "बाकी काम पूरा करने के 24 घंटे में सर्टिफ़िकेट बन जाएगा।",
        "escalate_note": "इसमें ज़रूरत से ज़्यादा समय लग गया है। मैं यह मामला हेल्पडेस्क को भेज सकता हूँ।",
        "in_progress_note": "पाठ्यक्रम पूरा होने के 24 घंटे में सर्टिफ़िकेट बनता है।",
        "not_enrolled_note": "इसे शुरू करके पूरा करने के 24 घंटे में सर्टिफ़िकेट बनता है।",
        "request_filed_title": "आपका अनुरोध दर्ज हो गया है",
        "request_title": "आपके अनुरोध की स्थिति",
        "reference": "संदर्भ संख्या",
        "organisation": "संगठन",
        "filed_on": "दर्ज होने की तिथि",
        "status_created": "मिल गया; पोर्टल की टीम इस पर निर्णय लेगी",
        "request_next": 'संदर्भ संख्या सँभालकर रखें; "मेरे अनुरोध {reference} की स्थिति" लिखकर आप कभी भी स्थिति '
        "पूछ सकते हैं। संगठन जुड़ने पर आप पंजीकरण पूरा कर सकेंगे।",
        "my_certificates": "मेरे सर्टिफ़िकेट",
        "my_points": "मेरे कर्म पॉइंट्स",
    },
    "hinglish": {
        "progress_title": "{name}: aapke prescribed courses",
        "meter": "{prescribed} mein se {completed} prescribed courses poore hue ({percent}%)",
        "meter_one": "{prescribed} mein se {completed} prescribed course poora hua ({percent}%)",
        "target": "Target",
        "target_value": "kam se kam {target}%, yaani {required} {courses}",
        "course": "course",
        "courses": "courses",
        "deadline": "Deadline",
        "days_left": "{due}, {days} {day_word} baaki",
        "days_passed": "{due}, {days} {day_word} pehle nikal chuki",
        "day": "din",
        "days": "din",
        "assessment": "Comprehensive Assessment",
        "passed": "pass ho gaya",
        "failed": "de diya hai, par abhi pass nahi hua",
        "not_taken": "abhi nahi diya",
        "on_track": "Aapne requirement poori kar li hai. Bahut badhiya!",
        "behind": "Requirement poori karne ke liye {missing} aur courses poore kijiye (aur assessment bhi, "
        "agar woh abhi baaki hai).",
        "behind_one": "Requirement poori karne ke liye {missing} aur course poora kijiye (aur assessment "
        "bhi, agar woh abhi baaki hai).",
        "assessment_left": "Requirement poori karne ke liye Comprehensive Assessment pass karna baaki hai.",
        "pending": "Abhi poore nahi hue ({count})",
        "done": "Poore ho gaye ({count})",
        "more": "… aur {count}",
        "certificates_title": "Aapke certificates",
        "certificates_started": "Aapke shuru kiye courses (aur jaanne ke liye ek chuniye)",
        "status": "Status",
        "certificate_number": "Certificate number",
        "download": "Certificate download kijiye",
        "wait_note": "Certificate aane mein 24 ghante tak lagte hain; kripya lagbhag {hours} {hour_word} "
        "baad phir check kijiye.",
        "hour": "ghante",
        "hours": "ghante",
        "items_note": "Baaki kaam poora karne ke 24 ghante ke andar certificate aa jaayega.",
        "escalate_note": "Ismein zaroorat se zyada samay lag gaya hai. Main yeh helpdesk ko bhej sakta hoon.",
        "in_progress_note": "Course poora karne ke 24 ghante ke andar certificate aa jaata hai.",
        "not_enrolled_note": "Ise shuru karke poora karne ke 24 ghante ke andar certificate aa jaata hai.",
        "request_filed_title": "Aapki request file ho gayi hai",
        "request_title": "Aapki request ka status",
        "reference": "Reference number",
        "organisation": "Organisation",
        "filed_on": "File hone ki tareekh",
        "status_created": "mil gayi; portal ki team ispar faisla karegi",
        "request_next": 'Reference number sambhaal kar rakhiye; kabhi bhi "meri request {reference} ka '
        'status" '
        "poochh sakte hain. Organisation add hone ke baad aap apna registration poora kar sakte hain.",
        "my_certificates": "Mere certificates",
        "my_points": "Mere Karma Points",
    },
}

# Where one course's certificate stands, in the reply language: a fact of its card, a line of the overview.
CERTIFICATE_LINES: dict[str, dict[CertificateState, str]] = {
    "en": {
        CertificateState.issued: "certificate issued (number {certificate_id})",
        CertificateState.wait: "completed recently; the certificate comes within 24 hours",
        CertificateState.pending_items: "not complete yet, still open: {items}",
        CertificateState.escalate: "completed over 24 hours ago, no certificate yet",
        CertificateState.in_progress: "{percent}% done; the certificate follows within 24 hours",
        CertificateState.not_enrolled: "not started",
    },
    "hi": {
        CertificateState.issued: "सर्टिफ़िकेट जारी (संख्या {certificate_id})",
        CertificateState.wait: "हाल ही में पूरा; सर्टिफ़िकेट 24 घंटे में बनेगा",
        CertificateState.pending_items: "अभी पूरा नहीं, बाकी: {items}",
        CertificateState.escalate: "पूरा हुए 24 घंटे से ज़्यादा, सर्टिफ़िकेट अभी नहीं",
        CertificateState.in_progress: "{percent}% पूरा; पूरा होने के 24 घंटे में सर्टिफ़िकेट बनेगा",
        CertificateState.not_enrolled: "शुरू नहीं किया",
    },
    "hinglish": {
        CertificateState.issued: "certificate issue ho gaya (number {certificate_id})",
        CertificateState.wait: "haal hi mein poora; certificate 24 ghante mein aayega",
        CertificateState.pending_items: "abhi poora nahi, baaki: {items}",
        CertificateState.escalate: "24 ghante se zyada pehle poora, certificate abhi nahi aaya",
        CertificateState.in_progress: "{percent}% poora; poora hone ke 24 ghante mein certificate aayega",
        CertificateState.not_enrolled: "shuru nahi kiya",
    },
}


def words_for(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def day(value: date | datetime) -> str:
    return value.strftime("%d.%m.%Y")


def send(dispatcher: CollectingDispatcher, card: Card, buttons: list[dict[str, Any]] | None = None) -> None:
    """One message: the card for the widget, its text for every other reader."""
    dispatcher.utter_message(text=card_text(card), json_message={"card": card}, buttons=buttons or [])


def _one_or_many(count: int, one: str, many: str) -> str:
    """The key of the words for exactly one thing or for several: "1 पाठ्यक्रम पूरा हुआ", "3 पाठ्यक्रम पूरे हुए"."""
    return one if count == 1 else many


def _listed(items: list[Item], w: dict[str, str]) -> list[Item]:
    if len(items) <= MAX_LISTED:
        return items
    return [*items[: MAX_LISTED - 1], {"text": w["more"].format(count=len(items) - MAX_LISTED + 1)}]


def progress_meter(summary: progress.Summary, *, language: str) -> Meter:
    """Completed of prescribed, as the progress card shows it; a certificate card shown right after the
    proof carries it too, since the user asked to have their account looked at."""
    w = words_for(language)
    return {
        "value": summary.completed,
        "max": summary.prescribed,
        "label": w[_one_or_many(summary.completed, "meter_one", "meter")].format(
            completed=summary.completed, prescribed=summary.prescribed, percent=round(summary.share * 100)
        ),
    }


def progress_card(
    summary: progress.Summary, *, name: str, language: str, course_url: str
) -> tuple[Card, list[dict[str, Any]]]:
    """The progress summary (the plan has prescribed courses) and its follow-up choices."""
    w = words_for(language)
    facts: list[Fact] = [
        {
            "label": w["target"],
            "value": w["target_value"].format(
                target=round(summary.target_share * 100),
                required=summary.required,
                courses=w[_one_or_many(summary.required, "course", "courses")],
            ),
        }
    ]
    if summary.due_date is not None and summary.days_left is not None:
        days = abs(summary.days_left)
        template = "days_left" if summary.days_left >= 0 else "days_passed"
        facts.append(
            {
                "label": w["deadline"],
                "value": w[template].format(
                    due=day(summary.due_date), days=days, day_word=w[_one_or_many(days, "day", "days")]
                ),
                "tone": "good" if summary.days_left >= 0 else "bad",
            }
        )
    if summary.assessment_required:
        key = {True: "passed", False: "failed", None: "not_taken"}[summary.assessment_passed]
        facts.append(
            {"label": w["assessment"], "value": w[key], "tone": "good" if key == "passed" else "warn"}
        )
    missing = max(summary.required - summary.completed, 0)
    if summary.on_track:
        note = w["on_track"]
    elif missing == 0:
        note = w["assessment_left"]
    else:
        note = w[_one_or_many(missing, "behind_one", "behind")].format(missing=missing)
    sections: list[Section] = []
    pending: list[Item] = [
        {"text": c.title, "detail": f"{round(c.completion)}%", "url": course_url.format(code=c.code)}
        for c in summary.pending
    ]
    if pending:
        sections.append({"title": w["pending"].format(count=len(pending)), "items": _listed(pending, w)})
    done: list[Item] = []
    for c in summary.done:
        item: Item = {"text": c.title}
        if c.completed_at:
            item["detail"] = day(c.completed_at)
        done.append(item)
    if done:
        sections.append({"title": w["done"].format(count=len(done)), "items": _listed(done, w)})
    card: Card = {
        "kind": "progress",
        "title": w["progress_title"].format(name=name),
        "meter": progress_meter(summary, language=language),
        "facts": facts,
        "note": note,
        "tone": "good" if summary.on_track else "warn",
        "sections": sections,
    }
    buttons = [
        {"title": w["my_certificates"], "payload": '/ask_certificate{"scope": "mine"}'},
        {"title": w["my_points"], "payload": '/ask_karma_points{"scope": "mine"}'},
    ]
    return card, buttons


def certificate_words(check: progress.CertificateCheck, language: str) -> str:
    """Where one course's certificate stands, in words: "certificate issued (number …)"."""
    course = check.course
    template = CERTIFICATE_LINES.get(language, CERTIFICATE_LINES["en"])[check.state]
    return template.format(
        certificate_id=course.certificate_id,
        items=", ".join(course.pending_items),
        percent=round(course.completion),
    )


def certificate_overview_card(
    lines: list[tuple[str, str]], *, language: str, meter: Meter | None = None
) -> Card:
    """Where the certificate of each started course stands: (course title, state in words)."""
    w = words_for(language)
    card: Card = {
        "kind": "certificate",
        "title": w["certificates_title"],
        "sections": [
            {
                "title": w["certificates_started"],
                "items": [{"text": title, "detail": state} for title, state in lines],
            }
        ],
    }
    if meter:
        card["meter"] = meter
    return card


def certificate_card(
    check: progress.CertificateCheck, *, language: str, hours: int = 0, meter: Meter | None = None
) -> Card:
    """One course's certificate: where it stands and what comes next."""
    w = words_for(language)
    course = check.course
    facts: list[Fact] = [{"label": w["status"], "value": certificate_words(check, language)}]
    tone: Tone = "good"
    note = ""
    if check.state == CertificateState.issued and course.certificate_id:
        facts.append({"label": w["certificate_number"], "value": course.certificate_id, "unbroken": True})
    elif check.state == CertificateState.wait:
        note = w["wait_note"].format(hours=hours, hour_word=w[_one_or_many(hours, "hour", "hours")])
    elif check.state == CertificateState.pending_items:
        note, tone = w["items_note"], "warn"
    elif check.state == CertificateState.escalate:
        note, tone = w["escalate_note"], "bad"
    elif check.state == CertificateState.in_progress:
        note = w["in_progress_note"]
    elif check.state == CertificateState.not_enrolled:
        note, tone = w["not_enrolled_note"], "warn"
    card: Card = {"kind": "certificate", "title": course.title, "facts": facts, "tone": tone}
    if meter:
        card["meter"] = meter
    if note:
        card["note"] = note
    return card


def download_button(url: str, *, language: str) -> dict[str, Any]:
    return {"title": words_for(language)["download"], "url": url}


def request_card(request: OrganisationRequest, *, language: str, filed_now: bool) -> Card:
    """A filed organisation request: its reference, where it stands, and what happens next."""
    w = words_for(language)
    status = w.get(f"status_{request.status.value}", request.status.value)
    return {
        "kind": "request",
        "title": w["request_filed_title"] if filed_now else w["request_title"],
        "facts": [
            {"label": w["reference"], "value": request.reference, "unbroken": True},
            {"label": w["organisation"], "value": request.organisation_name},
            {"label": w["status"], "value": status},
            {"label": w["filed_on"], "value": day(request.created_at)},
        ],
        "note": w["request_next"].format(reference=request.reference),
    }
