"""Shared fixtures: the assistant's database on SQLite and on PostgreSQL."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessions, upgrade
from bot.knowledge.index import load_index
from bot.knowledge.ingest import ingest
from bot.knowledge.search import KnowledgeBase
from bot.services import Services, set_services
from bot.settings import Settings, get_settings
from tests.e2e.servers import Servers, start_servers
from tests.fakes import HashingEncoder

KB_DOCS = Path(__file__).resolve().parent / "data" / "kb"

# Run by the Rasa environment (make unit), with the real Rasa classes this environment does not have.
collect_ignore = ["connectors"]

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


@pytest.fixture(scope="session")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The small test corpus in tests/data/kb, indexed with the hashing encoder.

    The fusion weights and threshold are fixed here, as the tests' expectations depend on them, rather
    than following the values tuned for the real model.
    """
    folder = tmp_path_factory.mktemp("kb") / "index"
    encoder = HashingEncoder()
    ingest([KB_DOCS], folder, encoder=encoder)
    return KnowledgeBase(load_index(folder), encoder, min_score=1.2, lexical_weight=2.0, saturation=15.0)


@pytest.fixture
def services(
    sessions: sessionmaker[Session], database_url: str, knowledge_base: KnowledgeBase
) -> Iterator[Services]:
    """The action server's services, pointed at the test database and the test knowledge base."""
    installed = Services(
        settings=Settings(database_url=database_url), sessions=sessions, knowledge_base=knowledge_base
    )
    set_services(installed)
    yield installed
    set_services(None)


@pytest.fixture
def database_down() -> Iterator[Services]:
    """Services whose database refuses connections."""
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    engine = make_engine(url, connect_args={"connect_timeout": 2})
    installed = Services(
        settings=Settings(database_url=url, kb_index_dir=Path("/nonexistent")),
        sessions=make_sessions(engine),
        encoder=HashingEncoder(),
    )
    set_services(installed)
    yield installed
    set_services(None)


# The command line as a user runs it: settings from the environment, a fresh SQLite database.
CLI_SECRET = "a-test-portal-secret-of-at-least-32-bytes"
SMALL_DEMO = ["--employees", "40", "--organisations", "3", "--courses", "40"]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty database and an HS256 portal key, seen by `sahayak` through the environment."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SAHAYAK_DATABASE_URL", url)
    monkeypatch.setenv("SAHAYAK_IDENTITY_JWT_KEY", CLI_SECRET)
    monkeypatch.setenv("SAHAYAK_IDENTITY_JWT_ALGORITHM", "HS256")
    get_settings.cache_clear()
    set_services(None)
    upgrade(url)
    yield url
    set_services(None)
    get_settings.cache_clear()


@pytest.fixture
def cli_demo(cli_env: str) -> str:
    """`cli_env` with a small set of demo records loaded by `sahayak demo load`."""
    from typer.testing import CliRunner

    from bot.tools import cli

    loaded = CliRunner().invoke(cli.app, ["demo", "load", *SMALL_DEMO])
    assert loaded.exit_code == 0, loaded.output
    return cli_env


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The real Rasa server and action server, shared by every end-to-end test of the session."""
    running = start_servers(tmp_path_factory.mktemp("e2e"))
    try:
        yield running
    finally:
        running.stop()
