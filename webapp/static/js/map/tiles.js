/* Employers as vector tiles (Leaflet.VectorGrid, canvas), coloured by grade or risk.
 * Dense tiles arrive as counts per cell (layer "clusters"); clicking one zooms in.
 * The planner shows the same layer (`layer`). */
import {el, table} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {label, t} from "../core/i18n.js";
import {GRADE, OUTSIDE, RISK, UNKNOWN} from "../core/colours.js";

// Two VectorGrid 1.3 faults with Leaflet 1.9 (Leaflet.VectorGrid #274, PRs #281, #288):
// it calls DomEvent.fakeStop, removed in Leaflet 1.8, on click; and Leaflet 1.9 reads
// getLatLng() of a clicked point, which tile symbolizers never set.
if (L.Canvas && L.Canvas.Tile) {
  L.Canvas.Tile.include({
    _fireEvent: function (layers, e, type) {
      const offset = this.getOffset();
      (layers || []).forEach(function (hit) {
        if (!hit._latlng && hit._point) {
          hit._latlng = this._map.layerPointToLatLng(hit._point.add(offset));
        }
      }, this);
      L.Canvas.prototype._fireEvent.call(this, layers, e, type);
    },
    _onClick: function (e) {
      const point = this._map.mouseEventToLayerPoint(e).subtract(this.getOffset());
      let clicked;
      for (const id in this._layers) {
        const candidate = this._layers[id];
        if (candidate.options.interactive && candidate._containsPoint(point) &&
            !this._map._draggableMoved(candidate)) clicked = candidate;
      }
      if (clicked) {
        L.DomEvent.stop(e);
        this._fireEvent([clicked], e);
        return;
      }
      // Nothing hit: hand the click to what lies below (grids, officers) instead of eating it.
      const canvas = this._container;
      canvas.style.pointerEvents = "none";
      const below = document.elementFromPoint(e.clientX, e.clientY);
      canvas.style.pointerEvents = "auto";
      if (below && below !== canvas) {
        L.DomEvent.stop(e);
        below.dispatchEvent(new MouseEvent(e.type, e));
      }
    }
  });
}

function pointStyle(ctx) {
  return function (p) {
    const fill = ctx.colourBy === "risk" && p.risk_class ? RISK[p.risk_class] || UNKNOWN
      : GRADE[p.grade] || UNKNOWN;
    return {radius: 4, fill: true, fillColor: fill, fillOpacity: 0.9, weight: p.outside ? 2 : 0.5,
            color: p.outside ? OUTSIDE : "#333"};
  };
}

function clusterStyle(ctx) {
  return function (p) {
    let fill;
    if (ctx.colourBy === "risk" && p.red !== undefined) {
      fill = p.red ? RISK.red : p.orange ? RISK.orange : p.yellow ? RISK.yellow : RISK.low;
    } else {  // the most frequent grade colours the cell
      const u = p.u || 0;
      fill = p.c >= p.a && p.c >= p.b && p.c >= u ? GRADE.C : p.b >= p.a && p.b >= u ? GRADE.B
        : p.a >= u ? GRADE.A : GRADE.unrated;
    }
    return {radius: Math.min(10, 2 + 1.5 * Math.log(1 + p.count)), fill: true, fillColor: fill,
            fillOpacity: 0.65, weight: p.outside ? 2 : 0.4, color: p.outside ? OUTSIDE : "#555"};
  };
}

// A grade as people read it: the letter, or 未评级 for an employer never graded.
export function gradeText(grade) {
  return grade === "unrated" ? t("grade_unrated") : grade;
}

function riskClass(code) {
  return code ? label("risk_class_", code) : null;
}

function employerPopup(ctx, props, latlng) {
  const box = el("div", null, "lw-employer-popup");
  box.appendChild(el("h6", props.name || ""));
  const rows = el("div");
  rows.appendChild(table([[t("grade"), gradeText(props.grade)], [t("risk"), props.risk],
                          [t("outside_grid"), props.outside ? "✓" : null]]));
  box.appendChild(rows);
  L.popup({maxWidth: 380, minWidth: 240}).setLatLng(latlng).setContent(box).openOn(ctx.map);
  getJSON(ctx.config.layers.employer + encodeURIComponent(props.id)).then(function (e) {
    rows.replaceChildren(table([
      [t("credit_code"), e.credit_code], [t("address"), e.address],
      [t("grade"), gradeText(e.grade)], [t("risk"), props.risk], [t("risk_class"), riskClass(props.risk_class)],
      [t("grid_code"), e.grid_code],
      [t("county"), e.county_name], [t("employees"), e.employees]]));
    box.setAttribute("data-loaded", "1");
  }).catch(function () { /* the summary from the tile stays */ });
}

