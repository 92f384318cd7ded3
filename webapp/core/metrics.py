"""`/metrics` in the Prometheus text format (prometheus_client), for an admin token or localhost.

Two kinds of figures:
- per request, counted in every worker: requests by route template, method and status, and
  their durations. Under gunicorn set PROMETHEUS_MULTIPROC_DIR (`make run` does) and the
  workers' figures are summed, as prometheus_client's multiprocess mode does;
- read from PostgreSQL when scraped (one round trip each, cheap at 1M employers): live rows
  per table (the statistics collector's estimate), connections by state, database size,
  streaming replicas and their lag, the age of the derived data.
"""
from __future__ import annotations

import os
import time

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import text

from geo.core.errors import Forbidden, Unauthorized
from geo.core.text import Text
from webapp.core.auth import public
from webapp.core.context import db

bp = Blueprint("metrics", __name__)
LOOPBACK = {"127.0.0.1", "::1"}

REQUESTS = Counter("liangwang_http_requests", "HTTP requests answered",
                   ["route", "method", "status"])
DURATION = Histogram("liangwang_http_request_duration_seconds",
                     "time to answer a request, by route template", ["route"],
                     buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"  # never the raw path: bounded labels


def register(app: Flask) -> None:
    @app.before_request
    def started():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def counted(resp):
        began = g.pop("metrics_started", None)
        if began is not None:
            route = _route()
            REQUESTS.labels(route, request.method, str(resp.status_code)).inc()
            DURATION.labels(route).observe(time.perf_counter() - began)
        return resp


class DatabaseFigures:
    """Gauges read from PostgreSQL at scrape time, through the request's session."""

    def __init__(self, session):
        self.session = session

    def collect(self):
        s = self.session
        rows = GaugeMetricFamily("liangwang_table_rows", "live rows per table (estimate)",
                                 labels=["table"])
        for name, n in s.execute(text(
                "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY relname")).all():
            rows.add_metric([name], n)
        yield rows
        conns = GaugeMetricFamily("liangwang_db_connections", "sessions on the database",
                                  labels=["state"])
        for state, n in s.execute(text(
                "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() GROUP BY 1 ORDER BY 1")).all():
            conns.add_metric([state], n)
        yield conns
        yield GaugeMetricFamily("liangwang_db_size_bytes", "size of the database",
                                value=s.execute(text(
                                    "SELECT pg_database_size(current_database())")).scalar_one())
        replicas = s.execute(text(
            "SELECT count(*), coalesce(max(extract(epoch FROM replay_lag)), 0) "
            "FROM pg_stat_replication")).one()
        yield GaugeMetricFamily("liangwang_replicas_streaming",
                                "standbys streaming from this primary", value=replicas[0])
        yield GaugeMetricFamily("liangwang_replica_replay_lag_seconds",
                                "largest replay lag of a standby", value=float(replicas[1]))
        age = s.execute(text(
            "SELECT extract(epoch FROM now() - max(computed_at)) FROM hotspot_results")).scalar()
        yield GaugeMetricFamily("liangwang_hotspots_age_seconds",
                                "time since the hotspot layers were last computed",
                                value=float(age) if age is not None else float("nan"))
        yield from _job_figures(s)


def _job_figures(s):
    """Runs of each scheduled job by outcome, and when each last finished that way."""
    from dispatch.schedule import service as schedule

    runs = CounterMetricFamily("liangwang_job_runs", "recorded runs of each scheduled job",
                               labels=["job", "status"])
    last = GaugeMetricFamily("liangwang_job_last_finished_timestamp_seconds",
                             "when a job last finished with this status", labels=["job", "status"])
    for job, status, n, at in schedule.metrics(s):
        runs.add_metric([job, status], n)
        if at is not None:
            last.add_metric([job, status], float(at))
    yield runs
    yield last
    seen = s.execute(text(
        "SELECT extract(epoch FROM now() - max(seen_at)) FROM scheduled_jobs")).scalar()
    yield GaugeMetricFamily("liangwang_scheduler_seen_age_seconds",
                            "time since a scheduler process was last heard from",
                            value=float(seen) if seen is not None else float("nan"))


def _allowed() -> None:
    if request.remote_addr in LOOPBACK and "X-Forwarded-For" not in request.headers:
        return  # the machine's own scraper; a request relayed by a proxy is not local
    user = g.get("user")
    if user is None:
        raise Unauthorized(Text("webapp.metrics.sign_in"))
    if user.role != "admin":
        raise Forbidden(Text("webapp.metrics.admin_only"))


@bp.get("/metrics")
@public  # checked inside: an admin's token, or a scrape from this machine
def metrics():
    """Prometheus metrics: requests and durations per route, database figures."""
    _allowed()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        workers = CollectorRegistry()
        multiprocess.MultiProcessCollector(workers)
        body = generate_latest(workers)
    else:
        body = generate_latest(REGISTRY)
    figures = CollectorRegistry()
    figures.register(DatabaseFigures(db()))
    return Response(body + generate_latest(figures), mimetype=CONTENT_TYPE_LATEST)
