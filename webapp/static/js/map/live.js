/* Live layers: officers polled with If-None-Match (304 when nothing moved), open inspections
 * and mass incidents with icons by priority. State is in PostgreSQL, so any worker answers. */
import {el, status, table} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {formatDateTime, label, t} from "../core/i18n.js";
import {officerColour} from "../core/colours.js";

const INSPECTION_EVERY = 5;  // inspections are polled every 5th officer poll

function unavailable(ctx, key) {
  ctx.control.addOverlay(L.layerGroup(), t(key) + " (" + t("unavailable") + ")");
  ctx.map.getContainer().setAttribute("data-" + key, "unavailable");
}

// A province holds thousands of officers: small dots until zoomed in.
function officerRadius(map) { return map.getZoom() < 10 ? 4 : 7; }

function officerStyle(p, map) {
  return {radius: officerRadius(map), color: p.stale ? "#757575" : "#fff",
          weight: map.getZoom() < 10 ? 1 : 2, fillColor: officerColour(p), className: "lw-officer",
          pane: "lw-officers",
          fillOpacity: p.stale ? 0.45 : 0.95, dashArray: p.stale ? "3 3" : null};
}

function officerPopup(p) {
  const box = el("div", null, "lw-officer-popup");
  box.appendChild(el("h6", p.name));
  box.appendChild(table([
    [t("badge"), p.badge], [t("status"), label("status_", p.status)],
    [t("updated"), p.updated_at ? formatDateTime(p.updated_at) : ""],
    [t("position_stale"), p.stale ? "✓" : null]]));
  return box;
}

// A layer redrawn from a URL of the config polled with If-None-Match: a 304 answers with the
// body read before, so nothing moved and nothing is redrawn.
class Polled {
  constructor(ctx, key) {
    this.ctx = ctx;
    this.key = key;
    this.layer = L.featureGroup();
    this.markers = {};
    this.last = null;
  }

  poll() {
    return getJSON(this.ctx.config.layers[this.key], {etag: true}).then((data) => {
      if (data !== this.last) this.apply(data);
      this.last = data;
    });
  }
}

// Run `work` (a promise) every poll interval; `start` once, after its first success. A 403 or
// 404 before that means the layer is not for this user: listed as unavailable, not polled.
function every(ctx, work, start) {
  let started = false;
  function tick() {
    work().then(function () {
      if (!started) { started = true; start(); }
    }).catch(function (err) {
      if (!started && (err.status === 403 || err.status === 404)) {
        unavailable(ctx, "officers");
        return true;
      }
      status(t("error") + ": " + err.message);
    }).then(function (stop) {
      if (!stop) setTimeout(tick, ctx.config.pollMs);
    });
  }
  tick();
}

class Officers extends Polled {
  constructor(ctx) {
    super(ctx, "officers");
    ctx.map.on("zoomend", () => {
      Object.values(this.markers).forEach(function (m) {
        m.setStyle(officerStyle(m.feature, ctx.map));
      });
    });
  }

  apply(data) {
    const ctx = this.ctx, seen = {}, markers = this.markers;
    data.features.forEach((f) => {
      const p = f.properties, id = p.id, c = f.geometry.coordinates, latlng = [c[1], c[0]];
      seen[id] = true;
      let m = markers[id];
      if (!m) {
        m = markers[id] = L.circleMarker(latlng, officerStyle(p, ctx.map)).addTo(this.layer);
        m.bindPopup(function () { return officerPopup(m.feature); });
      } else {
        m.setLatLng(latlng);
        m.setStyle(officerStyle(p, ctx.map));
      }
      m.feature = p;
    });
    Object.keys(markers).forEach((id) => {
      if (!seen[id]) { this.layer.removeLayer(markers[id]); delete markers[id]; }
    });
    const container = ctx.map.getContainer();
    container.setAttribute("data-officers", String(data.features.length));
    container.setAttribute("data-officers-at", String(Date.now()));
  }
}

function priorityIcon(item) {
  const incident = item.kind === "incident";
  return L.divIcon({className: "lw-job-icon lw-prio-" + item.priority + (incident ? " lw-incident" : ""),
                    iconSize: incident ? [22, 22] : [16, 16], html: ""});
}

function inspectionPopup(item) {
  const box = el("div", null, "lw-inspection-popup");
  box.appendChild(el("h6", item.kind === "incident" ? t("incident") : item.employer || ""));
  box.appendChild(table([
    [t("kind"), label("kind_", item.kind)], [t("priority"), label("priority_", item.priority)],
    [t("status"), label("inspection_status_", item.status)], [t("employers"), item.employer],
    [t("details"), item.description]]));
  return box;
}

function loadInspections(ctx, layer) {
  return Promise.all(ctx.config.layers.inspections.map(function (url) { return getJSON(url); }))
    .then(function (parts) {
      layer.clearLayers();
      let n = 0;
      parts.forEach(function (part) {
        part.items.forEach(function (item) {
          if (item.lat === null || item.lon === null) return;
          // out of the tab order (hundreds of markers); the title names it for the pointer
          L.marker([item.lat, item.lon], {icon: priorityIcon(item), keyboard: false,
                                          title: label("kind_", item.kind) + " · " +
                                            (item.employer || item.description || "#" + item.id),
                                          zIndexOffset: item.priority === "urgent" ? 1000 : 0})
            .bindPopup(function () { return inspectionPopup(item); }).addTo(layer);
          n++;
        });
      });
      ctx.map.getContainer().setAttribute("data-inspections", String(n));
    });
}

