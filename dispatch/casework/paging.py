"""The mechanics the complaint and case lists share: the search box (a number finds the
record, any other text the employer's name or credit code, or a text column of the record),
and one page read as narrow ids first (cheap to sort), then the page's rows in full."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

EMPLOYER_JOIN = "LEFT JOIN employers e ON e.id = {alias}.employer_id"


def search(q: str | None, *, alias: str, text_column: str) -> tuple[str | None, dict, bool]:
    """(condition, its parameters, whether the employer must be joined as `e`)."""
    q = (q or "").strip()
    if not q:
        return None, {}, False
    if q.isdigit():
        return f"{alias}.id = :qid", {"qid": int(q)}, False
    return (f"(e.name ILIKE :q OR e.credit_code = upper(:raw) OR {text_column} ILIKE :q)",
            {"q": f"%{q}%", "raw": q}, True)


def page(session: Session, *, source: str, condition: str, order: str, alias: str,
         detail_sql: str, params: dict, page_no: int, per_page: int,
         view: Callable) -> dict:
    """One page of `source` (FROM … WHERE `condition` ORDER BY `order`), its rows read with
    `detail_sql` (… WHERE <alias>.id = ANY(:ids) is appended) and shown with `view`."""
    bound = {**params, "limit": per_page, "offset": (page_no - 1) * per_page}
    ids = session.execute(text(f"SELECT {alias}.id FROM {source} WHERE {condition} "
                               f"ORDER BY {order} LIMIT :limit OFFSET :offset"),
                          bound).scalars().all()
    found = {r.id: r for r in session.execute(text(f"{detail_sql} WHERE {alias}.id = ANY(:ids)"),
                                              {"ids": list(ids)})}
    total = session.execute(text(f"SELECT count(*) FROM {source} WHERE {condition}"),
                            bound).scalar_one()
    return {"items": [view(found[i]) for i in ids], "total": total, "page": page_no,
            "per_page": per_page}
