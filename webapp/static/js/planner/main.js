/* Liangwang planner page: a county's grids (full precision), employers, coverage gaps and
 * overlaps; selecting a grid. edit.js edits vertices (a shared boundary stays shared) with
 * an undo stack; panel.js previews and commits; tools.js adds split, merge, history/revert
 * and auto-partition. Database text goes in with textContent only. */
import {el, message, status, table} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {language, t, useStrings} from "../core/i18n.js";
import {layersControl} from "../core/leaflet.js";
import * as tiles from "../map/tiles.js";
import {P, S} from "./state.js";
import "./edit.js";
import "./files.js";
import "./panel.js";
import "./staffing.js";
import "./tools.js";

// Coverage is floored, so a county that is not fully covered never reads 100.00 %.
P.pct = function (v) {
  return v === null || v === undefined ? "—" : (Math.floor(v * 100) / 100).toFixed(2);
};

P.message = function (text, kind) { message(text, kind, "mb-2"); };

// ---- grids on the map ----

function style(g) {
  var dev = S.mean ? (g.props.employer_count - S.mean) / S.mean * 100 : 0;
  var s = {color: "#1f3a5f", weight: 1.2, dashArray: null, fillOpacity: 0.35,
           fillColor: dev > 15 ? "#fdae6b" : dev < -15 ? "#9ecae1" : "#c7e9c0"};
  if (g.dirty) { s.color = "#e6550d"; s.weight = 2.5; s.dashArray = "6 4"; }
  if (S.picked.indexOf(g.id) >= 0) { s.color = "#7b3294"; s.weight = 3; }
  if (g.id === S.selected) { s.color = "#d62728"; s.weight = 3; s.fillOpacity = 0.45; }
  if (S.labelsHidden) { s.fillOpacity = 0.12; s.weight = 0.8; }
  return s;
}

// Labels of the current grids step aside while a proposal with its own labels is shown.
P.showLabels = function (visible) {
  S.labelsHidden = !visible;
  S.order.forEach(function (id) {
    var layer = S.grids[id].layer;
    if (visible) layer.openTooltip(); else layer.closeTooltip();
  });
  restyle();
};

function restyle() {
  S.order.forEach(function (id) { S.grids[id].layer.setStyle(style(S.grids[id])); });
}
P.restyle = restyle;

function addGrid(feature) {
  var p = feature.properties;
  var layer = L.GeoJSON.geometryToLayer(feature, {});
  layer.options.className = "lw-plan-grid lw-grid-" + p.id;
  var g = {id: p.id, props: p, layer: layer, dirty: false};
  layer.lwGrid = g;
  layer.bindTooltip(el("span", p.code + " · " + p.employer_count),
                    {permanent: true, direction: "center", className: "lw-grid-label"});
  layer.on("click", function (e) {
    // While a split line is drawn, a click on a grid is the line's next vertex: it must
    // reach the map, where Geoman's drawing listens (stopping it here meant no vertex could
    // be placed inside the county).
    if (S.mode === "split") return;
    L.DomEvent.stop(e);
    if (P.onGridClick) P.onGridClick(g);
  });
  P.attachEditing(layer);
  layer.addTo(S.gridGroup);
  g.original = g.saved = P.snapshot(g);
  S.grids[g.id] = g;
  S.order.push(g.id);
}

P.select = function (id) {
  var before = S.grids[S.selected];
  if (before && before.layer.pm.enabled()) before.layer.pm.disable();
  S.selected = S.grids[id] ? id : null;
  restyle();
  var g = S.grids[S.selected];
  if (g && S.config.canEdit && !S.locked && S.mode === "edit") g.layer.pm.enable(P.editOptions(g));
  showGrid(g);
  if (P.showStaffing) P.showStaffing(g);
  if (P.loadHistory) P.loadHistory(g);
  S.map.getContainer().setAttribute("data-selected", S.selected || "");
};

// No vertex dragging while another kind of change (split, merge, …) is being previewed.
P.lock = function (locked) {
  S.locked = locked;
  var g = S.grids[S.selected];
  if (!g) return;
  if (locked && g.layer.pm.enabled()) g.layer.pm.disable();
  if (!locked && S.config.canEdit && S.mode === "edit") g.layer.pm.enable(P.editOptions(g));
};

function showGrid(g) {
  var box = document.getElementById("lw-grid");
  box.textContent = "";
  if (!g) { box.textContent = t("plan_select_first"); return; }
  box.className = "small";
  box.appendChild(el("div", g.newName || g.props.name, "fw-bold"));
  box.appendChild(table([[t("grid_code"), g.props.code], [t("plan_version"), g.props.version],
                            [t("employers"), g.props.employer_count],
                            [t("staff"), g.props.staff_count]]));
  if (S.config.canEdit) box.appendChild(renameForm(g));
}

// 改名: the new name joins the unsaved edits (previewed, committed or discarded with them).
function renameForm(g) {
  var form = el("form", null, "d-flex gap-1 align-items-end mt-1 lw-rename");
  var field = el("div", null, "flex-grow-1");
  var label = el("label", t("plan_grid_name"), "form-label small mb-0");
  label.htmlFor = "lw-rename-name";
  var input = el("input", null, "form-control form-control-sm");
  input.id = "lw-rename-name";
  input.maxLength = 128;
  input.value = g.newName || g.props.name || "";
  field.appendChild(label);
  field.appendChild(input);
  form.appendChild(field);
  var button = el("button", t("plan_rename"), "btn btn-sm btn-outline-primary");
  button.type = "submit";
  form.appendChild(button);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    P.rename(g, input.value);
    showGrid(g);
    document.getElementById("lw-rename-name").focus();
  });
  return form;
}

