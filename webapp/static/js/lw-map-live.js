/* Live layers: officers polled with If-None-Match (304 when nothing moved), open inspections
 * and mass incidents with icons by priority. State is in PostgreSQL, so any worker answers. */
(function (global) {
  "use strict";

  var LW = global.LW;
  var STATUS = {available: "#2ca02c", assigned: "#ff7f0e", en_route: "#1f77b4",
                on_site: "#9467bd", unavailable: "#555555", off_duty: "#bbbbbb"};
  var INSPECTION_EVERY = 5;  // inspections are polled every 5th officer poll

  function unavailable(ctx, key) {
    ctx.control.addOverlay(L.layerGroup(), ctx.labels[key] + " (" + ctx.labels.unavailable + ")");
    ctx.map.getContainer().setAttribute("data-" + key, "unavailable");
  }

  // A province holds thousands of officers: small dots until zoomed in.
  function officerRadius(map) { return map.getZoom() < 10 ? 4 : 7; }

  function officerStyle(p, map) {
    var colour = p.stale ? "#9e9e9e" : STATUS[p.status] || "#333";
    return {radius: officerRadius(map), color: p.stale ? "#757575" : "#fff",
            weight: map.getZoom() < 10 ? 1 : 2, fillColor: colour, className: "lw-officer",
            pane: "lw-officers",
            fillOpacity: p.stale ? 0.45 : 0.95, dashArray: p.stale ? "3 3" : null};
  }

  function officerPopup(ctx, p) {
    var labels = ctx.labels, box = LW.el("div", null, "lw-officer-popup");
    box.appendChild(LW.el("h6", p.name));
    box.appendChild(LW.table([
      [labels.badge, p.badge], [labels.status, labels.status_names[p.status] || p.status],
      [labels.updated, p.updated_at ? new Date(p.updated_at).toLocaleString() : ""],
      [labels.position_stale, p.stale ? "✓" : null]]));
    return box;
  }

  function Officers(ctx) {
    this.ctx = ctx;
    this.layer = L.featureGroup();
    this.markers = {};
    this.etag = null;
    var self = this;
    ctx.map.on("zoomend", function () {
      Object.keys(self.markers).forEach(function (id) {
        var m = self.markers[id];
        m.setStyle(officerStyle(m.feature, ctx.map));
      });
    });
  }

  Officers.prototype.apply = function (data) {
    var ctx = this.ctx, seen = {}, markers = this.markers;
    data.features.forEach(function (f) {
      var p = f.properties, id = p.id, c = f.geometry.coordinates, latlng = [c[1], c[0]];
      seen[id] = true;
      var m = markers[id];
      if (!m) {
        m = markers[id] = L.circleMarker(latlng, officerStyle(p, ctx.map)).addTo(this.layer);
        m.bindPopup(function () { return officerPopup(ctx, m.feature); });
      } else {
        m.setLatLng(latlng);
        m.setStyle(officerStyle(p, ctx.map));
      }
      m.feature = p;
    }, this);
    Object.keys(markers).forEach(function (id) {
      if (!seen[id]) { this.layer.removeLayer(markers[id]); delete markers[id]; }
    }, this);
    var container = ctx.map.getContainer();
    container.setAttribute("data-officers", String(data.features.length));
    container.setAttribute("data-officers-at", String(Date.now()));
  };

  Officers.prototype.poll = function () {
    var self = this, headers = {Accept: "application/geo+json"};
    if (this.etag) headers["If-None-Match"] = this.etag;
    return fetch(this.ctx.config.layers.officers,
                 {credentials: "same-origin", cache: "no-store", headers: headers})
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) { var err = new Error("HTTP " + r.status); err.status = r.status; throw err; }
        self.etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (data) { if (data) self.apply(data); });
  };

  function priorityIcon(item, labels) {
    var incident = item.kind === "incident";
    return L.divIcon({className: "lw-job-icon lw-prio-" + item.priority + (incident ? " lw-incident" : ""),
                      iconSize: incident ? [22, 22] : [16, 16], html: ""});
  }

  function inspectionPopup(ctx, item) {
    var labels = ctx.labels, box = LW.el("div", null, "lw-inspection-popup");
    box.appendChild(LW.el("h6", item.kind === "incident" ? labels.incident : item.employer || ""));
    box.appendChild(LW.table([
      [labels.kind, item.kind], [labels.priority, labels.priority_names[item.priority] || item.priority],
      [labels.status, item.status], [labels.employers, item.employer],
      [labels.details, item.description]]));
    return box;
  }

  function loadInspections(ctx, layer) {
    return Promise.all(ctx.config.layers.inspections.map(function (url) { return LW.fetchJSON(url); }))
      .then(function (parts) {
        layer.clearLayers();
        var n = 0;
        parts.forEach(function (part) {
          part.items.forEach(function (item) {
            if (item.lat === null || item.lon === null) return;
            L.marker([item.lat, item.lon], {icon: priorityIcon(item, ctx.labels),
                                            zIndexOffset: item.priority === "urgent" ? 1000 : 0})
              .bindPopup(function () { return inspectionPopup(ctx, item); }).addTo(layer);
            n++;
          });
        });
        ctx.map.getContainer().setAttribute("data-inspections", String(n));
      });
  }

  function init(ctx) {
    if (!ctx.config.layers.officers) { unavailable(ctx, "officers"); unavailable(ctx, "inspections"); return; }
    ctx.map.createPane("lw-officers").style.zIndex = 500;  // above the employer tiles
    var officers = new Officers(ctx), jobs = L.layerGroup(), round = 0, started = false;
    global.LW.officers = officers;
    function tick() {
      var work = [officers.poll()];
      if (round % INSPECTION_EVERY === 0) work.push(loadInspections(ctx, jobs));
      round++;
      Promise.all(work).then(function () {
        if (!started) {
          started = true;
          officers.layer.addTo(ctx.map);
          jobs.addTo(ctx.map);
          ctx.control.addOverlay(officers.layer, ctx.labels.officers);
          ctx.control.addOverlay(jobs, ctx.labels.inspections);
        }
      }).catch(function (err) {
        if (!started && (err.status === 403 || err.status === 404)) {
          unavailable(ctx, "officers");
          return true;
        }
        LW.status(ctx.labels.error + ": " + err.message);
      }).then(function (stop) {
        if (!stop) setTimeout(tick, ctx.config.pollMs);
      });
    }
    tick();
  }

  // For tests and the console: where the map shows an officer, [lat, lon].
  function officerPosition(id) {
    var m = global.LW.officers && global.LW.officers.markers[id];
    if (!m) return null;
    var ll = m.getLatLng();
    return [ll.lat, ll.lng];
  }

  global.LWLive = {init: init, officerPosition: officerPosition};
})(window);
