"""`flask --app wsgi employers import FILE`: the same import as the API, with a progress bar."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from geo.core.errors import DomainError
from geo.crs import CRS_NAMES
from geo.employers.imports import service as employer_import
from webapp.cli.jobs import job_sessions

employers = AppGroup("employers", help="Employer registry: import employer lists.")
SHOWN_REJECTS = 20


@employers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--crs", "source_crs", type=click.Choice(CRS_NAMES), default="wgs84",
              show_default=True, help="coordinate system of the 经度/纬度 columns")
@click.option("--encoding", default=None, help="CSV encoding (default: detect UTF-8 or GBK)")
@click.option("--sheet", default=None, help="XLSX sheet (default: the first)")
@click.option("--rejected-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write the rejected rows with their reasons to this CSV file")
@click.option("--dry-run", is_flag=True, help="check and report, but write nothing")
def import_command(file: Path, source_crs: str, encoding: str | None, sheet: str | None,
                   rejected_out: Path | None, dry_run: bool) -> None:
    """Import employers from a CSV or XLSX FILE, upserting by credit code."""
    bar: list[click.progressbar] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(click.progressbar(length=total, label="checking rows", show_pos=True))
        bar[0].update(done - bar[0].pos)

    from dispatch.analytics import jobs
    session = job_sessions()()
    try:
        result = employer_import.import_employers(
            session, file.read_bytes(), filename=file.name, source_crs=source_crs,
            encoding=encoding, sheet=sheet, actor="cli", progress=progress)
        if bar:
            bar[0].render_finish()
        if rejected_out and result.rejected:
            rejected_out.write_text(employer_import.rejected_csv(session, result.import_id),
                                    encoding="utf-8")
        if dry_run:
            session.rollback()
        else:
            jobs.after_write(session, jobs.all_counties(session))  # rescores changed counties
            session.commit()
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(str(exc.message)) from None  # operator output: English
    finally:
        session.close()
    click.echo(f"columns: {', '.join(f'{k}←{v}' for k, v in result.columns.items())}")
    if result.ignored_columns:
        click.echo(f"ignored columns: {', '.join(result.ignored_columns)}")
    for r in result.rejected[:SHOWN_REJECTS]:
        click.echo(f"  row {r['row']}: {r['reason']}", err=True)
    if result.rejected_count > SHOWN_REJECTS:
        click.echo(f"  … and {result.rejected_count - SHOWN_REJECTS} more rejected rows", err=True)
    click.echo(f"{'dry run, nothing written: ' if dry_run else ''}accepted {result.accepted}, "
               f"updated {result.updated}, unchanged {result.unchanged}, "
               f"rejected {result.rejected_count}; located {result.located}"
               + (f"; rejects in {rejected_out}" if rejected_out and result.rejected else ""))
