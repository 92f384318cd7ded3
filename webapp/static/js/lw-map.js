/* Liangwang command map: loads layers from the JSON API and adds them to a folium map.
 * All text from the database is inserted with textContent, never as HTML. */
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
      var tr = el("tr");
      tr.appendChild(el("th", r[0]));
      tr.appendChild(el("td", r[1]));
      t.appendChild(tr);
    });
    return t;
  }

  function status(text) {
    var box = document.getElementById("lw-status");
    if (box) box.textContent = text || "";
  }

  function fetchJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
      .then(function (r) {
        if (!r.ok) throw new Error(url + " → HTTP " + r.status);
        return r.json();
      });
  }

  // Grid fill by employers per staff member: light = few, dark = many.
  var RAMP = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
  function gridColour(props) {
    var ratio = props.staff_count ? props.employer_count / props.staff_count : Infinity;
    if (ratio === Infinity) return "#d62728"; // no staff: highlighted
    var i = Math.min(RAMP.length - 1, Math.floor(ratio / 40));
    return RAMP[i];
  }

  function initCommandMap(map, config) {
    var labels = config.labels;
    var overlays = {};
    var control = L.control.layers(null, {}, {collapsed: false}).addTo(map);
    status(labels.loading);
    var loads = [];
    var ORDER = ["cities", "counties", "grids"];  // control order; boundaries drawn on top

    function add(key, url, options) {
      var load = fetchJSON(url).then(function (data) {
        overlays[key] = {layer: L.geoJSON(data, options), count: data.features.length};
      });
      loads.push(load);
    }

    add("grids", config.layers.grids, {
      style: function (f) {
        return {className: "lw-grid", color: "#555", weight: 0.6, fillColor: gridColour(f.properties),
                fillOpacity: 0.55};
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup(function () {
          var box = el("div");
          box.appendChild(el("h6", p.name));
          box.appendChild(table([[labels.grid_code, p.code], [labels.employers, p.employer_count],
                                 [labels.staff, p.staff_count]]));
          return box;
        });
      }
    });
    add("counties", config.layers.counties, {
      interactive: true,
      style: function () {
        return {className: "lw-county", color: "#444", weight: 1.2, fill: false};
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(el("span", f.properties.name), {sticky: true});
      }
    });
    add("cities", config.layers.cities, {
      interactive: false,
      style: function () {
        return {className: "lw-city", color: "#111", weight: 2.5, fill: false};
      }
    });

    Promise.all(loads).then(function () {
      ORDER.slice().reverse().forEach(function (key) { overlays[key].layer.addTo(map); });
      ORDER.forEach(function (key) {
        var o = overlays[key];
        control.addOverlay(o.layer, labels[key] + " (" + o.count + ")");
        map.getContainer().setAttribute("data-" + key, String(o.count));
      });
      status("");
    }).catch(function (err) {
      status(labels.error + ": " + err.message);
    }).finally(function () {
      map.getContainer().setAttribute("data-ready", "1");
    });
  }

  global.LW = {initCommandMap: initCommandMap, _gridColour: gridColour};
})(window);
