"""The one place services are built: lazily, once per process, and swappable in tests."""

import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessions
from bot.settings import Settings, get_settings


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker[Session]


_services: Services | None = None
_lock = threading.Lock()


def build_services(settings: Settings) -> Services:
    return Services(settings=settings, sessions=make_sessions(make_engine(settings.database_url)))


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
