/* Liangwang command map: boundaries, grids coloured by a metric, drill-down and search.
 * Other layers live in tiles.js (employers), live.js (officers, inspections) and panels.js
 * (coverage, hotspots, key figures). Text from the database goes in with textContent; the
 * one Leaflet API that takes only HTML (layer names) gets it escaped (core/leaflet.js). */
import {el, link, status, table} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {t, useStrings} from "../core/i18n.js";
import {layersControl} from "../core/leaflet.js";
import {NO_STAFF, NO_VALUE, RAMP, SELECTED, WARM} from "../core/colours.js";
import * as tiles from "./tiles.js";
import * as live from "./live.js";
import * as panels from "./panels.js";
import * as legend from "./legend.js";
import {classOf, fitted} from "./scale.js";

// Grid fills: classes fitted to the area shown (scale.js); light = good, dark = attention.
export const METRICS = {
  employers_per_staff: {ramp: RAMP, format: function (v) { return v.toFixed(0); }},
  open_complaints: {ramp: WARM, format: function (v) { return v.toFixed(v < 10 ? 1 : 0); }},
  on_time_share: {ramp: WARM.slice().reverse(),
                  format: function (v) { return Math.round(v * 100) + "%"; }},
  mean_risk: {ramp: WARM, format: function (v) { return v.toFixed(1); }}
};

function metricValue(metric, props, extra) {
  if (metric === "employers_per_staff") {
    return props.staff_count ? props.employer_count / props.staff_count : Infinity;
  }
  return extra ? extra[metric] : null;
}

function extraOf(ctx, props) {
  return ctx.gridMetrics ? ctx.gridMetrics[props.id] : null;
}

export function gridColour(ctx, props) {
  const value = metricValue(ctx.metric, props, extraOf(ctx, props));
  if (value === Infinity) return NO_STAFF;
  if (value === null || value === undefined || !ctx.scale) return NO_VALUE;
  return ctx.scale.colours[classOf(ctx.scale, value)];
}

// At grid level the chosen grid is outlined (SELECTED in core/colours.js and the legend).
function gridStyle(ctx, f) {
  const chosen = ctx.config.place.grid_id === f.properties.id;
  return {className: "lw-grid" + (chosen ? " lw-grid-selected" : ""),
          color: chosen ? SELECTED : "#555", weight: chosen ? 4 : 0.6, fillOpacity: 0.55,
          fillColor: gridColour(ctx, f.properties)};
}

// Fit the classes to the grids shown for the current metric, recolour, rewrite the legend.
function rescale(ctx) {
  if (!ctx.grids) return;
  const values = [];
  ctx.grids.eachLayer(function (layer) {
    const p = layer.feature.properties;
    values.push(metricValue(ctx.metric, p, extraOf(ctx, p)));
  });
  const spec = METRICS[ctx.metric];
  ctx.scale = Object.assign(fitted(values, spec.ramp, 5), {metric: ctx.metric, format: spec.format});
  ctx.grids.setStyle(function (f) { return gridStyle(ctx, f); });
  const used = new Set();
  ctx.grids.eachLayer(function (layer) { used.add(gridColour(ctx, layer.feature.properties)); });
  const box = ctx.map.getContainer();
  box.setAttribute("data-classes", String(ctx.scale.colours.filter(function (c) { return used.has(c); }).length));
  legend.update(ctx);
}

function gridPopup(ctx, p) {
  const m = ctx.gridMetrics ? ctx.gridMetrics[p.id] || {} : {};
  const box = el("div", null, "lw-grid-popup");
  box.appendChild(el("h6", p.name || p.code));  // a province overview sends codes only
  box.appendChild(table([
    [t("grid_code"), p.code], [t("employers"), p.employer_count],
    [t("staff"), p.staff_count || t("no_staff")],
    [t("employers_per_staff"), p.staff_count ? (p.employer_count / p.staff_count).toFixed(1) : "—"],
    [t("open_complaints"), m.open_complaints],
    [t("on_time_share"), m.on_time_share === undefined || m.on_time_share === null ? null
      : Math.round(m.on_time_share * 100) + "%"],
    [t("mean_risk"), m.mean_risk]]));
  box.appendChild(link(t("drill_down") + " →", "/map?area=" + encodeURIComponent(p.code)));
  return box;
}