function clusterPopup(ctx, props, latlng) {
  const box = el("div", null, "lw-cluster-popup");
  box.appendChild(el("h6", t("employers") + ": " + props.count));
  box.appendChild(table([[t("grade") + " A", props.a], [t("grade") + " B", props.b],
                         [t("grade") + " C", props.c], [t("grade_unrated"), props.u || null],
                         [t("outside_grid"), props.outside || null],
                         [t("risk_class") + " · " + riskClass("red"), props.red || null],
                         [t("risk_class") + " · " + riskClass("orange"), props.orange || null],
                         [t("risk_class") + " · " + riskClass("yellow"), props.yellow || null]]));
  const zoom = el("button", t("zoom_in"), "btn btn-sm btn-outline-primary");
  zoom.addEventListener("click", function () {
    ctx.map.closePopup();
    ctx.map.setView(latlng, Math.min(ctx.map.getZoom() + 3, 18));
  });
  box.appendChild(zoom);
  L.popup().setLatLng(latlng).setContent(box).openOn(ctx.map);
}

// The employer tile layer on ctx.map (ctx: {map, config.layers, colourBy}).
export function layer(ctx) {
  // Above the grids' fill (overlayPane, 400), below markers and popups.
  ctx.map.createPane("lw-employers").style.zIndex = 450;
  const tilesLayer = L.vectorGrid.protobuf(ctx.config.layers.employerTiles, {
    rendererFactory: L.canvas.tile, interactive: true, maxNativeZoom: 18, maxZoom: 18,
    pane: "lw-employers",
    vectorTileLayerStyles: {employers: pointStyle(ctx), clusters: clusterStyle(ctx)},
    getFeatureId: function (f) { return f.properties.id; }
  });
  const container = ctx.map.getContainer();
  tilesLayer.on("click", function (e) {
    const p = e.layer.properties;
    if (p.count !== undefined) clusterPopup(ctx, p, e.latlng);
    else employerPopup(ctx, p, e.latlng);
  });
  tilesLayer.on("load", function () { container.setAttribute("data-employer-tiles", "loaded"); });
  return tilesLayer;
}

function colourControl(ctx, onMetric) {
  const control = L.control({position: "topright"});
  control.onAdd = function () {
    const box = el("div", null, "lw-box leaflet-bar");
    L.DomEvent.disableClickPropagation(box);
    function select(text, id, options, onChange) {
      const row = el("label", text, "lw-select");
      const s = el("select", null, "form-select form-select-sm");
      s.id = id;
      options.forEach(function (o) {
        const opt = el("option", o[1]);
        opt.value = o[0];
        s.appendChild(opt);
      });
      s.addEventListener("change", function () { onChange(s.value); });
      row.appendChild(s);
      box.appendChild(row);
    }
    select(t("metric"), "lw-metric", [["employers_per_staff", t("employers_per_staff")],
      ["open_complaints", t("open_complaints")], ["on_time_share", t("on_time_share")],
      ["mean_risk", t("mean_risk")]], onMetric);
    select(t("colour_by"), "lw-colour", [["grade", t("grade")], ["risk", t("risk")]],
           function (v) { ctx.colourBy = v; ctx.employers.redraw(); });
    return box;
  };
  control.addTo(ctx.map);
}

export function init(ctx, onMetric) {
  ctx.colourBy = "grade";
  if (!L.vectorGrid) {
    ctx.control.addOverlay(L.layerGroup(), t("employers") + " (" + t("unavailable") + ")");
    return;
  }
  ctx.employers = layer(ctx).addTo(ctx.map);
  ctx.control.addOverlay(ctx.employers, t("employers"));
  colourControl(ctx, onMetric);
}

// Used by the search box: fly to an employer and open its popup.
export function showEmployer(ctx, id, latlng) {
  getJSON(ctx.config.layers.employer + encodeURIComponent(id)).then(function (e) {
    employerPopup(ctx, {id: e.id, name: e.name, grade: e.grade, outside: e.grid_id === null},
                  latlng);
  });
}
