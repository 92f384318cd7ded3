/* Layers and panels of the command centre; a route the role may not call is left out by the
 * server (config.layers.<name> is null) and listed as unavailable:
 * - coverage gaps and grid overlaps (GET /api/v1/coverage?area=: {gaps, overlaps} collections)
 * - risk hotspots as H3 hexagons (GET /api/v1/hotspots?area=: a FeatureCollection)
 * - key figures with links to the lists behind them (GET /api/v1/kpis?area=)
 * - employers on a published disclosure list (GET /api/v1/disclosed-employers?area=), off at
 *   first
 * - construction projects by warning level (GET /api/v1/map/projects?area=): counts per city
 *   or county above county level, one point per project below; off at first */
import {el, link, table} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {formatNumber, label, t} from "../core/i18n.js";
import {COLD, DISCLOSED, HOT, OUTSIDE, RISK, UNKNOWN} from "../core/colours.js";

const OVERLAP = "#7b3294";

function unavailable(ctx, key, err) {
  ctx.control.addOverlay(L.layerGroup(), t(key) + " (" + t("unavailable") + ")");
  ctx.map.getContainer().setAttribute("data-" + key, "unavailable");
  if (err && err.status !== 404 && err.status !== 403 && globalThis.console) console.warn(key, err.message);
}

function coverageStyle(f) {
  const overlap = f.properties.kind === "overlap";
  return {className: overlap ? "lw-overlap" : "lw-gap", color: overlap ? OVERLAP : OUTSIDE,
          weight: 1.5, fillColor: overlap ? OVERLAP : OUTSIDE, fillOpacity: 0.35,
          dashArray: "4 3"};
}

function coveragePopup(p) {
  const overlap = p.kind === "overlap";
  const box = el("div", null, "lw-coverage-popup");
  box.appendChild(el("h6", t(overlap ? "coverage_overlap" : "coverage_gap")));
  box.appendChild(table([[t("grids"), overlap ? p.codes.join("、") : null],
                         [t("area_m2"), formatNumber(p.area_m2)]]));
  return box;
}

function loadCoverage(ctx) {
  if (!ctx.config.layers.coverage) return unavailable(ctx, "coverage");
  return getJSON(ctx.config.layers.coverage).then(function (data) {
    const group = L.featureGroup();
    [data.gaps, data.overlaps].forEach(function (fc) {
      L.geoJSON(fc, {
        style: coverageStyle,
        onEachFeature: function (f, layer) {
          layer.bindPopup(function () { return coveragePopup(f.properties); });
        }
      }).addTo(group);
    });
    const n = data.gaps.features.length + data.overlaps.features.length;
    group.addTo(ctx.map);
    ctx.control.addOverlay(group, t("coverage") + " (" + n + ")");
    ctx.map.getContainer().setAttribute("data-coverage", String(n));
  }).catch(function (err) { unavailable(ctx, "coverage", err); });
}

// Gi* bins: hot_99 … not_significant … cold_99.
function hotspotStyle(p) {
  const parts = p["class"].split("_"), ramp = {hot: HOT, cold: COLD}[parts[0]];
  if (!ramp) return {stroke: false, fill: false, className: "lw-hex-ns"};
  const colour = ramp[parts[1]];
  return {className: "lw-hex", color: colour, weight: 0.5, fillColor: colour, fillOpacity: 0.6};
}

function hotspotPopup(p) {
  const box = el("div", null, "lw-hotspot-popup");
  box.appendChild(el("h6", label("hotspot_class_", p["class"])));
  box.appendChild(table([[t("mean_risk"), p.value], [t("employers"), p.employers],
                         [t("hotspot_z"), p.z], [t("hotspot_p"), p.p],
                         [t("hotspot_cell"), p.h3]]));
  return box;
}

function loadHotspots(ctx) {
  if (!ctx.config.layers.hotspots) return unavailable(ctx, "hotspots");
  return getJSON(ctx.config.layers.hotspots).then(function (data) {
    const hexes = L.geoJSON(data, {
      style: function (f) { return hotspotStyle(f.properties); },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return hotspotPopup(f.properties); });
      }
    });
    // Hotspots are a choice, not a default: they hide the grids' colours.
    ctx.control.addOverlay(hexes, t("hotspots"));
    ctx.map.getContainer().setAttribute("data-hotspots", String(hexes.getLayers().length));
  }).catch(function (err) { unavailable(ctx, "hotspots", err); });
}

