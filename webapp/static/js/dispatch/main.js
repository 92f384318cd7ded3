/* Liangwang dispatcher console: the board of the area in four tabs (queue.js), the chosen
 * inspection with its ranked teams (panel.js), a new inspection (create.js), officers on the
 * map, red project warnings and cross-county requests. Polls every 5 s with ETags (304 when
 * nothing changed). Text goes in with textContent. */
import {el, message} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {formatTime, label, t, useStrings} from "../core/i18n.js";
import {officerColour} from "../core/colours.js";
import {startAlerts} from "./alerts.js";
import {startCreate} from "./create.js";
import {startLoans} from "./loans.js";
import {startPanel} from "./panel.js";
import {startQueue} from "./queue.js";

export function start(map, config) {
  useStrings(config.strings);
  if (config.boundaries) {
    getJSON(config.boundaries).then(function (fc) {
      L.geoJSON(fc, {interactive: false, style: function () {
        return {className: "lw-boundary", color: "#555", weight: 1.2, fill: false};
      }}).addTo(map).bringToBack();
    }).catch(function (err) { message(err.message, "danger"); });
  }
  const officersLayer = L.layerGroup().addTo(map);
  const state = {area: config.area, officers: {}, live: null};
  const areaSelect = document.getElementById("lw-area");
  const lentNames = {};  // officers of other counties (lent by an approved request): id -> name

  function officerName(id) {
    if (state.officers[id]) return state.officers[id].name;
    return lentNames[id] || "#" + id;
  }

  // Names of the officers a recommendation names that the live layer does not hold (lent
  // officers of other counties): one read each, once.
  function nameOfficers(rec) {
    const ids = {};
    rec.teams.forEach(function (team) {
      team.officer_ids.forEach(function (id) {
        if (!state.officers[id] && !lentNames[id]) ids[id] = true;
      });
    });
    return Promise.all(Object.keys(ids).map(function (id) {
      return getJSON("/api/v1/officers/" + id).then(function (o) { lentNames[id] = o.name; },
                                                    function () { return null; });
    })).then(function () { return rec; });
  }

  function drawOfficers(fc) {
    officersLayer.clearLayers();
    state.officers = {};
    fc.features.forEach(function (f) {
      const p = f.properties;
      const c = f.geometry.coordinates;
      state.officers[p.id] = Object.assign({lon: c[0], lat: c[1]}, p);
      if (p.kind !== "inspector") return;
      const marker = L.circleMarker([c[1], c[0]], {
        radius: 5, weight: 1, color: "#222", className: "lw-officer lw-officer-" + p.status,
        fillColor: officerColour(p), fillOpacity: 0.9
      });
      marker.bindTooltip(el("span", p.name + " · " + label("status_", p.status)));
      marker.addTo(officersLayer);
    });
  }

  // Cross-county requests: an approval lent to this territory changes the recommendation.
  const loans = startLoans(config, function () { panel.again(); });
  const panel = startPanel({
    map: map, config: config, loans: loans, officerName: officerName, nameOfficers: nameOfficers,
    officer: function (id) { return state.officers[id] || null; },
    next: function (id) { return queue.nextAfter(id); },
    choose: choose,
    changed: function () { return refresh(); }
  });
  const queue = startQueue({
    area: function () { return state.area; },
    selected: function () { return panel.selected(); },
    onSelect: choose,
    onTab: function () { panel.clear(); }
  });

  function choose(item) {
    panel.select(item);
    queue.mark(item ? item.id : null);
  }

  function refresh() {
    const q = "?area=" + encodeURIComponent(state.area);
    return Promise.all([
      queue.refresh(),
      getJSON("/api/v1/officers/live" + q, {etag: true}).then(function (fc) {
        if (fc !== state.live) drawOfficers(fc);
        state.live = fc;
      }),
      loans.refresh()
    ]).then(function () {
      document.getElementById("lw-updated").textContent = t("updated") + " " + formatTime(Date.now());
      map.getContainer().setAttribute("data-ready", "1");
    }).catch(function (err) { message(err.message, "danger"); });
  }

  startCreate({
    map: map, area: function () { return state.area; },
    created: function (inspection) {
      refresh().then(function () {
        choose(Object.assign({tab: "waiting", team: [], county: null}, inspection));
      });
    }
  });

  // Red project warnings of the area above the queue, polled less often than the queue.
  const alerts = startAlerts(config, function () { return state.area; });
  areaSelect.addEventListener("change", function () {
    state.area = areaSelect.value;
    panel.clear();
    refresh();
    alerts.refresh();
  });
  refresh();
  setInterval(refresh, config.pollMs || 5000);
  setInterval(queue.tick, 60000);
  setInterval(alerts.refresh, 6 * (config.pollMs || 5000));
}
