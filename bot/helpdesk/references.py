"""Storing a row under a new reference number (`contract.references`), unique however many are filed at
once: a collision with an existing reference is simply tried again with another."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import Base
from contract.references import new_reference

Row = TypeVar("Row", bound=Base)
TRIES = 5


def insert_with_reference(
    sessions: sessionmaker[Session],
    prefix: str,
    build: Callable[[str], Row],
    *,
    existing: Callable[[Session], Row | None] | None = None,
) -> tuple[Row, bool]:
    """Insert `build(reference)` under a new `prefix` reference; returns the row and whether it is new.

    With `existing`, the row that makes a new one unnecessary (the same person's request for the same
    organisation) is looked for first, and again after a collision, which may be that row filed at the
    same moment.
    """
    for _attempt in range(TRIES):
        if existing is not None:
            with sessions.begin() as session:
                found = existing(session)
                if found is not None:
                    return found, False
        try:
            with sessions.begin() as session:
                row = build(new_reference(prefix))
                session.add(row)
            return row, True
        except IntegrityError:
            continue
    raise RuntimeError(f"could not allocate a unique {prefix} reference")
