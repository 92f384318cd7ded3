"""H3 cells for many points at once, and fast transfer of numeric columns with binary COPY.

Employers keep their cell at STORED_RES (employer_risk.h3); any coarser cell is derived in
SQL with bit operations (parent_sql), so hotspots aggregate in PostgreSQL and Python only
sees one row per cell. H3 index layout: resolution in bits 52–55, then one 3-bit digit per
resolution (res 1 in bits 42–44 … res 15 in bits 0–2), unused digits set to 7.
"""
from __future__ import annotations

import io
import struct

import numpy as np
from h3.api import basic_int as h3
from sqlalchemy.orm import Session

STORED_RES = 10
MIN_RES, MAX_RES = 4, STORED_RES
_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
_TYPES = {"int8": ">i8", "int4": ">i4", "int2": ">i2", "float8": ">f8"}


def parent_sql(column: str, res_param: str = ":res") -> str:
    """SQL for the parent (at the bound resolution) of a stored cell column."""
    return (f"(({column} & ~(CAST(15 AS bigint) << 52)) | (CAST({res_param} AS bigint) << 52)"
            f" | ((CAST(1 AS bigint) << (3 * (15 - {res_param}))) - 1))")


def cells(lat: np.ndarray, lon: np.ndarray, res: int) -> np.ndarray:
    """The H3 cell (int64) of each point."""
    to_cell = h3.latlng_to_cell
    return np.fromiter((to_cell(a, b, res) for a, b in zip(lat.tolist(), lon.tolist())),
                       dtype=np.int64, count=len(lat))


def _row_dtype(columns: dict[str, str]) -> np.dtype:
    fields = [("fields", ">i2")]
    for name, kind in columns.items():
        fields += [(f"_len_{name}", ">i4"), (name, _TYPES[kind])]
    return np.dtype(fields)


def read_columns(session: Session, query: str, params: dict,
                 columns: dict[str, str]) -> dict[str, np.ndarray]:
    """Run `query` (psycopg2 %(name)s parameters; no NULLs) and return its columns as arrays."""
    cur = session.connection().connection.dbapi_connection.cursor()
    sql = cur.mogrify(query, params).decode()
    buf = io.BytesIO()
    cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buf)
    raw = buf.getbuffer()
    dtype = _row_dtype(columns)
    rows = np.frombuffer(raw, dtype=dtype, offset=len(_HEADER),
                         count=(len(raw) - len(_HEADER) - len(_TRAILER)) // dtype.itemsize)
    return {name: rows[name].astype(_TYPES[kind][1:]) for name, kind in columns.items()}


def write_columns(session: Session, table: str, columns: dict[str, str],
                  arrays: dict[str, np.ndarray]) -> None:
    """COPY equal-length numeric arrays into `table` (a trusted name) in binary format."""
    dtype = _row_dtype(columns)
    n = len(next(iter(arrays.values())))
    rows = np.zeros(n, dtype=dtype)
    rows["fields"] = len(columns)
    for name in columns:
        rows[f"_len_{name}"] = dtype[name].itemsize
        rows[name] = arrays[name]
    cur = session.connection().connection.dbapi_connection.cursor()
    payload = io.BytesIO(_HEADER + rows.tobytes() + _TRAILER)
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)",
                    payload)
