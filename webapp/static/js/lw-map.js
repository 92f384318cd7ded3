/* Liangwang command map: boundaries, grids coloured by a metric, drill-down and search.
 * Other layers live in lw-map-tiles.js, lw-map-live.js and lw-map-panels.js.
 * All text from the database is inserted with textContent, never as HTML; the one Leaflet
 * API that takes only HTML (layer names) gets its text through escapeHtml. */
(function (global) {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function table(rows) {
    var t = el("table", null, "lw-popup");
    rows.forEach(function (r) {
      if (r[1] === undefined || r[1] === null || r[1] === "") return;
      var tr = el("tr");
      tr.appendChild(el("th", r[0]));
      tr.appendChild(el("td", r[1]));
      t.appendChild(tr);
    });
    return t;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // Leaflet's layers control writes overlay names with innerHTML; ours are plain text.
  function layersControl() {
    var control = L.control.layers(null, {}, {collapsed: false});
    var addOverlay = control.addOverlay;
    control.addOverlay = function (layer, name) {
      return addOverlay.call(this, layer, escapeHtml(name));
    };
    return control;
  }

  function link(text, href) {
    var a = el("a", text);
    a.setAttribute("href", href);
    return a;
  }

  function status(text) {
    var box = document.getElementById("lw-status");
    if (box) box.textContent = text || "";
  }

  // Resolves to the JSON body, or rejects with err.status set (404 = the route is not there).
  function fetchJSON(url, options) {
    var headers = {Accept: "application/json, application/geo+json"};
    return fetch(url, Object.assign({credentials: "same-origin", headers: headers}, options || {}))
      .then(function (r) {
        if (!r.ok) {
          var err = new Error(url + " → HTTP " + r.status);
          err.status = r.status;
          throw err;
        }
        return r.json();
      });
  }

  // Grid fill for each metric; light = good, dark/red = needs attention.
  var RAMP = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
  var WARM = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"];
  var METRICS = {
    employers_per_staff: {steps: [40, 80, 120, 160, 200], ramp: RAMP},
    open_complaints: {steps: [1, 2, 4, 8, 16], ramp: WARM},
    on_time_share: {steps: [0.5, 0.6, 0.7, 0.8, 0.9], ramp: WARM.slice().reverse()},
    mean_risk: {steps: [20, 35, 50, 65, 80], ramp: WARM}
  };

  function metricValue(metric, props, extra) {
    if (metric === "employers_per_staff") {
      return props.staff_count ? props.employer_count / props.staff_count : Infinity;
    }
    return extra ? extra[metric] : null;
  }

  function gridColour(props, metric, extra) {
    metric = metric || "employers_per_staff";
    var value = metricValue(metric, props, extra);
    if (value === Infinity) return "#d62728"; // no staff: highlighted
    if (value === null || value === undefined) return "#e0e0e0";
    var spec = METRICS[metric], i = 0;
    while (i < spec.steps.length && value >= spec.steps[i]) i++;
    return spec.ramp[i];
  }

  function initCommandMap(map, config) {
    var labels = config.labels;
    var ctx = {map: map, config: config, labels: labels, metric: "employers_per_staff",
               gridMetrics: null, control: layersControl()};
    ctx.control.addTo(map);
    global.LW.ctx = ctx;
    status(labels.loading);
    var overlays = {}, loads = [];
    var ORDER = ["cities", "counties", "grids"];  // control order; boundaries drawn on top

    function add(key, url, options) {
      loads.push(fetchJSON(url).then(function (data) {
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
        var o = overlays[key];
        ctx.control.addOverlay(o.layer, labels[key] + " (" + o.count + ")");
        map.getContainer().setAttribute("data-" + key, String(o.count));
      });
      ctx.grids = overlays.grids.layer;
      status("");
    }).catch(function (err) {
      status(labels.error + ": " + err.message);
    }).finally(function () {
      map.getContainer().setAttribute("data-ready", "1");
      // Optional layers load on their own; one missing never breaks the page.
      [global.LWTiles, global.LWLive, global.LWPanels].forEach(function (mod) {
        if (mod) mod.init(ctx);
      });
    });
    initDrill();
    initSearch(ctx);
  }

  function gridStyle(ctx, f) {
    var extra = ctx.gridMetrics ? ctx.gridMetrics[f.properties.id] : null;
    return {className: "lw-grid", color: "#555", weight: 0.6, fillOpacity: 0.55,
            fillColor: gridColour(f.properties, ctx.metric, extra)};
  }

  function gridPopup(ctx, p) {
    var labels = ctx.labels, m = ctx.gridMetrics ? ctx.gridMetrics[p.id] || {} : {};
    var box = el("div", null, "lw-grid-popup");
    box.appendChild(el("h6", p.name));
    box.appendChild(table([
      [labels.grid_code, p.code], [labels.employers, p.employer_count],
      [labels.staff, p.staff_count || labels.no_staff],
      [labels.employers_per_staff, p.staff_count ? (p.employer_count / p.staff_count).toFixed(1) : "—"],
      [labels.open_complaints, m.open_complaints],
      [labels.on_time_share, m.on_time_share === undefined || m.on_time_share === null ? null
        : Math.round(m.on_time_share * 100) + "%"],
      [labels.mean_risk, m.mean_risk]]));
    box.appendChild(link(labels.drill_down + " →", "/map?area=" + encodeURIComponent(p.code)));
    return box;
  }

  // Recolour the grids by another metric; per-grid figures are fetched once, on first use.
  function setMetric(ctx, metric) {
    ctx.metric = metric;
    var ready = metric === "employers_per_staff" || ctx.gridMetrics ? Promise.resolve()
      : fetchJSON(ctx.config.layers.gridMetrics).then(function (data) {
        ctx.gridMetrics = {};
        data.items.forEach(function (item) { ctx.gridMetrics[item.id] = item; });
      });
    return ready.then(function () {
      if (ctx.grids) ctx.grids.setStyle(function (f) { return gridStyle(ctx, f); });
      ctx.map.getContainer().setAttribute("data-metric", metric);
    }).catch(function (err) { status(ctx.labels.error + ": " + err.message); });
  }

  function initDrill() {
    var select = document.getElementById("lw-drill");
    if (!select) return;
    select.addEventListener("change", function () {
      if (select.value) global.location.href = "/map?area=" + encodeURIComponent(select.value);
    });
  }

  function initSearch(ctx) {
    var form = document.getElementById("lw-search"), input = document.getElementById("lw-search-q");
    var list = document.getElementById("lw-search-results");
    if (!form) return;
    var timer = null, results = [];
    function show(items) {
      results = items;
      list.replaceChildren();
      if (!items.length) list.appendChild(el("li", ctx.labels.no_results, "lw-muted"));
      items.forEach(function (item) {
        var li = el("li", null, "lw-result");
        li.appendChild(el("span", item.title));
        li.appendChild(el("small", item.subtitle));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); go(item); });
        list.appendChild(li);
      });
      list.hidden = false;
    }
    function go(item) {
      list.hidden = true;
      if (item.bounds) ctx.map.flyToBounds(item.bounds, {maxZoom: 15});
      else ctx.map.flyTo([item.lat, item.lon], 16);
      if (item.employerId && global.LWTiles) global.LWTiles.showEmployer(ctx, item.employerId,
                                                                        [item.lat, item.lon]);
    }
    function search() {
      var q = input.value.trim();
      if (!q) { list.hidden = true; return; }
      var enc = encodeURIComponent(q);
      Promise.all([
        fetchJSON(ctx.config.layers.gridSearch + enc).catch(function () { return {items: []}; }),
        fetchJSON(ctx.config.layers.employerSearch + enc).catch(function () { return {items: []}; })
      ]).then(function (res) {
        if (input.value.trim() !== q) return;  // a newer query is on its way
        var items = res[0].items.map(function (g) {
          return {title: g.code + " " + g.name, subtitle: g.county_name || "", bounds: g.bounds};
        }).concat(res[1].items.filter(function (e) { return e.lat !== null; }).map(function (e) {
          return {title: e.name, subtitle: e.credit_code, lat: e.lat, lon: e.lon, employerId: e.id};
        }));
        show(items);
      });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (results.length) go(results[0]); else search();
    });
  }

  global.LW = {initCommandMap: initCommandMap, el: el, table: table, link: link, status: status,
               escapeHtml: escapeHtml, layersControl: layersControl,
               fetchJSON: fetchJSON, setMetric: setMetric, METRICS: METRICS,
               _gridColour: function (p) { return gridColour(p); }};
})(window);
