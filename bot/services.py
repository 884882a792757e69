"""The one place services are built: lazily, once per process, and swappable in tests."""

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessions
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.identity.mailer import Mailer
    from bot.knowledge.embeddings import Encoder
    from bot.knowledge.search import KnowledgeBase
    from bot.records.source import LearnerRecords


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker[Session]
    encoder: "Encoder | None" = None
    knowledge_base: "KnowledgeBase | None" = None
    learner_records: "LearnerRecords | None" = None
    mail: "Mailer | None" = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def knowledge(self) -> "KnowledgeBase":
        """The knowledge base, loaded on first use. A missing or broken index raises `IndexUnavailable`
        each time it is asked for, so a rebuilt index is picked up without a restart."""
        if self.knowledge_base is None:
            with self._lock:
                if self.knowledge_base is None:
                    from bot.knowledge.embeddings import SentenceEncoder
                    from bot.knowledge.search import KnowledgeBase

                    if self.encoder is None:
                        self.encoder = SentenceEncoder(self.settings.embedding_model)
                    self.knowledge_base = KnowledgeBase.configured(
                        self.settings.kb_index_dir, self.encoder, self.settings
                    )
        return self.knowledge_base

    def records(self) -> "LearnerRecords":
        """Learner records from the source the settings name."""
        if self.learner_records is None:
            if self.settings.records_source == "http":
                from bot.records.api_source import HttpLearnerRecords

                self.learner_records = HttpLearnerRecords(
                    self.settings.records_api_url, self.settings.records_api_key
                )
            else:
                from bot.records.sql_source import SqlLearnerRecords

                self.learner_records = SqlLearnerRecords(self.sessions)
        return self.learner_records

    def mail_configured(self) -> bool:
        """Codes can be mailed: over SMTP, or to the outbox file in development mode."""
        return bool(self.mail is not None or self.settings.smtp_host or self.settings.development)

    def mailer(self) -> "Mailer":
        """SMTP when a host is configured, else the development outbox file."""
        if self.mail is None:
            from bot.identity.mailer import OutboxMailer, SmtpMailer

            s = self.settings
            if s.smtp_host:
                self.mail = SmtpMailer(
                    s.smtp_host,
                    s.smtp_port,
                    starttls=s.smtp_starttls,
                    ssl=s.smtp_ssl,
                    username=s.smtp_username,
                    password=s.smtp_password,
                    sender=s.mail_sender,
                )
            else:
                self.mail = OutboxMailer(s.mail_outbox, sender=s.mail_sender)
        return self.mail


_services: Services | None = None
_lock = threading.Lock()


def build_services(settings: Settings) -> Services:
    engine = make_engine(
        settings.database_url,
        connect_timeout=settings.database_connect_timeout,
        statement_timeout=settings.database_statement_timeout,
    )
    return Services(settings=settings, sessions=make_sessions(engine))


def get_services() -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = build_services(get_settings())
    return _services


def set_services(services: Services | None) -> None:
    """Install fakes (tests), or None to rebuild from settings on next use."""
    global _services
    with _lock:
        _services = services