function showCoverage(c) {
  var box = document.getElementById("lw-coverage");
  box.textContent = "";
  if (!c) return;
  box.appendChild(table([
    [t("plan_coverage_pct"), P.pct(c.covered_pct) + " %"],
    [t("plan_gaps"), c.gaps.features.length + " · " + Math.round(c.gap_km2 * 1e6) + " m²"],
    [t("plan_overlaps"), c.overlaps.features.length + " · " + Math.round(c.overlap_km2 * 1e6) + " m²"],
    [t("plan_employers_outside"), c.employers_outside_grids]]));
  S.coverageLayer.clearLayers();
  S.coverageLayer.addData(c.gaps).addData(c.overlaps);
}

function coverageStyle(f) {
  var overlap = f.properties && f.properties.grid_ids;
  return {color: overlap ? "#7b3294" : "#d62728", weight: 2, fillOpacity: 0.5,
          className: overlap ? "lw-overlap" : "lw-gap"};
}

// (Re)load the county's grids at full precision and its coverage; unsaved edits are dropped.
P.reload = function () {
  var c = S.config;
  status(t("loading"));
  return Promise.all([
    getJSON(c.urls.grids, {cache: "no-store"}),
    getJSON(c.urls.coverage, {cache: "no-store"}).catch(function () { return null; })
  ]).then(function (res) {
    var keep = S.selected;
    if (S.grids[keep] && S.grids[keep].layer.pm.enabled()) S.grids[keep].layer.pm.disable();
    S.gridGroup.clearLayers();
    S.grids = {};
    S.order = [];
    S.undo = [];
    S.redo = [];
    S.selected = null;
    res[0].features.forEach(addGrid);
    var counts = S.order.map(function (id) { return S.grids[id].props.employer_count; });
    S.mean = counts.length ? counts.reduce(function (a, b) { return a + b; }, 0) / counts.length : 0;
    showCoverage(res[1]);
    P.select(S.grids[keep] ? keep : null);
    P.updateEditBar();
    if (P.afterReload) P.afterReload();
    status("");
    S.map.getContainer().setAttribute("data-grids", String(S.order.length));
    S.map.getContainer().setAttribute("data-ready", "1");
  }).catch(function (err) {
    status(t("error") + ": " + err.message);
  });
};

function addCounties(fc) {
  var own = S.config.county.adcode;
  L.geoJSON(fc, {
    interactive: false,
    style: function (f) {
      var mine = f.properties.adcode === own;
      return {className: mine ? "lw-county lw-own-county" : "lw-county", color: "#333",
              weight: mine ? 2.5 : 1, fill: false};
    },
    // The county border is a snapping target (so grids keep to it); neighbours are not.
    onEachFeature: function (f, layer) {
      layer.options.pmIgnore = true;
      layer.options.snapIgnore = f.properties.adcode !== own;
    }
  }).addTo(S.map).bringToBack();
}

export function start(map, config) {
  useStrings(config.strings);
  globalThis.LWPlanner = P;  // for tests and the console
  S.map = map;
  S.config = config;
  map.pm.setLang(language());
  map.pm.setGlobalOptions({snappable: true, snapDistance: 14});
  S.gridGroup = L.featureGroup().addTo(map);
  S.coverageLayer = L.geoJSON(null, {interactive: false, pmIgnore: true, snapIgnore: true,
                                     style: coverageStyle}).addTo(map);
  S.control = layersControl().addTo(map);
  S.control.addOverlay(S.coverageLayer, t("plan_gaps") + " / " + t("plan_overlaps"));
  if (L.vectorGrid) {
    S.employers = tiles.layer({map: map, config: config, colourBy: "grade"}).addTo(map);
    // Below the grids: the dots show through their fill and never take an editing click.
    map.getPane("lw-employers").style.zIndex = 350;
    S.control.addOverlay(S.employers, t("employers"));
  }
  var select = document.getElementById("lw-county");
  select.addEventListener("change", function () {
    if (P.hasEdits() && !globalThis.confirm(t("plan_leave"))) {
      select.value = config.county.adcode;
      return;
    }
    globalThis.location.href = "/planner?county=" + encodeURIComponent(select.value);
  });
  globalThis.addEventListener("beforeunload", function (e) {
    if (P.hasEdits()) e.preventDefault();  // the browser asks before unsaved edits are lost
  });
  map.on("click", function () {
    if (S.mode === "merge") {  // a click beside the grids cancels picking a neighbour
      S.mode = "edit";
      P.lock(!!S.action && S.action.kind !== "edits");
      P.message("");
    } else if (S.mode === "edit" && !S.drag && !(Date.now() < S.quietUntil)) {
      P.select(null);
    }
  });
  getJSON(config.urls.counties).then(addCounties).catch(function () {});
  P.initPanel();
  P.initTools();
  P.initFiles();
  return P.reload();
}
