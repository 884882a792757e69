"""Answers about one learner's own progress, computed from a `LearnerSnapshot`.

Pure functions of the snapshot and the current time, so the rules (the 50% share, the 24-hour wait for a
certificate) are tested without a database, a channel or a clock.
"""

import enum
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz, process, utils

from bot.language import tokenize, words
from bot.records.source import CourseRecord, KarmaRecord, LearnerSnapshot
from bot.records.tables import EnrolmentStatus

CERTIFICATE_WAIT = timedelta(hours=24)
# Below this similarity (0..100) a course name is not taken as a match. All the words typed being in one
# title (token-set similarity) counts first; then overall similarity, which tolerates typos.
TOKEN_SET_CUTOFF = 90
MATCH_CUTOFF = 70
# A course named inside a longer message: this many of its title's words, each this similar (0..100).
MIN_SHARED_WORDS = 2
MIN_WORD_CHARS = 4
WORD_CUTOFF = 85
_MINOR_WORDS = frozenset({"and", "of", "the", "for", "on", "at", "in", "a", "an"})
# Words of a certificate question that are not part of a course name.
_FILLER_TEXT = """
    certificate certificates cert certi course courses why not issued missing check status got get
    generated yet has have been did done completed complete finished show find nahi nhi aaya aya mila
    kiya kar liya hua hui pura abhi tak kyu kyon kyun wala wale
    no the a an of for my is it where when me please i am ready ka ki ke ko mera meri mere kab kahan
    सर्टिफ़िकेट सर्टिफिकेट प्रमाणपत्र कोर्स पाठ्यक्रम नहीं आया मिला क्यों पूरा किया हुआ वाला वाले अभी तक
    का की के को मेरा मेरी मेरे कब कहाँ है
"""
FILLER = frozenset(words(_FILLER_TEXT))  # spelt as the tokenizer folds them


@dataclass(frozen=True)
class Summary:
    prescribed: int
    completed: int
    required: int  # mandated courses to complete to meet the minimum share
    share: float  # completed / prescribed, 0..1
    target_share: float
    due_date: date | None
    days_left: int | None  # negative once the due date has passed
    assessment_required: bool
    assessment_passed: bool | None  # None: not taken
    pending: tuple[CourseRecord, ...]
    done: tuple[CourseRecord, ...] = ()

    @property
    def on_track(self) -> bool:
        courses_done = self.completed >= self.required
        assessment_done = not self.assessment_required or bool(self.assessment_passed)
        return courses_done and assessment_done


def summarise(snapshot: LearnerSnapshot, *, today: date) -> Summary:
    mandated = [c for c in snapshot.courses if c.mandated]
    completed = sum(c.status == EnrolmentStatus.completed for c in mandated)
    plan = snapshot.plan
    target = plan.min_share if plan else 0.0
    prescribed = len(mandated)
    return Summary(
        prescribed=prescribed,
        completed=completed,
        required=math.ceil(prescribed * target),
        share=completed / prescribed if prescribed else 0.0,
        target_share=target,
        due_date=plan.due_date if plan else None,
        days_left=(plan.due_date - today).days if plan else None,
        assessment_required=bool(plan and plan.assessment_required),
        assessment_passed=snapshot.assessment.passed if snapshot.assessment else None,
        pending=tuple(c for c in mandated if c.status != EnrolmentStatus.completed),
        done=tuple(c for c in mandated if c.status == EnrolmentStatus.completed),
    )


def recent_karma(snapshot: LearnerSnapshot, limit: int = 5) -> tuple[KarmaRecord, ...]:
    return snapshot.karma[:limit]


class CertificateState(enum.StrEnum):
    issued = "issued"  # here is the certificate
    wait = "wait"  # completed less than 24 hours ago
    pending_items = "pending_items"  # quizzes or feedback still to do
    escalate = "escalate"  # completed over 24 hours ago and nothing issued
    in_progress = "in_progress"  # not completed, nothing pending recorded
    not_enrolled = "not_enrolled"


@dataclass(frozen=True)
class CertificateCheck:
    state: CertificateState
    course: CourseRecord
    hours_since_completion: int | None = None


def acronyms(title: str) -> set[str]:
    """Short names people use for a course: "(POSH)", "CCS", and initials such as RTI or GFR."""
    found = {inner.casefold() for inner in re.findall(r"\(([^)]{2,12})\)", title)}
    plain = re.findall(r"[A-Za-z]+", re.sub(r"\([^)]*\)", " ", title))
    found.update(w.casefold() for w in plain if len(w) >= 2 and w.isupper())
    initials = "".join(w[0] for w in plain if w.casefold() not in _MINOR_WORDS).casefold()
    found.update(initials[:end] for end in range(3, len(initials) + 1))
    return found


def _words_named(title: str, said: list[str]) -> int:
    """How many of the title's own words (not "for", not "course") the message has, typos forgiven."""
    own = {w for w in tokenize(title) if len(w) >= MIN_WORD_CHARS and w not in FILLER}
    return sum(any(fuzz.ratio(w, typed) >= WORD_CUTOFF for typed in said) for w in own)


def find_course(snapshot: LearnerSnapshot, name: str) -> CourseRecord | None:
    """The learner's course whose title, code or short name best matches `name`, tolerating typos."""
    if not snapshot.courses or not name.strip():
        return None
    by_code = {c.code.lower(): c for c in snapshot.courses}
    if name.strip().lower() in by_code:
        return by_code[name.strip().lower()]
    kept = [w for w in tokenize(name) if w not in FILLER]
    if not kept:
        return None
    named = [c for c in snapshot.courses if acronyms(c.title) & set(kept)]
    if len(named) == 1:
        return named[0]
    # A name inside a sentence ("I finished Cyber Security Awareness this morning and can't see it"): the
    # title sharing most of its words with the message, when that is two words or more and no other ties.
    shared = sorted(((_words_named(c.title, kept), n) for n, c in enumerate(snapshot.courses)), reverse=True)
    if shared[0][0] >= MIN_SHARED_WORDS and (len(shared) == 1 or shared[1][0] < shared[0][0]):
        return snapshot.courses[shared[0][1]]
    titles = [c.title for c in snapshot.courses]
    query = " ".join(kept)
    for scorer, cutoff in ((fuzz.token_set_ratio, TOKEN_SET_CUTOFF), (fuzz.WRatio, MATCH_CUTOFF)):
        match = process.extractOne(
            query, titles, scorer=scorer, processor=utils.default_process, score_cutoff=cutoff
        )
        if match:
            return snapshot.courses[match[2]]
    return None


def check_certificate(course: CourseRecord, *, now: datetime) -> CertificateCheck:
    if course.certificate_id:
        return CertificateCheck(CertificateState.issued, course)
    if course.pending_items:
        return CertificateCheck(CertificateState.pending_items, course)
    if course.status != EnrolmentStatus.completed:
        state = CertificateState.in_progress if course.completion > 0 else CertificateState.not_enrolled
        return CertificateCheck(state, course)
    if course.completed_at is None:
        return CertificateCheck(CertificateState.escalate, course)
    elapsed = now - course.completed_at
    hours = int(elapsed.total_seconds() // 3600)
    state = CertificateState.wait if elapsed < CERTIFICATE_WAIT else CertificateState.escalate
    return CertificateCheck(state, course, hours_since_completion=hours)