// The figures of GET /api/v1/kpis, each {value, list}; some have figures by state inside.
const KPIS = [["coverage_pct"], ["employers_outside_grids"], ["grids_without_staff"],
              ["grids_understaffed"],
              ["employers_per_staff"], ["overdue_inspections"],
              ["open_complaints", ["within_limit", "due_today", "past_limit"]],
              ["case_deadlines", ["due_soon", "overdue"]], ["urgent_responses", ["on_time", "late"]],
              ["high_risk_uninspected"], ["overdue_referrals"], ["pending_rewards"],
              ["review_missing"], ["overdue_audits"]];

// Lists shown on pages of their own (webapp/pages/cases.py OWN_PAGES), not /lists/<name>.
const OWN_PAGES = new Set(["overdue-referrals", "pending-rewards", "review-missing", "overdue-audits"]);

// The page that shows a figure's list (the API's list URL -> a page for people): complaints
// and case deadlines open their own pages, every other KPI list /lists/<name>.
export function pageOf(listUrl) {
  const found = /^\/api\/v1\/kpis\/([a-z-]+)(?:\?(.*))?$/.exec(listUrl || "");
  if (!found) return listUrl;
  const params = new URLSearchParams(found[2] || "");
  const area = params.get("area"), state = params.get("state"), grid = params.get("grid");
  const q = new URLSearchParams();
  if (area) q.set("area", area);
  if (grid) {  // one grid's rows: the generic list page, which filters by grid
    if (OWN_PAGES.has(found[1])) return null;  // those pages list a whole area: no link
    q.set("grid", grid);
    if (state) q.set("state", state);
    return "/lists/" + found[1] + "?" + q.toString();
  }
  if (found[1] === "open-complaints") {
    if (state) q.set("deadline", state); else q.set("status", "received");
    return "/complaints?" + q.toString();
  }
  if (found[1] === "overdue-referrals") return "/referrals?overdue=true" + (area ? "&area=" + area : "");
  if (found[1] === "pending-rewards") return "/rewards" + (area ? "?area=" + area : "");
  if (found[1] === "review-missing") return "/reviews";
  if (found[1] === "overdue-audits") return "/audits";
  if (found[1] === "case-deadlines" && state) {
    q.set("status", state);
    return "/cases?" + q.toString();
  }
  if (state) q.set("state", state);
  return "/lists/" + found[1] + "?" + q.toString();
}

function figureRow(list, name, figure, sub) {
  list.appendChild(el("dt", t("kpi_" + name), sub ? "lw-kpi-sub" : null));
  const dd = el("dd", null, sub ? "lw-kpi-sub" : null);
  const text = figure.value === null || figure.value === undefined ? "—" : formatNumber(figure.value);
  const href = pageOf(figure.list);
  // Our own pages only: never raw JSON (coverage gaps are a layer of this map instead).
  if (/^\/(?!\/|api\/)/.test(href || "")) dd.appendChild(link(text, href));
  else dd.textContent = text;
  list.appendChild(dd);
}

function loadKpis(ctx) {
  const panel = L.control({position: "bottomleft"});
  const box = el("div", null, "lw-box lw-kpis");
  panel.onAdd = function () { L.DomEvent.disableClickPropagation(box); return box; };
  const request = ctx.config.layers.kpis ? getJSON(ctx.config.layers.kpis)
    : Promise.reject({status: 404});
  function draw(data) {
    box.textContent = "";
    // the area's name, not its code: the figures are of the place the map shows
    box.appendChild(el("h6", ctx.config.place.name + " · " + t("kpi_title", {today: data.today})));
    if (data.grid) {
      box.appendChild(el("div", t("grid_facts", {employers: formatNumber(data.grid.employers),
                                                 staff: formatNumber(data.grid.staff)}),
                         "lw-muted small mb-1"));
    }
    const list = el("dl");
    KPIS.forEach(function (spec) {
      // a grid has no coverage, referrals or rewards of its own: those rows are left out
      if (data.grid && data[spec[0]].value === null && !data[spec[0]].list) return;
      figureRow(list, spec[0], data[spec[0]], false);
      (spec[1] || []).forEach(function (state) { figureRow(list, state, data[spec[0]][state], true); });
    });
    box.appendChild(list);
  }
  return request.then(function (data) {
    draw(data);
    panel.addTo(ctx.map);
    ctx.map.getContainer().setAttribute("data-kpis", "loaded");
    // The figures refresh on their own; the map stays as the user left it.
    let last = data;
    setInterval(function () {
      getJSON(ctx.config.layers.kpis, {etag: true}).then(function (fresh) {
        if (fresh === last) return;
        last = fresh;
        draw(fresh);
        ctx.map.getContainer().setAttribute("data-kpis-at", String(Date.now()));
      }).catch(function () { return null; });
    }, ctx.config.kpiRefreshMs || 60000);
  }).catch(function (err) {
    box.appendChild(el("span", t("kpis") + ": " + t("unavailable"), "lw-muted"));
    panel.addTo(ctx.map);
    ctx.map.getContainer().setAttribute("data-kpis", "unavailable");
    if (err.status !== 404 && err.status !== 403 && globalThis.console) console.warn("kpis", err.message);
  });
}

