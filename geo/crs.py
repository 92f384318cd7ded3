"""Coordinate conversions between WGS 84 / CGCS2000, GCJ-02 (Amap, Tencent) and BD-09 (Baidu)."""

import numpy as np

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_TOL = 1e-9  # degrees, convergence threshold of the iterative inverses
_MAX_ITER = 50
CRS_NAMES = ("wgs84", "cgcs2000", "gcj02", "bd09")


def _arrays(lon, lat):
    """Return lon, lat as broadcast float64 arrays."""
    return np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def _out(lon, lat):
    """Return (lon, lat), as numpy scalars when the result is 0-dimensional."""
    return (lon[()], lat[()]) if np.ndim(lon) == 0 else (lon, lat)


def out_of_china(lon, lat):
    """True where a point lies outside the rough China box in which GCJ-02 applies."""
    lon, lat = _arrays(lon, lat)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon, lat):
    """GCJ-02 offset (dlon, dlat) in degrees for WGS 84 points, zero outside China."""
    x, y = lon - 105.0, lat - 35.0
    s = 20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + s * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + s * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def _gcj_forward(lon, lat):
    """Array-only WGS 84 -> GCJ-02."""
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def _bd_forward(lon, lat):
    """Array-only GCJ-02 -> BD-09."""
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_approx_inverse(lon, lat):
    """Array-only one-step BD-09 -> GCJ-02 (the usual closed-form approximation)."""
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(forward, lon, lat, start):
    """Solve forward(p) = (lon, lat) by fixed-point iteration from start until < _TOL degrees."""
    x, y = start
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        x, y = x - ex, y - ey
        err = np.maximum(np.abs(ex), np.abs(ey))
        if np.max(err, initial=0.0, where=np.isfinite(err)) < _TOL:
            break
    return x, y


def wgs84_to_gcj02(lon, lat):
    """Convert WGS 84 lon/lat to GCJ-02 (unchanged outside China)."""
    return _out(*_gcj_forward(*_arrays(lon, lat)))


def gcj02_to_wgs84(lon, lat):
    """Convert GCJ-02 lon/lat to WGS 84 by fixed-point iteration (unchanged outside China)."""
    lon, lat = _arrays(lon, lat)
    return _out(*_invert(_gcj_forward, lon, lat, (lon, lat)))


def gcj02_to_bd09(lon, lat):
    """Convert GCJ-02 lon/lat to BD-09."""
    return _out(*_bd_forward(*_arrays(lon, lat)))


def bd09_to_gcj02(lon, lat):
    """Convert BD-09 lon/lat to GCJ-02 (closed form refined by fixed-point iteration)."""
    lon, lat = _arrays(lon, lat)
    return _out(*_invert(_bd_forward, lon, lat, _bd_approx_inverse(lon, lat)))


def bd09_to_wgs84(lon, lat):
    """Convert BD-09 lon/lat to WGS 84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    """Convert WGS 84 lon/lat to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _check(crs):
    """Return the normalised CRS name or raise ValueError naming the allowed values."""
    name = str(crs).strip().lower() if crs is not None else ""
    if name not in CRS_NAMES:
        raise ValueError(f"unknown CRS {crs!r}; allowed values: {', '.join(CRS_NAMES)}")
    return name


def to_wgs84(lon, lat, source_crs):
    """Convert lon/lat from source_crs ('wgs84', 'cgcs2000', 'gcj02', 'bd09') to WGS 84."""
    name = _check(source_crs)
    if name == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if name == "bd09":
        return bd09_to_wgs84(lon, lat)
    return _out(*(a.copy() for a in _arrays(lon, lat)))  # CGCS2000 == WGS 84 here


def from_wgs84(lon, lat, target_crs):
    """Convert WGS 84 lon/lat to target_crs ('wgs84', 'cgcs2000', 'gcj02', 'bd09')."""
    name = _check(target_crs)
    if name == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if name == "bd09":
        return wgs84_to_bd09(lon, lat)
    return _out(*(a.copy() for a in _arrays(lon, lat)))


def transform_geometry(geom, fn):
    """Apply fn(lon, lat) -> (lon, lat) to every coordinate of a shapely geometry (or array of them)."""
    import shapely

    return shapely.transform(geom, fn, interleaved=False)
