"""OGC API – Features (Part 1: Core, GeoJSON) at /ogc, so QGIS and GDAL read the grids,
admin areas, employers and projects without a file export.

Every request needs a bearer token (or a signed-in session) of any staff role, and sees only
the reader's territory. Coordinates are CRS84 (longitude, latitude), as the standard's
default; `bbox` is `minx,miny,maxx,maxy` in the same. `limit` above 10,000 is served as
10,000 (the standard allows it); pages link to the next one.
"""
from __future__ import annotations

import json
import math

from flask import Blueprint, Response, g, request, url_for
from sqlalchemy import text

from dispatch.projects.features import PROJECTS
from geo.accounts.models import ROLES
from geo.areas.features import AREAS, GRIDS
from geo.core.clock import now
from geo.core.errors import InvalidInput, NotFound
from geo.core.features import DEFAULT_LIMIT, MAX_LIMIT, Collection
from geo.core.text import Text
from geo.employers.features import EMPLOYERS
from webapp.core.auth import roles
from webapp.core.context import db, replica_reads
from webapp.core.i18n import t

bp = Blueprint("ogc", __name__)
COLLECTIONS: dict[str, Collection] = {c.id: c for c in (GRIDS, AREAS, EMPLOYERS, PROJECTS)}
GEOJSON = "application/geo+json"
JSON = "application/json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]


def _json(body: dict, mimetype: str = JSON) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), mimetype=mimetype)