// Above county level: one badge per city or county under its name — officers on duty of
// all, open jobs, mass incidents — instead of thousands of markers. Enter or a click opens
// the counts by status and the link one level down.
function summaryPopup(item) {
  const box = el("div", null, "lw-summary-popup");
  box.appendChild(el("h6", item.name));
  const rows = [[t("officers_total"), String(item.officers_total)],
                [t("on_duty"), String(item.on_duty)]];
  Object.keys(item.officers).forEach(function (s) {
    if (item.officers[s]) rows.push([label("status_", s), String(item.officers[s])]);
  });
  rows.push([t("stale_positions"), item.stale ? String(item.stale) : null]);
  rows.push([t("open_jobs"), String(item.open)]);
  Object.keys(item.inspections).forEach(function (s) {
    if (item.inspections[s]) rows.push([label("inspection_status_", s), String(item.inspections[s])]);
  });
  rows.push([t("urgent_jobs"), item.urgent ? String(item.urgent) : null]);
  rows.push([t("incident"), item.incidents ? String(item.incidents) : null]);
  box.appendChild(table(rows));
  const a = el("a", t("drill_down") + " →");
  a.href = "/map?area=" + encodeURIComponent(item.adcode);
  box.appendChild(a);
  return box;
}

// Compact: on-duty officers, open jobs, incidents (glyphs as in the legend); 18 side by side.
function summaryBadge(item) {
  const box = el("span", null, "lw-summary" + (item.incidents ? " lw-summary-alert" : ""));
  box.appendChild(el("span", String(item.on_duty), "lw-summary-officers"));
  box.appendChild(el("span", String(item.open), "lw-summary-jobs"));
  if (item.incidents) box.appendChild(el("span", String(item.incidents), "lw-summary-incidents"));
  return box;
}

function summaryIcon(item) {
  return L.divIcon({className: "lw-summary-icon", html: summaryBadge(item), iconSize: null,
                    iconAnchor: [0, -9]});
}

class AreaSummary extends Polled {
  constructor(ctx) { super(ctx, "officerSummary"); }

  apply(data) {
    const ctx = this.ctx, spots = ctx.areaSpots || {};
    data.items.forEach((item) => {
      const at = spots[item.adcode];
      if (!at) return;
      const title = item.name + "：" + t("on_duty") + " " + item.on_duty + "，" +
        t("open_jobs") + " " + item.open +
        (item.incidents ? "，" + t("incident") + " " + item.incidents : "");
      let m = this.markers[item.adcode];
      if (!m) {
        m = this.markers[item.adcode] = L.marker(at, {icon: summaryIcon(item), title: title,
                                                      alt: title, keyboard: true,
                                                      pane: "lw-officers"});
        m.bindPopup(function () { return summaryPopup(m.item); });
        m.addTo(this.layer);
      } else if (m.getElement()) {  // new counts in place: keyboard focus stays on it
        m.getElement().replaceChildren(summaryBadge(item));
        m.getElement().title = title;
      }
      m.item = item;
    });
    const container = ctx.map.getContainer();
    container.setAttribute("data-summary", String(Object.keys(this.markers).length));
    container.setAttribute("data-officers", String(data.items.reduce(function (n, i) {
      return n + i.officers_total; }, 0)));
    container.setAttribute("data-inspections", String(data.items.reduce(function (n, i) {
      return n + i.open; }, 0)));
    container.setAttribute("data-officers-at", String(Date.now()));
  }
}

function initSummary(ctx) {
  ctx.map.createPane("lw-officers").style.zIndex = 650;  // above the boundaries and labels
  const summary = ctx.summary = new AreaSummary(ctx);
  every(ctx, function () { return summary.poll(); }, function () {
    summary.layer.addTo(ctx.map);
    ctx.control.addOverlay(summary.layer, t("officers") + "／" + t("inspections") + "（" +
                           t("area_summary") + "）");
  });
}

export function init(ctx) {
  if (ctx.config.layers.officerSummary) { initSummary(ctx); return; }
  if (!ctx.config.layers.officers) { unavailable(ctx, "officers"); unavailable(ctx, "inspections"); return; }
  ctx.map.createPane("lw-officers").style.zIndex = 500;  // above the employer tiles
  const officers = ctx.officers = new Officers(ctx), jobs = L.layerGroup();
  let round = 0;
  every(ctx, function () {
    const work = [officers.poll()];
    if (round % INSPECTION_EVERY === 0) work.push(loadInspections(ctx, jobs));
    round++;
    return Promise.all(work);
  }, function () {
    officers.layer.addTo(ctx.map);
    jobs.addTo(ctx.map);
    ctx.control.addOverlay(officers.layer, t("officers"));
    ctx.control.addOverlay(jobs, t("inspections"));
  });
}

// For tests and the console: where the map shows an officer, [lat, lon].
export function officerPosition(ctx, id) {
  const m = ctx.officers && ctx.officers.markers[id];
  if (!m) return null;
  const ll = m.getLatLng();
  return [ll.lat, ll.lng];
}
