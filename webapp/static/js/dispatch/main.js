/* Liangwang dispatcher page: queue, officers on the map, ranked teams, assign/cancel.
 * Polls every 5 s with ETags (304 when nothing changed). Text goes in with textContent. */
import {el, message} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {formatTime, label, t, useStrings} from "../core/i18n.js";
import {officerColour, PRIORITY_CLASS} from "../core/colours.js";
import {startAlerts} from "./alerts.js";
import {startLoans} from "./loans.js";

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
  const siteLayer = L.layerGroup().addTo(map);
  const state = {area: config.area, selected: null, officers: {}, queue: null, live: null};
  const areaSelect = document.getElementById("lw-area");
  // Cross-county requests: an approval lent to this territory changes the recommendation.
  const loans = startLoans(config, function () {
    if (state.selected) showRecommendation(state.selected);
  });

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
      state.officers[p.id] = p;
      if (p.kind !== "inspector") return;
      const c = f.geometry.coordinates;
      const marker = L.circleMarker([c[1], c[0]], {
        radius: 5, weight: 1, color: "#222", className: "lw-officer lw-officer-" + p.status,
        fillColor: officerColour(p), fillOpacity: 0.9
      });
      marker.bindTooltip(el("span", p.name + " · " + label("status_", p.status)));
      marker.addTo(officersLayer);
    });
  }

  function drawQueue(items) {
    const list = document.getElementById("lw-inspections");
    list.textContent = "";
    items.forEach(function (item) {
      const li = el("li", null, "list-group-item list-group-item-action lw-job" +
                    (state.selected && state.selected.id === item.id ? " active" : ""));
      li.setAttribute("data-id", item.id);
      li.appendChild(el("span", label("priority_", item.priority),
                        "badge me-1 bg-" + PRIORITY_CLASS[item.priority]));
      li.appendChild(el("span", label("kind_", item.kind) + " · " +
                        (item.employer || item.description || "#" + item.id)));
      if (item.due_at) li.appendChild(timeLeft(item.due_at));
      li.addEventListener("click", function () { select(item); });
      list.appendChild(li);
    });
    if (!items.length) list.appendChild(el("li", t("empty"), "list-group-item text-muted"));
  }

  // An urgent job's clock runs from the complaint's receipt: show what is left of it.
  function timeLeft(dueAt) {
    const minutes = Math.round((Date.parse(dueAt) - Date.now()) / 60000);
    const abs = Math.abs(minutes);
    const time = t("hours_minutes", {h: Math.floor(abs / 60), m: abs % 60});
    const late = minutes < 0;
    const span = el("span", t(late ? "time_late" : "time_left", {time: time}),
                    "ms-2 small lw-time-left" + (late ? " text-danger fw-semibold" : " text-muted"));
    span.setAttribute("data-minutes", String(minutes));
    return span;
  }

  // Redraws only what changed since the last poll (a 304 gives back the same object).
  function refresh() {
    const q = "?area=" + encodeURIComponent(state.area);
    return Promise.all([
      getJSON("/api/v1/inspections" + q + "&status=pending", {etag: true}).then(function (b) {
        if (b !== state.queue) drawQueue(b.items);
        state.queue = b;
      }),
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

  function teamItem(team) {
    const li = el("li", null, "list-group-item lw-team");
    const head = el("div", null, "d-flex justify-content-between align-items-center");
    head.appendChild(el("strong", team.officer_ids.map(officerName).join("、")));
    const button = el("button", t("assign"), "btn btn-sm btn-primary lw-assign");
    button.addEventListener("click", function () { assign(team.officer_ids, button); });
    if (!config.canAssign) button.disabled = true;
    head.appendChild(button);
    li.appendChild(head);
    li.appendChild(el("div", t("team_distance", {km: (team.distance_m / 1000).toFixed(1),
                                                 minutes: Math.round(team.eta_min)}), "text-muted"));
    const reasons = el("ul", null, "mb-0 ps-3");
    team.reasons.forEach(function (r) { reasons.appendChild(el("li", r)); });
    li.appendChild(reasons);
    return li;
  }

  function select(item) {
    state.selected = item;
    message("");
    document.querySelectorAll(".lw-job").forEach(function (n) {
      n.classList.toggle("active", Number(n.getAttribute("data-id")) === item.id);
    });
    const box = document.getElementById("lw-selected");
    box.textContent = "";
    box.appendChild(el("div", "#" + item.id + " · " + (item.employer || ""), "fw-bold"));
    box.appendChild(el("div", item.description || ""));
    const cancel = el("button", t("cancel"), "btn btn-sm btn-outline-danger mt-1");
    cancel.disabled = !config.canAssign;
    cancel.addEventListener("click", function () { cancelJob(item); });
    box.appendChild(cancel);
    siteLayer.clearLayers();
    L.marker([item.lat, item.lon]).addTo(siteLayer);
    map.setView([item.lat, item.lon], Math.max(map.getZoom(), 11));
    showRecommendation(item);
  }

  function showRecommendation(item) {
    const teams = document.getElementById("lw-teams");
    const excluded = document.getElementById("lw-excluded");
    teams.textContent = t("loading");
    excluded.textContent = "";
    loans.offer(null);
    getJSON("/api/v1/inspections/" + item.id + "/recommendations").then(nameOfficers)
      .then(function (rec) {
        if (state.selected !== item) return;  // another inspection was picked meanwhile
        teams.textContent = "";
        loans.offer(item, rec);
        rec.teams.forEach(function (team) { teams.appendChild(teamItem(team)); });
        if (!rec.teams.length) teams.appendChild(el("li", t("no_team"), "list-group-item"));
        rec.excluded.forEach(function (e) {
          excluded.appendChild(el("li", t("excluded_reason", {name: officerName(e.officer_id),
                                                               reason: e.reason})));
        });
      }).catch(function (err) { message(err.message, "danger"); });
  }

  function assign(ids, button) {
    button.disabled = true;
    postJSON("/api/v1/inspections/" + state.selected.id + "/assign", {officer_ids: ids})
      .then(function (res) {
        if (res.status === 200) {
          message(t("assigned"), "success");
          state.selected = null;
          document.getElementById("lw-teams").textContent = "";
          loans.offer(null);
        } else {
          message(errorText(res), res.status === 409 ? "warning" : "danger");
        }
        return refresh();
      });
  }

  function cancelJob(item) {
    const reason = globalThis.prompt(t("cancel_reason"));
    if (!reason) return;
    postJSON("/api/v1/inspections/" + item.id + "/cancel", {reason: reason}).then(function (res) {
      message(res.status === 200 ? t("cancelled") : errorText(res),
              res.status === 200 ? "success" : "danger");
      return refresh();
    });
  }

  // Red project warnings of the area above the queue, polled less often than the queue.
  const alerts = startAlerts(config, function () { return state.area; });
  areaSelect.addEventListener("change", function () {
    state.area = areaSelect.value;
    refresh();
    alerts.refresh();
  });
  refresh();
  setInterval(refresh, config.pollMs || 5000);
  setInterval(alerts.refresh, 6 * (config.pollMs || 5000));
}