function loadDisclosed(ctx) {
  const url = ctx.config.layers.disclosed;
  if (!url) return;
  getJSON(url).then(function (data) {
    const layer = L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: 8, color: DISCLOSED, weight: 3, fill: false,
                                       className: "lw-disclosed"});
      },
      onEachFeature: function (f, marker) {
        marker.bindPopup(function () {
          const p = f.properties, box = el("div");
          box.appendChild(el("h6", p.name));
          box.appendChild(table([[t("period"), p.period],
                                 [t("kind"), label("disclosure.category.", p.category)]]));
          box.appendChild(link(t("details") + " →", "/public/disclosures/" + p.list_id));
          return box;
        });
      }
    });
    ctx.control.addOverlay(layer, t("disclosed") + " (" + data.features.length + ")");
    ctx.map.getContainer().setAttribute("data-disclosed", String(data.features.length));
  }).catch(function (err) { unavailable(ctx, "disclosed", err); });
}

function projectColour(level) { return RISK[level] || UNKNOWN; }

function worst(p) {
  return p.red ? "red" : p.orange ? "orange" : p.yellow ? "yellow" : null;
}

function projectPopup(p, aggregated) {
  const box = el("div", null, "lw-project-popup");
  box.appendChild(el("h6", p.name));
  if (aggregated) {
    box.appendChild(table([[t("projects_ui.map.layer"), t("projects_ui.map.counts", {
      red: p.red, orange: p.orange, yellow: p.yellow,
      none: p.total - p.red - p.orange - p.yellow})]]));
    box.appendChild(link(t("details") + " →", "/projects?area=" + encodeURIComponent(p.adcode)));
  } else {
    box.appendChild(table([[t("status"), label("project.status.", p.status)],
                           [t("projects_ui.col.warning"), label("project.level.", p.level || "none")]]));
    box.appendChild(link(t("details") + " →", "/projects/" + p.id));
  }
  return box;
}

function loadProjects(ctx) {
  const url = ctx.config.layers.projects;
  if (!url) return;
  if (!ctx.map.getPane("lw-projects")) {
    ctx.map.createPane("lw-projects").style.zIndex = 640;  // above employers, under popups
  }
  getJSON(url).then(function (data) {
    const aggregated = Boolean(data.aggregated);
    const layer = L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        const p = f.properties;
        const level = aggregated ? worst(p) : p.level;
        return L.circleMarker(latlng, {
          pane: "lw-projects", radius: aggregated ? Math.min(22, 7 + 3 * Math.sqrt(p.total)) : 9,
          color: "#111", weight: 3, fillColor: projectColour(level), fillOpacity: 0.9,
          className: "lw-project lw-project-" + (level || "none")});
      },
      onEachFeature: function (f, marker) {
        marker.bindPopup(function () { return projectPopup(f.properties, aggregated); });
        if (aggregated) {
          marker.bindTooltip(formatNumber(f.properties.red) + " / " + formatNumber(f.properties.total),
                             {permanent: true, direction: "center", className: "lw-grid-label"});
        }
      }
    });
    const red = data.features.reduce(function (n, f) {
      return n + (aggregated ? f.properties.red : f.properties.level === "red" ? 1 : 0);
    }, 0);
    ctx.control.addOverlay(layer, t("projects_ui.map.layer") + " (" + t("project.level.red") +
                           " " + red + ")");
    ctx.map.getContainer().setAttribute("data-projects", String(data.features.length));
  }).catch(function (err) { unavailable(ctx, "projects", err); });
}

export function init(ctx) {
  loadCoverage(ctx);
  loadHotspots(ctx);
  loadKpis(ctx);
  loadDisclosed(ctx);
  loadProjects(ctx);
}
