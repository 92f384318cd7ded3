"""Tests for geo.crs: GCJ-02 / BD-09 / WGS 84 conversions."""

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo import crs  # noqa: E402

GEOD = Geod(ellps="WGS84")


def henan_points():
    """A 40 x 40 grid plus random points over Henan's bounding box (lon, lat arrays)."""
    lon, lat = np.meshgrid(np.linspace(110.3, 116.7, 40), np.linspace(31.3, 36.4, 40))
    rng = np.random.default_rng(410000)
    lon = np.concatenate([lon.ravel(), rng.uniform(110.3, 116.7, 400)])
    lat = np.concatenate([lat.ravel(), rng.uniform(31.3, 36.4, 400)])
    return lon, lat


def metres(lon1, lat1, lon2, lat2):
    """Geodesic distance in metres on WGS 84."""
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize("fwd, inv", [
    (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
    (crs.gcj02_to_wgs84, crs.wgs84_to_gcj02),
    (crs.gcj02_to_bd09, crs.bd09_to_gcj02),
    (crs.bd09_to_gcj02, crs.gcj02_to_bd09),
    (crs.wgs84_to_bd09, crs.bd09_to_wgs84),
    (crs.bd09_to_wgs84, crs.wgs84_to_bd09),
])
def test_round_trip_under_one_metre(fwd, inv):
    lon, lat = henan_points()
    back_lon, back_lat = inv(*fwd(lon, lat))
    assert metres(lon, lat, back_lon, back_lat).max() < 1.0


def test_gcj02_inverse_is_iterated_not_one_step():
    lon, lat = henan_points()
    wlon, wlat = crs.gcj02_to_wgs84(lon, lat)
    glon, glat = crs.wgs84_to_gcj02(wlon, wlat)
    assert max(np.abs(glon - lon).max(), np.abs(glat - lat).max()) < 1e-9
    # the one-step approximation (gcj - offset(gcj)) is off by much more than the iterated inverse
    olon, olat = crs.wgs84_to_gcj02(lon, lat)
    one_step = crs.wgs84_to_gcj02(2 * lon - olon, 2 * lat - olat)
    assert metres(lon, lat, *one_step).max() > 0.5


def test_offset_in_henan_is_a_few_hundred_metres():
    lon, lat = henan_points()
    d = metres(lon, lat, *crs.wgs84_to_gcj02(lon, lat))
    assert 100 < d.min() and d.max() < 1000
    d = metres(lon, lat, *crs.bd09_to_wgs84(lon, lat))
    assert 100 < d.min() and d.max() < 2000


def test_outside_china_unchanged():
    lon, lat = np.array([2.3522, -74.006, 150.0]), np.array([48.8566, 40.7128, -33.0])
    for fn in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84):
        out_lon, out_lat = fn(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)
    assert crs.out_of_china(2.3522, 48.8566)
    assert not crs.out_of_china(113.65, 34.76)


def test_scalars_and_arrays_agree():
    lon, lat = crs.gcj02_to_wgs84(113.65, 34.76)
    assert np.ndim(lon) == 0 and np.ndim(lat) == 0
    alon, alat = crs.gcj02_to_wgs84(np.array([113.65]), np.array([34.76]))
    assert alon.shape == (1,) and alon[0] == lon and alat[0] == lat


@pytest.mark.parametrize("name", ["wgs84", "cgcs2000", "gcj02", "bd09"])
def test_to_from_wgs84_dispatch(name):
    lon, lat = henan_points()
    back = crs.to_wgs84(*crs.from_wgs84(lon, lat, name), name)
    assert metres(lon, lat, *back).max() < 1.0
    if name in ("wgs84", "cgcs2000"):
        np.testing.assert_array_equal(crs.to_wgs84(lon, lat, name)[0], lon)


def test_to_wgs84_matches_named_functions():
    lon, lat = henan_points()
    np.testing.assert_array_equal(crs.to_wgs84(lon, lat, "gcj02")[1], crs.gcj02_to_wgs84(lon, lat)[1])
    np.testing.assert_array_equal(crs.to_wgs84(lon, lat, "bd09")[0], crs.bd09_to_wgs84(lon, lat)[0])


@pytest.mark.parametrize("bad", ["epsg:4326", "mercator", "", None])
def test_unknown_crs_raises(bad):
    with pytest.raises(ValueError, match="gcj02"):
        crs.to_wgs84(113.0, 34.0, bad)
    with pytest.raises(ValueError, match="bd09"):
        crs.from_wgs84(113.0, 34.0, bad)


def test_transform_geometry():
    poly = shapely.Polygon([(113.0, 34.0), (114.0, 34.0), (114.0, 35.0), (113.0, 34.0)])
    wgs = crs.transform_geometry(poly, crs.gcj02_to_wgs84)
    assert wgs.geom_type == "Polygon" and wgs.is_valid
    assert shapely.get_num_coordinates(wgs) == 4
    back = crs.transform_geometry(wgs, crs.wgs84_to_gcj02)
    np.testing.assert_allclose(shapely.get_coordinates(back), shapely.get_coordinates(poly), atol=1e-9)
    assert not np.allclose(shapely.get_coordinates(wgs), shapely.get_coordinates(poly), atol=1e-3)
