/* Liangwang dispatcher page: queue, officers on the map, ranked teams, assign/cancel.
 * Polls every 5 s with ETags (304 when nothing changed). Text goes in with textContent. */
(function (global) {
  "use strict";

  var STATUS_COLOUR = {available: "#2ca02c", assigned: "#ff7f0e", en_route: "#d62728",
                       on_site: "#9467bd", off_duty: "#7f7f7f", unavailable: "#8c564b"};
  var PRIORITY_CLASS = {urgent: "danger", high: "warning", normal: "secondary"};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  var etags = {};
  function getJSON(url) {
    var headers = {Accept: "application/json"};
    if (etags[url]) headers["If-None-Match"] = etags[url].tag;
    return fetch(url, {credentials: "same-origin", headers: headers}).then(function (r) {
      if (r.status === 304) return etags[url].body;
      if (!r.ok) throw new Error(url + " → HTTP " + r.status);
      return r.json().then(function (body) {
        var tag = r.headers.get("ETag");
        if (tag) etags[url] = {tag: tag, body: body};
        return body;
      });
    });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return {status: r.status, body: data}; });
    });
  }

  function initDispatch(map, config) {
    var L_ = global.L;
    var labels = config.labels;
    if (config.boundaries) {
      getJSON(config.boundaries).then(function (fc) {
        L_.geoJSON(fc, {interactive: false, style: function () {
          return {className: "lw-boundary", color: "#555", weight: 1.2, fill: false};
        }}).addTo(map).bringToBack();
      }).catch(function (err) { message(err.message, "danger"); });
    }
    var officersLayer = L_.layerGroup().addTo(map);
    var siteLayer = L_.layerGroup().addTo(map);
    var state = {area: config.area, selected: null, officers: {}};
    var areaSelect = document.getElementById("lw-area");

    function message(text, kind) {
      var box = document.getElementById("lw-message");
      box.textContent = text || "";
      box.className = "alert small mt-2 " + (text ? "alert-" + (kind || "info") : "d-none");
    }

    function drawOfficers(fc) {
      officersLayer.clearLayers();
      state.officers = {};
      fc.features.forEach(function (f) {
        var p = f.properties;
        state.officers[p.id] = p;
        if (p.kind !== "inspector") return;
        var c = f.geometry.coordinates;
        var marker = L_.circleMarker([c[1], c[0]], {
          radius: 5, weight: 1, color: "#222", className: "lw-officer lw-officer-" + p.status,
          fillColor: p.stale ? "#cccccc" : (STATUS_COLOUR[p.status] || "#000"), fillOpacity: 0.9
        });
        marker.bindTooltip(el("span", p.name + " · " + (labels.status[p.status] || p.status)));
        marker.addTo(officersLayer);
      });
    }

    function drawQueue(items) {
      var list = document.getElementById("lw-inspections");
      list.textContent = "";
      items.forEach(function (item) {
        var li = el("li", null, "list-group-item list-group-item-action lw-job" +
                    (state.selected && state.selected.id === item.id ? " active" : ""));
        li.setAttribute("data-id", item.id);
        var badge = el("span", labels.priority[item.priority] || item.priority,
                       "badge me-1 bg-" + PRIORITY_CLASS[item.priority]);
        li.appendChild(badge);
        li.appendChild(el("span", (labels.kind[item.kind] || item.kind) + " · " +
                          (item.employer || item.description || "#" + item.id)));
        li.addEventListener("click", function () { select(item); });
        list.appendChild(li);
      });
      if (!items.length) list.appendChild(el("li", labels.empty, "list-group-item text-muted"));
    }

    function refresh() {
      var q = "?area=" + encodeURIComponent(state.area);
      return Promise.all([
        getJSON("/api/v1/inspections" + q + "&status=pending").then(function (b) {
          drawQueue(b.items);
        }),
        getJSON("/api/v1/officers/live" + q).then(drawOfficers)
      ]).then(function () {
        document.getElementById("lw-updated").textContent =
          labels.updated + " " + new Date().toLocaleTimeString();
        map.getContainer().setAttribute("data-ready", "1");
      }).catch(function (err) { message(err.message, "danger"); });
    }

    function teamItem(team) {
      var li = el("li", null, "list-group-item lw-team");
      var head = el("div", null, "d-flex justify-content-between align-items-center");
      var names = team.officer_ids.map(function (id) {
        return state.officers[id] ? state.officers[id].name : "#" + id;
      }).join("、");
      head.appendChild(el("strong", names));
      var button = el("button", labels.assign, "btn btn-sm btn-primary lw-assign");
      button.addEventListener("click", function () { assign(team.officer_ids, button); });
      if (!config.canAssign) button.disabled = true;
      head.appendChild(button);
      li.appendChild(head);
      li.appendChild(el("div", (team.distance_m / 1000).toFixed(1) + " km · ETA " +
                        Math.round(team.eta_min) + " min", "text-muted"));
      var reasons = el("ul", null, "mb-0 ps-3");
      team.reasons.forEach(function (r) { reasons.appendChild(el("li", r)); });
      li.appendChild(reasons);
      return li;
    }

    function select(item) {
      state.selected = item;
      message("");
      document.querySelectorAll(".lw-job").forEach(function (n) {
        n.classList.toggle("active", Number(n.getAttribute("data-id")) === item.id);
      });
      var box = document.getElementById("lw-selected");
      box.textContent = "";
      box.appendChild(el("div", "#" + item.id + " · " + (item.employer || ""), "fw-bold"));
      box.appendChild(el("div", item.description || ""));
      var cancel = el("button", labels.cancel, "btn btn-sm btn-outline-danger mt-1");
      cancel.disabled = !config.canAssign;
      cancel.addEventListener("click", function () { cancelJob(item); });
      box.appendChild(cancel);
      siteLayer.clearLayers();
      L_.marker([item.lat, item.lon]).addTo(siteLayer);
      map.setView([item.lat, item.lon], Math.max(map.getZoom(), 11));
      var teams = document.getElementById("lw-teams");
      var excluded = document.getElementById("lw-excluded");
      teams.textContent = labels.loading;
      excluded.textContent = "";
      getJSON("/api/v1/inspections/" + item.id + "/recommendations").then(function (rec) {
        teams.textContent = "";
        rec.teams.forEach(function (t) { teams.appendChild(teamItem(t)); });
        if (!rec.teams.length) teams.appendChild(el("li", labels.no_team, "list-group-item"));
        rec.excluded.forEach(function (e) {
          var name = state.officers[e.officer_id] ? state.officers[e.officer_id].name : "#" + e.officer_id;
          excluded.appendChild(el("li", name + ": " + e.reason));
        });
      }).catch(function (err) { message(err.message, "danger"); });
    }

    function assign(ids, button) {
      button.disabled = true;
      postJSON("/api/v1/inspections/" + state.selected.id + "/assign", {officer_ids: ids})
        .then(function (res) {
          if (res.status === 200) {
            message(labels.assigned, "success");
            state.selected = null;
            document.getElementById("lw-teams").textContent = "";
          } else {
            message(res.body.error ? res.body.error.message : "HTTP " + res.status,
                    res.status === 409 ? "warning" : "danger");
          }
          return refresh();
        });
    }

    function cancelJob(item) {
      var reason = global.prompt(labels.cancel_reason);
      if (!reason) return;
      postJSON("/api/v1/inspections/" + item.id + "/cancel", {reason: reason}).then(function (res) {
        message(res.status === 200 ? labels.cancelled :
                (res.body.error ? res.body.error.message : "HTTP " + res.status),
                res.status === 200 ? "success" : "danger");
        return refresh();
      });
    }

    areaSelect.addEventListener("change", function () {
      state.area = areaSelect.value;
      refresh();
    });
    refresh();
    global.setInterval(refresh, config.pollMs || 5000);
  }

  global.LWDispatch = {init: initDispatch};
})(window);
