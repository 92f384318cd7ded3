/* Layers and panels from other services, each feature-detected: when a route is not there
 * (404) or not for this role (403), the layer is listed as unavailable and the page goes on.
 * - coverage gaps and employers outside any grid (GET /api/v1/coverage?area=)
 * - risk hotspots as H3 hexagons (GET /api/v1/hotspots?area=)
 * - key figures with links to the lists behind them (GET /api/v1/kpis?area=) */
(function (global) {
  "use strict";

  var LW = global.LW;
  var HOT = {99: "#b2182b", 95: "#ef8a62", 90: "#fddbc7"};
  var COLD = {99: "#2166ac", 95: "#67a9cf", 90: "#d1e5f0"};

  function unavailable(ctx, key, err) {
    ctx.control.addOverlay(L.layerGroup(), ctx.labels[key] + " (" + ctx.labels.unavailable + ")");
    ctx.map.getContainer().setAttribute("data-" + key, "unavailable");
    if (err && err.status !== 404 && err.status !== 403 && global.console) console.warn(key, err.message);
  }

  // Every FeatureCollection inside a response, whatever the envelope around it.
  function collections(data, out) {
    out = out || [];
    if (!data || typeof data !== "object") return out;
    if (data.type === "FeatureCollection") { out.push(data); return out; }
    Object.keys(data).forEach(function (k) { collections(data[k], out); });
    return out;
  }

  function propsTable(p) {
    return LW.table(Object.keys(p || {}).filter(function (k) {
      return p[k] !== null && typeof p[k] !== "object";
    }).map(function (k) { return [k, p[k]]; }));
  }

  function loadCoverage(ctx) {
    if (!ctx.config.layers.coverage) return unavailable(ctx, "coverage");
    return LW.fetchJSON(ctx.config.layers.coverage).then(function (data) {
      var group = L.featureGroup(), n = 0;
      collections(data).forEach(function (fc) {
        L.geoJSON(fc, {
          style: function () {
            return {className: "lw-gap", color: "#c51b8a", weight: 1.5, fillColor: "#c51b8a",
                    fillOpacity: 0.35, dashArray: "4 3"};
          },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, {className: "lw-outside", radius: 5, color: "#c51b8a",
                                           weight: 2, fillColor: "#fff", fillOpacity: 1});
          },
          onEachFeature: function (f, layer) {
            n++;
            layer.bindPopup(function () { return propsTable(f.properties); });
          }
        }).addTo(group);
      });
      group.addTo(ctx.map);
      ctx.control.addOverlay(group, ctx.labels.coverage + " (" + n + ")");
      ctx.map.getContainer().setAttribute("data-coverage", String(n));
    }).catch(function (err) { unavailable(ctx, "coverage", err); });
  }

  function hotspotStyle(p) {
    var cls = String(p["class"] || ""), level = (cls.match(/(99|95|90)/) || [])[1];
    var ramp = cls.indexOf("hot") === 0 ? HOT : cls.indexOf("cold") === 0 ? COLD : null;
    if (!ramp || !level) return {stroke: false, fill: false, className: "lw-hex-ns"};
    return {className: "lw-hex", color: ramp[level], weight: 0.5, fillColor: ramp[level], fillOpacity: 0.6};
  }

  function loadHotspots(ctx) {
    if (!ctx.config.layers.hotspots) return unavailable(ctx, "hotspots");
    return LW.fetchJSON(ctx.config.layers.hotspots).then(function (data) {
      var layer = L.geoJSON(collections(data)[0] || data, {
        style: function (f) { return hotspotStyle(f.properties); },
        onEachFeature: function (f, layer) {
          layer.bindPopup(function () { return propsTable(f.properties); });
        }
      });
      // Hotspots are a choice, not a default: they hide the grids' colours.
      ctx.control.addOverlay(layer, ctx.labels.hotspots);
      ctx.map.getContainer().setAttribute("data-hotspots", String(layer.getLayers().length));
    }).catch(function (err) { unavailable(ctx, "hotspots", err); });
  }

  // A figure is a number, or an object with a value and the link to the list behind it.
  function figure(value) {
    if (typeof value === "number" || typeof value === "string") return {value: value};
    if (value && typeof value === "object" && ("value" in value || "count" in value)) {
      return {value: "value" in value ? value.value : value.count,
              href: value.href || value.link || value.list || value.url, label: value.label};
    }
    return null;
  }

  function kpiRows(data, prefix, out, names) {
    names = names || {};
    Object.keys(data || {}).forEach(function (key) {
      var f = figure(data[key]);
      var name = names[key] || key;
      if (f) out.push({label: f.label || (prefix ? (names[prefix] || prefix) + " · " : "") + name,
                       value: f.value, href: f.href});
      else if (data[key] && typeof data[key] === "object" && !Array.isArray(data[key]) &&
               data[key].type !== "FeatureCollection") kpiRows(data[key], key, out, names);
    });
    return out;
  }

  function loadKpis(ctx) {
    var panel = L.control({position: "bottomleft"});
    var box = LW.el("div", null, "lw-box lw-kpis");
    panel.onAdd = function () { L.DomEvent.disableClickPropagation(box); return box; };
    var request = ctx.config.layers.kpis ? LW.fetchJSON(ctx.config.layers.kpis)
      : Promise.reject({status: 404});
    return request.then(function (data) {
      box.appendChild(LW.el("h6", ctx.labels.kpis));
      var list = LW.el("dl");
      kpiRows(data, "", [], ctx.labels.kpi_names).forEach(function (row) {
        list.appendChild(LW.el("dt", row.label));
        var dd = LW.el("dd");
        var text = typeof row.value === "number" ? row.value.toLocaleString() : row.value;
        if (row.href && /^\/(?!\/)/.test(String(row.href))) dd.appendChild(LW.link(text, row.href));
        else dd.textContent = text === null || text === undefined ? "—" : String(text);
        list.appendChild(dd);
      });
      box.appendChild(list);
      panel.addTo(ctx.map);
      ctx.map.getContainer().setAttribute("data-kpis", "loaded");
    }).catch(function (err) {
      box.appendChild(LW.el("span", ctx.labels.kpis + ": " + ctx.labels.unavailable, "lw-muted"));
      panel.addTo(ctx.map);
      ctx.map.getContainer().setAttribute("data-kpis", "unavailable");
      if (err.status !== 404 && err.status !== 403 && global.console) console.warn("kpis", err.message);
    });
  }

  function legend(ctx) {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var box = LW.el("div", null, "lw-box lw-legend"), l = ctx.labels;
      box.appendChild(LW.el("strong", l.legend));
      [["#2ca02c", l.grade + " A"], ["#ff9f1c", l.grade + " B"], ["#d62728", l.grade + " C"],
       ["#c51b8a", l.outside_grid], ["#d62728", l.grids + ": " + l.no_staff]].forEach(function (r) {
        var row = LW.el("div");
        var swatch = LW.el("span", null, "lw-swatch");
        swatch.style.background = r[0];
        row.appendChild(swatch);
        row.appendChild(LW.el("span", r[1]));
        box.appendChild(row);
      });
      return box;
    };
    control.addTo(ctx.map);
  }

  function init(ctx) {
    legend(ctx);
    loadCoverage(ctx);
    loadHotspots(ctx);
    loadKpis(ctx);
  }

  global.LWPanels = {init: init, _kpiRows: kpiRows};
})(window);