// Recolour the grids by another metric; per-grid figures are fetched once, on first use.
export function setMetric(ctx, metric) {
  ctx.metric = metric;
  const ready = metric === "employers_per_staff" || ctx.gridMetrics ? Promise.resolve()
    : getJSON(ctx.config.layers.gridMetrics).then(function (data) {
      ctx.gridMetrics = {};
      data.items.forEach(function (item) { ctx.gridMetrics[item.id] = item; });
    });
  return ready.then(function () {
    rescale(ctx);
    ctx.map.getContainer().setAttribute("data-metric", metric);
  }).catch(function (err) { status(t("error") + ": " + err.message); });
}

function initDrill() {
  const select = document.getElementById("lw-drill");
  if (!select) return;
  select.addEventListener("change", function () {
    if (select.value) globalThis.location.href = "/map?area=" + encodeURIComponent(select.value);
  });
}

function initSearch(ctx) {
  const form = document.getElementById("lw-search"), input = document.getElementById("lw-search-q");
  const list = document.getElementById("lw-search-results");
  if (!form) return;
  let timer = null, results = [];
  const place = ctx.config.place, area = place.adcode;
  // Is a county inside the area shown (a grid's map: its county)?
  function inside(county) {
    if (!county) return false;
    if (place.level === "province") return true;
    if (place.level === "city") return county === area || county.slice(0, 4) + "00" === area;
    return county === area;
  }
  function show(items) {
    results = items;
    list.replaceChildren();
    if (!items.length) list.appendChild(el("li", t("no_results"), "lw-muted"));
    items.forEach(function (item) {
      const li = el("li", null, "lw-result" + (item.inside ? "" : " lw-result-elsewhere"));
      li.appendChild(el("span", item.title));
      li.appendChild(el("small", item.inside ? item.subtitle
        : t("search_elsewhere") + (item.subtitle ? " · " + item.subtitle : "")));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); go(item); });
      list.appendChild(li);
    });
    list.hidden = false;
  }
  // A result inside the area shown: fly there; elsewhere: open the map of its area, so the
  // breadcrumb, the key figures and the layers follow.
  function go(item) {
    list.hidden = true;
    if (item.inside && item.bounds) { ctx.map.flyToBounds(item.bounds, {maxZoom: 15}); return; }
    if (item.inside) {
      ctx.map.flyTo([item.lat, item.lon], 16);
      tiles.showEmployer(ctx, item.employerId, [item.lat, item.lon]);
      return;
    }
    globalThis.location.href = "/map?area=" + encodeURIComponent(item.area) +
      (item.employerId ? "&employer=" + item.employerId : "");
  }
  function search() {
    const q = input.value.trim();
    if (!q) { list.hidden = true; return; }
    const enc = encodeURIComponent(q);
    const none = function () { return {items: []}; };
    Promise.all([
      getJSON(ctx.config.layers.gridSearch + enc).catch(none),
      getJSON(ctx.config.layers.employerSearch + enc + "&area=" + area).catch(none),
      getJSON(ctx.config.layers.employerSearch + enc).catch(none)
    ]).then(function (res) {
      if (input.value.trim() !== q) return;  // a newer query is on its way
      const seen = {};
      const grids = res[0].items.map(function (g) {
        return {title: g.code + " " + g.name, subtitle: g.county_name || "", bounds: g.bounds,
                area: g.code, inside: inside(g.county_adcode)};
      });
      const employers = res[1].items.concat(res[2].items).filter(function (e) {
        if (e.lat === null || seen[e.id]) return false;
        seen[e.id] = true;
        return true;
      }).map(function (e) {
        return {title: e.name, subtitle: e.credit_code, lat: e.lat, lon: e.lon, employerId: e.id,
                area: e.county_adcode, inside: inside(e.county_adcode)};
      });
      // the area shown first, then elsewhere, each marked
      const items = grids.concat(employers);
      show(items.filter(function (i) { return i.inside; })
        .concat(items.filter(function (i) { return !i.inside; })));
    });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
  input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (results.length) go(results[0]); else search();
  });
}

