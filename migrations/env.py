"""Alembic environment: the URL comes from the caller's config, or from settings."""

from alembic import context

from bot.db import Base, make_engine
from bot.helpdesk import tables as _helpdesk  # noqa: F401  (each import registers its tables)
from bot.identity import tables as _identity  # noqa: F401
from bot.knowledge import tables as _knowledge  # noqa: F401
from bot.records import tables as _records  # noqa: F401
from bot.settings import get_settings

url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=url.startswith("sqlite")
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
