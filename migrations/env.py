"""Alembic environment: the URL comes from the caller (geo.core.migrate)."""
from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, pool

import dispatch.analytics.models  # noqa: F401
import dispatch.audits.models  # noqa: F401  (register tables)
import dispatch.calendar.models  # noqa: F401  (register tables)
import dispatch.casework.models  # noqa: F401  (register tables)
import dispatch.disclosure.models  # noqa: F401  (register tables)
import dispatch.grading.models  # noqa: F401  (register tables)
import dispatch.inspections.models  # noqa: F401  (register tables)
import dispatch.officers.models  # noqa: F401  (register tables)
import dispatch.projects.models  # noqa: F401  (register tables)
import dispatch.referrals.models  # noqa: F401  (register tables)
import dispatch.rewards.models  # noqa: F401  (register tables)
import dispatch.schedule.models  # noqa: F401  (register tables)
import dispatch.written_review.models  # noqa: F401  (register tables)
import geo.accounts.models  # noqa: F401
import geo.areas.models  # noqa: F401
import geo.attachments.models  # noqa: F401
import geo.core.db  # noqa: F401
import geo.core.versions  # noqa: F401  (register tables)
import geo.employers.models  # noqa: F401
import geo.grids.models  # noqa: F401
from geo.core.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    connectable = config.attributes.get("connection") or create_engine(url, poolclass=pool.NullPool)
    if hasattr(connectable, "connect") and not hasattr(connectable, "execute"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=alembic_helpers.include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
