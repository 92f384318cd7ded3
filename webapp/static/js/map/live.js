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

class Officers {
  constructor(ctx) {
    this.ctx = ctx;
    this.layer = L.featureGroup();
    this.markers = {};
    this.last = null;
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

  // A 304 answers with the body read before: nothing moved, nothing to redraw.
  poll() {
    return getJSON(this.ctx.config.layers.officers, {etag: true}).then((data) => {
      if (data !== this.last) this.apply(data);
      this.last = data;
    });
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

export function init(ctx) {
  if (!ctx.config.layers.officers) { unavailable(ctx, "officers"); unavailable(ctx, "inspections"); return; }
  ctx.map.createPane("lw-officers").style.zIndex = 500;  // above the employer tiles
  const officers = new Officers(ctx), jobs = L.layerGroup();
  let round = 0, started = false;
  ctx.officers = officers;
  function tick() {
    const work = [officers.poll()];
    if (round % INSPECTION_EVERY === 0) work.push(loadInspections(ctx, jobs));
    round++;
    Promise.all(work).then(function () {
      if (!started) {
        started = true;
        officers.layer.addTo(ctx.map);
        jobs.addTo(ctx.map);
        ctx.control.addOverlay(officers.layer, t("officers"));
        ctx.control.addOverlay(jobs, t("inspections"));
      }
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

// For tests and the console: where the map shows an officer, [lat, lon].
export function officerPosition(ctx, id) {
  const m = ctx.officers && ctx.officers.markers[id];
  if (!m) return null;
  const ll = m.getLatLng();
  return [ll.lat, ll.lng];
}