// Names of the places one level down, drawn on the map: the cities of the province, the
// counties of a city, the grids of a county (or of the grid's county).
function labelPlaces(ctx, overlays) {
  const place = ctx.config.place;
  const group = L.layerGroup();
  ctx.areaSpots = {};  // adcode → where its name is drawn (live.js puts its counts below)
  function label(layer, text) {
    const at = layer.getBounds().getCenter();
    const spot = typeof layer.getCenter === "function" ? layer.getCenter() : at;
    if (layer.feature.properties.adcode) ctx.areaSpots[layer.feature.properties.adcode] = spot;
    L.tooltip({permanent: true, direction: "center", interactive: false,
               className: "lw-area-label lw-area-label-" + place.level})
      .setLatLng(spot).setContent(el("span", text)).addTo(group);
  }
  if (place.level === "province") {
    overlays.cities.layer.eachLayer(function (l) { label(l, l.feature.properties.name); });
  } else if (place.level === "city") {
    overlays.counties.layer.eachLayer(function (l) {
      if (l.feature.properties.parent_adcode === place.adcode || l.feature.properties.adcode === place.adcode) {
        label(l, l.feature.properties.name);
      }
    });
  } else {
    // "中原区第1网格" in 中原区 reads "第1网格": the county is in the breadcrumb
    const county = (place.path || []).find(function (p) { return p.level === "county"; });
    const prefix = county ? county.name : "";
    overlays.grids.layer.eachLayer(function (l) {
      const p = l.feature.properties;
      const name = p.name && prefix && p.name.indexOf(prefix) === 0 && p.name.length > prefix.length
        ? p.name.slice(prefix.length) : p.name || p.code;
      label(l, name);
    });
  }
  group.addTo(ctx.map);
  ctx.map.getContainer().setAttribute("data-labels", String(group.getLayers().length));
}

// The employer a search elsewhere chose: centred, its popup open.
function focusEmployer(ctx, id) {
  getJSON(ctx.config.layers.employer + encodeURIComponent(id)).then(function (e) {
    if (e.lat === null) return;
    ctx.map.setView([e.lat, e.lon], 16);
    tiles.showEmployer(ctx, id, [e.lat, e.lon]);
  }).catch(function (err) { status(err.message); });
}

export function start(map, config) {
  useStrings(config.strings);
  const ctx = {map: map, config: config, metric: "employers_per_staff", gridMetrics: null,
               control: layersControl(), officers: null};
  ctx.control.addTo(map);
  legend.init(ctx);
  // For tests and the console.
  globalThis.LW = {ctx: ctx, get officers() { return ctx.officers; },
                   officerPosition: function (id) { return live.officerPosition(ctx, id); }};
  status(t("loading"));
  const overlays = {}, loads = [];
  const ORDER = ["cities", "counties", "grids"];  // control order; boundaries drawn on top

  function add(key, url, options) {
    loads.push(getJSON(url).then(function (data) {
      overlays[key] = {layer: L.geoJSON(data, options), count: data.features.length};
    }));
  }

  add("grids", config.layers.grids, {
    style: function (f) { return gridStyle(ctx, f); },
    onEachFeature: function (f, layer) {
      layer.bindPopup(function () { return gridPopup(ctx, f.properties); });
    }
  });
  add("counties", config.layers.counties, {
    interactive: true,
    style: function () { return {className: "lw-county", color: "#444", weight: 1.2, fill: false}; },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(el("span", f.properties.name), {sticky: true});
    }
  });
  add("cities", config.layers.cities, {
    interactive: false,
    style: function () { return {className: "lw-city", color: "#111", weight: 2.5, fill: false}; }
  });

  Promise.all(loads).then(function () {
    ORDER.slice().reverse().forEach(function (key) { overlays[key].layer.addTo(map); });
    ORDER.forEach(function (key) {
      const o = overlays[key];
      ctx.control.addOverlay(o.layer, t(key) + " (" + o.count + ")");
      map.getContainer().setAttribute("data-" + key, String(o.count));
    });
    ctx.grids = overlays.grids.layer;
    rescale(ctx);
    ctx.grids.eachLayer(function (l) {  // the chosen grid's outline above its neighbours'
      if (l.feature.properties.id === config.place.grid_id) l.bringToFront();
    });
    labelPlaces(ctx, overlays);
    status("");
  }).catch(function (err) {
    status(t("error") + ": " + err.message);
  }).finally(function () {
    map.getContainer().setAttribute("data-ready", "1");
    // Optional layers load on their own; one missing never breaks the page.
    tiles.init(ctx, function (metric) { return setMetric(ctx, metric); });
    if (config.focusEmployer) focusEmployer(ctx, config.focusEmployer);
    live.init(ctx);
    panels.init(ctx);
  });
  initDrill();
  initSearch(ctx);
}
