"""Stand-ins for heavy services: a bag-of-words encoder instead of the neural model, and in-memory
learner records."""

import hashlib
import re
from collections.abc import Iterable

import numpy as np

from bot.identity.mailer import MailUnavailable
from bot.language import tokenize
from bot.records.source import EmployeeRef, LearnerSnapshot, RecordsUnavailable


class HashingEncoder:
    """Deterministic, fast, and similar for texts that share words: enough to test the plumbing."""

    def __init__(self, name: str = "hashing-test-encoder", dimension: int = 64) -> None:
        self.name = name
        self.dimension = dimension
        self.calls = 0
        self.encoded = 0

    def vocabulary(self) -> frozenset[str]:
        return frozenset()

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text) or ["empty"]:
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


class FakeLearnerRecords:
    """In-memory learner records, from snapshots or just employees (whose snapshot then has no plan);
    `down=True` behaves like a source that cannot be reached. Remembers what it was asked."""

    def __init__(self, records: Iterable[LearnerSnapshot | EmployeeRef], *, down: bool = False) -> None:
        snapshots = [
            r if isinstance(r, LearnerSnapshot) else LearnerSnapshot(employee=r, plan=None) for r in records
        ]
        self.snapshots = {s.employee.id: s for s in snapshots}
        self.down = down
        self.lookups: list[int] = []
        self.mobile_queries: list[str] = []

    def _check(self) -> None:
        if self.down:
            raise RecordsUnavailable("learner records are down")

    def find_by_email(self, email: str) -> EmployeeRef | None:
        self._check()
        wanted = email.strip().lower()
        return next((s.employee for s in self.snapshots.values() if s.employee.email == wanted), None)

    def find_by_mobile(self, mobile: str) -> EmployeeRef | None:
        self._check()
        self.mobile_queries.append(mobile)
        digits = "".join(ch for ch in mobile if ch.isdigit())[-10:]
        return next((s.employee for s in self.snapshots.values() if s.employee.mobile == digits), None)

    def get_employee(self, employee_id: int) -> EmployeeRef | None:
        self._check()
        found = self.snapshots.get(employee_id)
        return found.employee if found else None

    def snapshot(self, employee_id: int, *, cycle: str) -> LearnerSnapshot | None:
        self._check()
        self.lookups.append(employee_id)
        return self.snapshots.get(employee_id)


class FakeMailer:
    """Collects mails instead of sending them; `fail=True` behaves like an SMTP server that is down."""

    def __init__(self, *, fail: bool = False) -> None:
        self.sent: list[dict[str, str]] = []
        self.fail = fail

    def send(self, *, to: str, subject: str, body: str) -> None:
        if self.fail:
            raise MailUnavailable("smtp down")
        self.sent.append({"to": to, "subject": subject, "body": body})

    def last_code(self) -> str:
        found = re.search(r"\b(\d{6})\b", self.sent[-1]["body"])
        assert found, "no code in the mail"
        return found.group(1)
