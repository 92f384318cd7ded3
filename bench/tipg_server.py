"""TiPg (PyPI `tipg`) on our database, for bench.tiles: `python -m bench.tipg_server DSN PORT`.

TiPg's settings insist on a TCP host in DATABASE_URL; our throwaway clusters listen on a
Unix socket only, which asyncpg reaches through `?host=/path/to/socket-dir`. So the
settings object is built without that check and handed to TiPg's own start-up.
"""
from __future__ import annotations

import sys

import uvicorn


def main(dsn: str, port: int) -> None:
    import tipg.database
    from tipg.settings import PostgresSettings

    def local_settings(*args, **kwargs):
        return PostgresSettings.model_construct(
            database_url=dsn, db_min_conn_size=1, db_max_conn_size=10, db_max_queries=50000,
            db_max_inactive_conn_lifetime=300.0)

    tipg.database.PostgresSettings = local_settings
    from tipg.main import app
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
