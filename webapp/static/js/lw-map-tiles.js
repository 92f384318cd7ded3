/* Employers as vector tiles (Leaflet.VectorGrid, canvas), coloured by grade or risk.
 * Dense tiles arrive as counts per cell (layer "clusters"); clicking one zooms in. */
(function (global) {
  "use strict";

  var LW = global.LW;
  var GRADE = {A: "#2ca02c", B: "#ff9f1c", C: "#d62728"};
  var RISK = {red: "#d62728", orange: "#ff7f0e", yellow: "#e6c300", low: "#2ca02c"};
  var OUTSIDE = "#c51b8a";  // employers outside any grid

  // Two VectorGrid 1.3 faults with Leaflet 1.9 (Leaflet.VectorGrid #274, PRs #281, #288):
  // it calls DomEvent.fakeStop, removed in Leaflet 1.8, on click; and Leaflet 1.9 reads
  // getLatLng() of a clicked point, which tile symbolizers never set.
  if (L.Canvas && L.Canvas.Tile) {
    L.Canvas.Tile.include({
      _fireEvent: function (layers, e, type) {
        var offset = this.getOffset();
        (layers || []).forEach(function (layer) {
          if (!layer._latlng && layer._point) {
            layer._latlng = this._map.layerPointToLatLng(layer._point.add(offset));
          }
        }, this);
        L.Canvas.prototype._fireEvent.call(this, layers, e, type);
      },
      _onClick: function (e) {
        var point = this._map.mouseEventToLayerPoint(e).subtract(this.getOffset()), clicked;
        for (var id in this._layers) {
          var layer = this._layers[id];
          if (layer.options.interactive && layer._containsPoint(point) &&
              !this._map._draggableMoved(layer)) clicked = layer;
        }
        if (clicked) {
          L.DomEvent.stop(e);
          this._fireEvent([clicked], e);
          return;
        }
        // Nothing hit: hand the click to what lies below (grids, officers) instead of eating it.
        var canvas = this._container;
        canvas.style.pointerEvents = "none";
        var below = document.elementFromPoint(e.clientX, e.clientY);
        canvas.style.pointerEvents = "auto";
        if (below && below !== canvas) {
          L.DomEvent.stop(e);
          below.dispatchEvent(new MouseEvent(e.type, e));
        }
      }
    });
  }

  function riskColour(p) {
    return RISK[p.risk_class] || "#888";
  }

  function pointStyle(ctx) {
    return function (p) {
      var fill = ctx.colourBy === "risk" && p.risk_class ? riskColour(p) : GRADE[p.grade] || "#888";
      return {radius: 4, fill: true, fillColor: fill, fillOpacity: 0.9, weight: p.outside ? 2 : 0.5,
              color: p.outside ? OUTSIDE : "#333"};
    };
  }

  function clusterStyle(ctx) {
    return function (p) {
      var fill;
      if (ctx.colourBy === "risk" && p.red !== undefined) {
        fill = p.red ? RISK.red : p.orange ? RISK.orange : p.yellow ? RISK.yellow : RISK.low;
      } else {  // the most frequent grade colours the cell
        fill = p.c >= p.a && p.c >= p.b ? GRADE.C : p.b >= p.a ? GRADE.B : GRADE.A;
      }
      return {radius: Math.min(10, 2 + 1.5 * Math.log(1 + p.count)), fill: true, fillColor: fill,
              fillOpacity: 0.65, weight: p.outside ? 2 : 0.4, color: p.outside ? OUTSIDE : "#555"};
    };
  }

  function employerPopup(ctx, props, latlng) {
    var labels = ctx.labels, box = LW.el("div", null, "lw-employer-popup");
    box.appendChild(LW.el("h6", props.name || ""));
    var rows = LW.el("div");
    rows.appendChild(LW.table([[labels.grade, props.grade], [labels.risk, props.risk],
                               [labels.outside_grid, props.outside ? "✓" : null]]));
    box.appendChild(rows);
    L.popup({maxWidth: 380, minWidth: 240}).setLatLng(latlng).setContent(box).openOn(ctx.map);
    LW.fetchJSON(ctx.config.layers.employer + encodeURIComponent(props.id)).then(function (e) {
      rows.replaceChildren(LW.table([
        [labels.credit_code, e.credit_code], [labels.address, e.address],
        [labels.grade, e.grade], [labels.risk, props.risk], [labels.risk_class, props.risk_class],
        [labels.grid_code, e.grid_code],
        [labels.county, e.county_name], [labels.employees, e.employees]]));
      box.setAttribute("data-loaded", "1");
    }).catch(function () { /* the summary from the tile stays */ });
  }

  function clusterPopup(ctx, props, latlng) {
    var labels = ctx.labels, box = LW.el("div", null, "lw-cluster-popup");
    box.appendChild(LW.el("h6", labels.employers + ": " + props.count));
    box.appendChild(LW.table([["A", props.a], ["B", props.b], ["C", props.c],
                              [labels.outside_grid, props.outside || null],
                              [labels.risk + " · red", props.red || null],
                              [labels.risk + " · orange", props.orange || null],
                              [labels.risk + " · yellow", props.yellow || null]]));
    var zoom = LW.el("button", labels.zoom_in, "btn btn-sm btn-outline-primary");
    zoom.addEventListener("click", function () {
      ctx.map.closePopup();
      ctx.map.setView(latlng, Math.min(ctx.map.getZoom() + 3, 18));
    });
    box.appendChild(zoom);
    L.popup().setLatLng(latlng).setContent(box).openOn(ctx.map);
  }

  function makeLayer(ctx) {
    // Above the grids' fill (overlayPane, 400), below markers and popups.
    ctx.map.createPane("lw-employers").style.zIndex = 450;
    var layer = L.vectorGrid.protobuf(ctx.config.layers.employerTiles, {
      rendererFactory: L.canvas.tile, interactive: true, maxNativeZoom: 18, maxZoom: 18,
      pane: "lw-employers",
      vectorTileLayerStyles: {employers: pointStyle(ctx), clusters: clusterStyle(ctx)},
      getFeatureId: function (f) { return f.properties.id; }
    });
    var container = ctx.map.getContainer();
    layer.on("click", function (e) {
      var p = e.layer.properties;
      if (p.count !== undefined) clusterPopup(ctx, p, e.latlng);
      else employerPopup(ctx, p, e.latlng);
    });
    layer.on("load", function () { container.setAttribute("data-employer-tiles", "loaded"); });
    return layer;
  }

  function colourControl(ctx) {
    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var box = LW.el("div", null, "lw-box leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      function select(label, id, options, onChange) {
        var row = LW.el("label", label, "lw-select");
        var s = LW.el("select", null, "form-select form-select-sm");
        s.id = id;
        options.forEach(function (o) {
          var opt = LW.el("option", o[1]);
          opt.value = o[0];
          if (o[2]) opt.disabled = true;
          s.appendChild(opt);
        });
        s.addEventListener("change", function () { onChange(s.value); });
        row.appendChild(s);
        box.appendChild(row);
      }
      var l = ctx.labels;
      select(l.metric, "lw-metric", [["employers_per_staff", l.employers_per_staff],
        ["open_complaints", l.open_complaints], ["on_time_share", l.on_time_share],
        ["mean_risk", l.mean_risk, !ctx.riskAvailable]], function (v) { LW.setMetric(ctx, v); });
      select(l.colour_by, "lw-colour", [["grade", l.grade], ["risk", l.risk, !ctx.riskAvailable]],
             function (v) { ctx.colourBy = v; ctx.employers.redraw(); });
      return box;
    };
    control.addTo(ctx.map);
  }

  function init(ctx) {
    ctx.colourBy = "grade";
    ctx.riskAvailable = !!ctx.config.riskAvailable;
    if (!L.vectorGrid) {
      ctx.control.addOverlay(L.layerGroup(), ctx.labels.employers + " (" + ctx.labels.unavailable + ")");
      return;
    }
    ctx.employers = makeLayer(ctx).addTo(ctx.map);
    ctx.control.addOverlay(ctx.employers, ctx.labels.employers);
    colourControl(ctx);
  }

  // Used by the search box: fly to an employer and open its popup.
  function showEmployer(ctx, id, latlng) {
    LW.fetchJSON(ctx.config.layers.employer + encodeURIComponent(id)).then(function (e) {
      employerPopup(ctx, {id: e.id, name: e.name, grade: e.grade, outside: e.grid_id === null},
                    latlng);
    });
  }

  // `layer` lets another page (the planner) show the same employer tiles.
  global.LWTiles = {init: init, showEmployer: showEmployer, layer: makeLayer};
})(window);
