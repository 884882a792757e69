"""Shared fixtures: the assistant's database on SQLite and on PostgreSQL."""

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessions, upgrade
from bot.services import Services, set_services
from bot.settings import Settings

POSTGRES_URL = os.environ.get(
    "SAHAYAK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a fresh schema in the PostgreSQL test database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sahayak.db'}"
        upgrade(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # the suite must say why, not skip silently
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def services(sessions: sessionmaker[Session], database_url: str) -> Iterator[Services]:
    """The action server's services, pointed at the test database."""
    installed = Services(settings=Settings(database_url=database_url), sessions=sessions)
    set_services(installed)
    yield installed
    set_services(None)


@pytest.fixture
def database_down() -> Iterator[Services]:
    """Services whose database refuses connections."""
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    engine = make_engine(url, connect_args={"connect_timeout": 2})
    installed = Services(settings=Settings(database_url=url), sessions=make_sessions(engine))
    set_services(installed)
    yield installed
    set_services(None)
