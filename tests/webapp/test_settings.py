"""One settings object: typed, read once in create_app, legal minimums as floors."""
from __future__ import annotations

import pytest

from dispatch.analytics.settings import RiskSettings
from dispatch.settings import LEGAL_FLOORS, DispatchSettings
from geo.core.config import EnvSettings
from geo.grids.settings import PlanningSettings
from geo.tiles.service import TileSettings
from tests.conftest import bearer
from webapp.core.settings import AppSettings

LOOSER = {"min_team_size": "1", "case_limit_working_days": "61",
          "case_extension_working_days": "31", "acceptance_working_days": "6",
          "limitation_years": "1"}
STRICTER = {"min_team_size": "3", "case_limit_working_days": "45",
            "case_extension_working_days": "20", "acceptance_working_days": "3",
            "limitation_years": "3"}


@pytest.mark.parametrize("name", [floor[0] for floor in LEGAL_FLOORS])
def test_a_looser_legal_minimum_stops_start_up_naming_the_law(name, monkeypatch, settings):
    monkeypatch.setenv(f"LIANGWANG_{name.upper()}", LOOSER[name])
    with pytest.raises(SystemExit) as stopped:
        AppSettings.promote(settings)
    message = str(stopped.value)
    assert name in message and "looser than the law" in message
    assert "条例" in message or "规定" in message  # the law is named


@pytest.mark.parametrize("name", [floor[0] for floor in LEGAL_FLOORS])
def test_a_stricter_legal_minimum_is_taken(name, monkeypatch, settings):
    monkeypatch.setenv(f"LIANGWANG_{name.upper()}", STRICTER[name])
    assert getattr(AppSettings.promote(settings).dispatch, name) == int(STRICTER[name])


def test_an_integer_setting_given_a_fraction_is_refused_not_truncated(monkeypatch):
    monkeypatch.setenv("LIANGWANG_CANDIDATES", "2.5")
    with pytest.raises(SystemExit) as stopped:
        DispatchSettings.from_env()
    assert "LIANGWANG_CANDIDATES" in str(stopped.value) and "2.5" in str(stopped.value)


def test_fractional_settings_keep_their_fraction(monkeypatch):
    monkeypatch.setenv("LIANGWANG_RANDOM_SHARE", "0.125")
    monkeypatch.setenv("LIANGWANG_RISK_GRADE_B_SHARE", "0.35")
    monkeypatch.setenv("LIANGWANG_SNAP_TOLERANCE_M", "0.25")
    assert DispatchSettings.from_env().random_share == 0.125
    assert RiskSettings.from_env().grade_b_share == 0.35
    assert PlanningSettings.from_env().snap_tolerance_m == 0.25


def test_requests_never_read_the_environment(app, client, tokens, monkeypatch):
    """Every group is built once by create_app; a request that built one would fail here."""
    built = []
    original = EnvSettings.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(EnvSettings, "__init__", counting)
    for role, path in [("command", "/api/v1/kpis?area=410102"),
                       ("command", "/api/v1/grids/metrics?area=410102"),
                       ("dispatcher", "/api/v1/inspections?status=pending"),
                       ("command", "/api/v1/tiles/employers/12/3372/1660.pbf"),
                       ("command", "/api/v1/hotspots?area=410102")]:
        r = client.get(path, headers=bearer(tokens[role]))
        assert r.status_code in (200, 204, 304), (path, r.status_code, r.get_data(as_text=True)[:300])
    assert built == []
    groups = app.extensions["liangwang"]["settings"]
    assert isinstance(groups, AppSettings)
    assert isinstance(groups.dispatch, DispatchSettings) and isinstance(groups.tiles, TileSettings)
    assert groups.supervision == groups.risk.supervision