def _link(endpoint: str, rel: str, type_: str, title: str | None = None, **values) -> dict:
    link = {"href": url_for(endpoint, _external=True, **values), "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def _allowed() -> list[str] | None:
    """The reader's counties and their own area's adcode (None: the whole province)."""
    territory = g.get("territory")
    if territory is None or territory.whole:
        return None
    return sorted(territory.counties | {territory.adcode})


def _collection(collection_id: str) -> Collection:
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise NotFound(Text("ogc.error.no_collection", collection=collection_id,
                            known=", ".join(COLLECTIONS)), {"collection": collection_id})
    return found


def _extent() -> list[float]:
    """The bounding box of the reader's area (every feature lies inside it)."""
    territory = g.get("territory")
    adcode = "410000" if territory is None else territory.adcode
    row = db().execute(text(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT geom::box2d AS e "
        "FROM admin_areas WHERE adcode = :a ORDER BY level LIMIT 1) s"), {"a": adcode}).one()
    return [round(float(v), 6) for v in row]


def _describe(c: Collection, extent: list[float]) -> dict:
    return {
        "id": c.id, "title": t(c.title), "description": t(c.description), "itemType": "feature",
        "crs": [CRS84], "extent": {"spatial": {"bbox": [extent], "crs": CRS84}},
        "links": [
            _link("ogc.collection", "self", JSON, collection_id=c.id),
            _link("ogc.items", "items", GEOJSON, t(c.title), collection_id=c.id),
        ],
    }


@bp.get("/ogc")
@bp.get("/ogc/")
@roles(*ROLES)
def landing():
    """OGC API landing page: links to the conformance declaration and the collections."""
    return _json({
        "title": t(Text("ogc.title")), "description": t(Text("ogc.description")),
        "links": [
            _link("ogc.landing", "self", JSON),
            _link("ogc.conformance", "conformance", JSON),
            _link("ogc.collections", "data", JSON),
            _link("ogc.api", "service-desc", "application/vnd.oai.openapi+json;version=3.0"),
        ],
    })


@bp.get("/ogc/api")
@roles(*ROLES)
def api():
    """The API definition (OpenAPI 3.0): paths and the `limit`, `offset` and `bbox` parameters;
    clients such as GDAL read the page size they may ask for from it."""
    limit = {"name": "limit", "in": "query", "required": False, "style": "form",
             "explode": False, "schema": {"type": "integer", "minimum": 1,
                                          "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}}
    offset = {"name": "offset", "in": "query", "required": False,
              "schema": {"type": "integer", "minimum": 0, "default": 0}}
    bbox = {"name": "bbox", "in": "query", "required": False, "style": "form",
            "explode": False, "schema": {"type": "array", "minItems": 4, "maxItems": 6,
                                         "items": {"type": "number"}}}
    cid = {"name": "collectionId", "in": "path", "required": True,
           "schema": {"type": "string", "enum": list(COLLECTIONS)}}
    fid = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    ok = {"200": {"description": "OK"}}

    def op(summary: Text, *params):
        return {"get": {"summary": t(summary), "parameters": list(params), "responses": ok}}
    return _json({
        "openapi": "3.0.3",
        "info": {"title": t(Text("ogc.title")), "version": "1.0"},
        "servers": [{"url": url_for("ogc.landing", _external=True).rstrip("/")}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/": op(Text("ogc.title")),
            "/conformance": op(Text("ogc.api.conformance")),
            "/collections": op(Text("ogc.api.collections")),
            "/collections/{collectionId}": op(Text("ogc.api.collection"), cid),
            "/collections/{collectionId}/items": op(Text("ogc.api.items"), cid, limit, offset,
                                                    bbox),
            "/collections/{collectionId}/items/{featureId}": op(Text("ogc.api.item"), cid, fid),
        },
    }, "application/vnd.oai.openapi+json;version=3.0")


@bp.get("/ogc/conformance")
@roles(*ROLES)
def conformance():
    """The conformance classes implemented (Features Part 1: Core and GeoJSON)."""
    return _json({"conformsTo": CONFORMANCE})


@bp.get("/ogc/collections")
@roles(*ROLES)
@replica_reads
def collections():
    """Every feature collection: grids, admin areas, employers, construction projects."""
    extent = _extent()
    return _json({"links": [_link("ogc.collections", "self", JSON)],
                  "collections": [_describe(c, extent) for c in COLLECTIONS.values()]})


@bp.get("/ogc/collections/<collection_id>")
@roles(*ROLES)
@replica_reads
def collection(collection_id: str):
    """One collection's description."""
    return _json(_describe(_collection(collection_id), _extent()))


MAX_OFFSET = 2_000_000_000
PAGE_ARGS = ("bbox", "bbox-crs")  # carried into the next/prev links; other arguments are not


def _int(name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise InvalidInput(Text("ogc.error.integer", name=name, minimum=minimum),
                           {"parameter": name})
    if maximum is not None and value > maximum:
        raise InvalidInput(Text("ogc.error.too_large", name=name, maximum=maximum),
                           {"parameter": name})
    return value


def _bbox() -> tuple[float, float, float, float] | None:
    raw = request.args.get("bbox")
    if raw in (None, ""):
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        values = []
    if len(values) == 6:  # a 3D box: the heights do not matter here
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values) \
            or values[0] > values[2] or values[1] > values[3] \
            or not (-180 <= values[0] <= 180 and -180 <= values[2] <= 180
                    and -90 <= values[1] <= 90 and -90 <= values[3] <= 90):
        raise InvalidInput(Text("ogc.error.bbox", value=raw[:80]), {"parameter": "bbox"})
    crs = request.args.get("bbox-crs")
    if crs not in (None, "", CRS84):
        raise InvalidInput(Text("ogc.error.bbox_crs", crs=crs[:120]), {"parameter": "bbox-crs"})
    return tuple(values)


@bp.get("/ogc/collections/<collection_id>/items")
@roles(*ROLES)
@replica_reads
def items(collection_id: str):
    """A page of features (GeoJSON) in id order: `limit` (≤ 10,000), `offset`, `bbox`."""
    c = _collection(collection_id)
    limit = min(_int("limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int("offset", 0, 0, MAX_OFFSET)
    bbox = _bbox()
    features, matched = c.items(db(), counties=_allowed(), limit=limit, offset=offset, bbox=bbox)
    page = {k: request.args[k] for k in PAGE_ARGS if request.args.get(k)}
    links = [_link("ogc.items", "self", GEOJSON, collection_id=c.id, limit=limit,
                   offset=offset, **page)]
    if offset + len(features) < matched:
        links.append(_link("ogc.items", "next", GEOJSON, collection_id=c.id, limit=limit,
                           offset=offset + limit, **page))
    if offset > 0:
        links.append(_link("ogc.items", "prev", GEOJSON, collection_id=c.id, limit=limit,
                           offset=max(0, offset - limit), **page))
    head = json.dumps({"type": "FeatureCollection", "numberMatched": matched,
                       "numberReturned": len(features),
                       "timeStamp": now().isoformat(timespec="seconds"), "links": links},
                      ensure_ascii=False)
    body = head[:-1] + ', "features": [' + ",".join(features) + "]}"
    return Response(body, mimetype=GEOJSON)


@bp.get("/ogc/collections/<collection_id>/items/<feature_id>")
@roles(*ROLES)
@replica_reads
def item(collection_id: str, feature_id: str):
    """One feature; 404 when absent or outside the reader's territory (the same answer)."""
    c = _collection(collection_id)
    found = c.item(db(), feature_id[:64], counties=_allowed())
    if found is None:
        raise NotFound(Text("ogc.error.no_feature", collection=c.id, feature=feature_id[:64]),
                       {"feature": feature_id[:64]})
    feature = json.loads(found)
    feature["links"] = [
        _link("ogc.item", "self", GEOJSON, collection_id=c.id, feature_id=feature_id),
        _link("ogc.collection", "collection", JSON, collection_id=c.id),
    ]
    return _json(feature, GEOJSON)
