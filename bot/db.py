"""Engine, sessions and migrations for the assistant's own database."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from bot.settings import ROOT


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC. Everything is stored in UTC, but SQLite hands datetimes back naive."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, *, connect_timeout: int = 5, statement_timeout: int = 10, **kwargs: Any) -> Engine:
    """An engine whose errors never echo statement parameters (they hold emails and mobile numbers),
    and that gives up on a database that stops answering instead of waiting for ever: connecting, each
    statement and waiting for a pooled connection are bounded (seconds)."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        path = url.partition(":///")[2]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has no statement timeout; `timeout` bounds the wait for another writer's lock.
        engine = create_engine(url, connect_args={"timeout": statement_timeout}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        # Sent at connect: a statement running longer is cancelled by the server. Options already in
        # the URL (a search_path, say) are kept.
        given = make_url(url).query.get("options")
        options = " ".join(
            [
                *([given] if isinstance(given, str) else list(given or ())),
                f"-c statement_timeout={statement_timeout * 1000}",
            ]
        )
        connect_args = {"connect_timeout": connect_timeout, "options": options}
    connect_args.update(kwargs.pop("connect_args", {}))
    kwargs.setdefault("pool_timeout", connect_timeout)
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema: the one way the database is prepared, in `make run` and in tests."""
    command.upgrade(alembic_config(url), revision)
