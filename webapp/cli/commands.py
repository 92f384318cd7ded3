"""`flask --app wsgi ...` commands: prepare (migrate + data + demo accounts), seed, create-user,
backup and restore."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import text

from dispatch.demo import link_demo_inspector
from geo.accounts import service as accounts
from geo.accounts.models import ROLES
from geo.areas import boundaries
from geo.core import backup as backups
from geo.core import clock, migrate
from geo.core.db import unit_of_work
from geo.core.text import Text
from webapp.cli.jobs import job_sessions, said


def seed_with_progress(employers: int, seed: int) -> dict:
    from dispatch.demo import seed_demo

    bars: dict[str, click.progressbar] = {}
    totals = {"employers": employers, "grids": max(1, employers // 133)}

    def progress(stage: str, n: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.render_finish()
            bars[stage] = click.progressbar(length=totals[stage], label=f"seeding {stage:9s}",
                                            show_pos=True)
        bars[stage].update(n)

    with unit_of_work(job_sessions()) as session:
        boundaries.load(session)
        result = seed_demo(session, employers=employers, seed=seed, progress=progress)
    for bar in bars.values():
        bar.render_finish()
    return result


def refresh_derived() -> dict:
    """Rescore counties whose inputs changed and bring the hotspot caches up to date."""
    from dispatch.analytics import jobs

    started = time.monotonic()
    with unit_of_work(job_sessions()) as session:
        done = jobs.refresh_all(session)
    with unit_of_work(job_sessions()) as session:  # sign-in bookkeeping past its use
        done["pruned"] = accounts.prune(session, now=clock.now())
    click.echo(f"derived data: {json.dumps(done)} in {time.monotonic() - started:.1f} s")
    return done


def known_schema(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(migrate.alembic_config("")).get_revision(
            revision) is not None
    except CommandError:
        return False


def register(app: Flask) -> None:
    from webapp.cli.employers import employers
    from webapp.cli.schedule import jobs

    app.cli.add_command(employers)
    app.cli.add_command(jobs)

    @app.cli.command("prepare")
    @click.option("--employers", default=200_000, show_default=True,
                  help="demo employers to generate on first start")
    @click.option("--seed", default=2026, show_default=True)
    def prepare(employers: int, seed: int) -> None:
        """Migrate, load the Henan boundaries, seed the demo data and accounts (idempotent)."""
        started = time.monotonic()
        migrate.upgrade(current_app.extensions["liangwang"]["url"])
        with unit_of_work(job_sessions()) as session:
            loaded = boundaries.load(session)
            present = session.execute(text("SELECT count(*) FROM employers")).scalar_one()
        if loaded:
            click.echo(f"loaded {loaded} Henan boundaries")
        if present == 0 and employers > 0:
            click.echo(f"first start: generating the demo dataset ({employers} employers)…")
            result = seed_with_progress(employers, seed)
            click.echo(f"demo data: {json.dumps(result)}")
        settings = current_app.extensions["liangwang"]["settings"]
        if settings.demo:
            path = settings.var / "demo-accounts.json"
            with unit_of_work(job_sessions()) as session:
                demo = accounts.ensure_demo_accounts(session, path)
                link_demo_inspector(session)
            click.echo(f"demo accounts (also in {path}, mode 0600):")
            for a in demo:
                click.echo(f"  {a['role']:10s} {a['username']:16s} {a['password']}")
        refresh_derived()
        click.echo(f"prepared in {time.monotonic() - started:.1f} s")

    @app.cli.command("refresh")
    def refresh() -> None:
        """Refresh derived data (risk scores, hotspot layers): daily and after bulk loads."""
        refresh_derived()

    @app.cli.command("load-holidays")
    def load_holidays() -> None:
        """Load the State Council holiday schedule from the installed chinese-calendar package
        (after upgrading it for next year's schedule); days entered by hand are kept."""
        from dispatch.calendar.service import load_official
        with unit_of_work(job_sessions()) as session:
            click.echo(json.dumps(load_official(session, actor="cli"), ensure_ascii=False))

    @app.cli.command("seed")
    @click.option("--employers", default=200_000, show_default=True)
    @click.option("--seed", default=2026, show_default=True)
    @click.option("--reset/--no-reset", default=False,
                  help="delete existing employers, grids, officers and cases first")
    def seed(employers: int, seed: int, reset: bool) -> None:
        """Generate the deterministic demo dataset (1,000,000 employers for benchmarks)."""
        migrate.upgrade(current_app.extensions["liangwang"]["url"])
        with unit_of_work(job_sessions()) as session:
            present = session.execute(text("SELECT count(*) FROM employers")).scalar_one()
            if present and not reset:
                raise click.ClickException(
                    f"{present} employers exist already; add --reset to replace them")
            if reset:
                session.execute(text(
                    "TRUNCATE supervision_reports, case_supervisions, case_events, cases, "
                    "complaint_decisions, document_numbers, assignments, inspections, "
                    "complaints, incidents, recusals, officers, employers, grid_history, grids, "
                    # derived tables without foreign keys: rebuilt from the new data
                    "employer_risk, risk_inputs, hotspot_results, county_rollups "
                    "RESTART IDENTITY CASCADE"))
        started = time.monotonic()
        result = seed_with_progress(employers, seed)
        with unit_of_work(job_sessions()) as session:
            link_demo_inspector(session)  # the new officers: demo inspectors see a grid again
        click.echo(f"seeded {json.dumps(result)} in {time.monotonic() - started:.1f} s")

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--area", default="410000", show_default=True,
                  help="territory: the province, a city or a county adcode")
    @click.password_option()
    def create_user(username: str, role: str, area: str, password: str) -> None:
        """Create a user of a territory (the password is asked twice and stored hashed)."""
        with unit_of_work(job_sessions()) as session:
            accounts.create_user(session, username=username, password=password, role=role,
                                 actor="cli", area=area)
        click.echo(f"created {username} ({role}, {area})")

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def backup(file: Path) -> None:
        """Write the database (pg_dump custom format) and the uploaded files to FILE (a tar)."""
        ext = current_app.extensions["liangwang"]
        started = time.monotonic()
        try:
            manifest = backups.backup(ext["url"], ext["settings"].var, file)
        except backups.BackupError as exc:
            raise click.ClickException(said(exc.message)) from None
        rows = sum(r for r, _ in manifest["tables"].values())
        click.echo(said(Text("cli.backup.done", path=str(file), tables=len(manifest["tables"]),
                             rows=rows, files=len(manifest["files"]),
                             size=f"{file.stat().st_size / 1e6:.1f}",
                             seconds=f"{time.monotonic() - started:.1f}")))

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True,
                  help="end the other sessions on the database (stop the app instead if you can)")
    def restore(file: Path, force: bool) -> None:
        """Replace the database and the uploaded files with the backup FILE, then migrate."""
        ext = current_app.extensions["liangwang"]
        started = time.monotonic()
        ext["engine"].dispose()  # this command's own pooled sessions are not "other sessions"
        if "job_sessions" in ext:
            ext["job_sessions"].kw["bind"].dispose()
        try:
            result = backups.restore(ext["url"], ext["settings"].var, file,
                                     known_schema=known_schema, force=force)
        except backups.BackupError as exc:
            raise click.ClickException(said(exc.message)) from None
        migrate.upgrade(ext["url"])
        backups.advance_versions(ext["url"], result["versions_before"])
        if result["differ"]:
            raise click.ClickException(said(Text("cli.restore.differs",
                                                 tables=", ".join(result["differ"]))))
        click.echo(said(Text("cli.restore.done", path=str(file),
                             made_at=result["manifest"]["made_at"],
                             tables=len(result["tables"]),
                             files=len(result["manifest"]["files"]),
                             seconds=f"{time.monotonic() - started:.1f}")))
