/* The command map's legend: every colour on the map with its one meaning, layer by layer —
 * the grid fill of the current metric with its fitted class breaks (scale.js), employers,
 * officers, inspections, hotspots and projects. Folded on a phone, open on a desktop. */
import {el} from "../core/dom.js";
import {label, t} from "../core/i18n.js";
import {COLD, DISCLOSED, GRADE, HOT, NO_STAFF, NO_VALUE, OFFICER_STALE, OFFICER_STATUS, OUTSIDE,
        RISK, SELECTED, SUMMARY} from "../core/colours.js";
import {classLabels} from "./scale.js";

const PRIORITY_FILL = {urgent: "#d62728", high: "#ff7f0e", normal: "#1f77b4"};  // app.css .lw-prio-*

function row(colour, text, shape) {
  const r = el("div", null, "lw-legend-row");
  const swatch = el("span", null, "lw-swatch lw-swatch-" + (shape || "dot"));
  if (shape === "ring") swatch.style.borderColor = colour; else swatch.style.background = colour;
  r.appendChild(swatch);
  r.appendChild(el("span", text));
  return r;
}

function section(box, title, rows) {
  box.appendChild(el("div", title, "lw-legend-title"));
  rows.forEach(function (r) { box.appendChild(row(r[0], r[1], r[2])); });
}

export function init(ctx) {
  const control = L.control({position: "bottomright"});
  control.onAdd = function () {
    const box = el("details", null, "lw-box lw-legend");
    box.open = globalThis.innerWidth > 640 && globalThis.innerHeight >= 800;
    box.appendChild(el("summary", t("legend"), "fw-semibold"));
    ctx.legendFill = el("div", null, "lw-legend-fill");
    box.appendChild(ctx.legendFill);
    section(box, t("employers"), [
      [GRADE.A, t("grade") + " A"], [GRADE.B, t("grade") + " B"], [GRADE.C, t("grade") + " C"],
      [GRADE.unrated, t("grade_unrated")], [OUTSIDE, t("outside_grid")],
      [DISCLOSED, t("disclosed"), "ring"]]);
    if (ctx.config.layers.officerSummary) {  // above county level: counts per area (live.js)
      section(box, t("area_summary"), [[SUMMARY.officers, t("on_duty"), "dot"],
                                       [SUMMARY.jobs, t("open_jobs"), "square"],
                                       [SUMMARY.incidents, t("incident"), "square"]]);
      box.appendChild(el("div", t("area_summary_hint"), "lw-legend-note"));
    }
    section(box, t("officers"), Object.keys(OFFICER_STATUS).map(function (s) {
      return [OFFICER_STATUS[s], label("status_", s)];
    }).concat([[OFFICER_STALE, t("position_stale")]]));
    section(box, t("inspections"), ["urgent", "high", "normal"].map(function (p) {
      return [PRIORITY_FILL[p], label("priority_", p)];
    }).concat([["#d62728", t("incident"), "square"]]));
    section(box, t("hotspots"), [99, 95, 90].map(function (c) {
      return [HOT[c], label("hotspot_class_", "hot_" + c), "square"];
    }).concat([99, 95, 90].map(function (c) {
      return [COLD[c], label("hotspot_class_", "cold_" + c), "square"];
    })));
    section(box, t("projects"), ["red", "orange", "yellow"].map(function (l) {
      return [RISK[l], label("project.level.", l), "square"];
    }));
    return box;
  };
  control.addTo(ctx.map);
}

// The grid fill of the current metric: one row per class with its bounds.
export function update(ctx) {
  const box = ctx.legendFill;
  if (!box || !ctx.scale) return;
  box.textContent = "";
  const labels = classLabels(ctx.scale, ctx.scale.format);
  const rows = ctx.scale.breaks.length ? ctx.scale.colours.map(function (c, i) {
    return [c, labels[i], "square"];
  }) : [];
  if (ctx.metric === "employers_per_staff") rows.push([NO_STAFF, t("no_staff"), "square"]);
  rows.push([NO_VALUE, t("no_value"), "square"]);
  if (ctx.config.place.grid_id) rows.push([SELECTED, t("selected_grid"), "ring"]);
  section(box, t("grids") + "：" + t(ctx.metric), rows);
  box.setAttribute("data-breaks", ctx.scale.breaks.join(" "));
}
