/* Grid worker's field page: employers of my grid (stalest first), GPS fix, corrections.
 * Text goes in with textContent; writes send the CSRF token. */
(function (global) {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function send(method, url, body) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": meta ? meta.content : ""},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return {status: r.status, body: data}; });
    });
  }

  function init(labels) {
    var list = document.getElementById("lw-field-list");
    var status = document.getElementById("lw-field-status");

    function say(text) { status.textContent = text || ""; }

    function input(name, value, type) {
      var wrap = el("label", labels[name] || name, "form-label small w-100");
      var box = el("input", null, "form-control form-control-sm");
      box.name = name;
      box.type = type || "text";
      box.value = value === null || value === undefined ? "" : value;
      wrap.appendChild(box);
      return wrap;
    }

    function card(item) {
      var c = el("div", null, "card card-body p-2 lw-employer");
      c.setAttribute("data-id", item.id);
      var head = el("div", null, "d-flex justify-content-between gap-2");
      head.appendChild(el("strong", item.name));
      var flags = el("span", null, "small");
      if (item.needs_field_visit) flags.appendChild(el("span", labels.needs_visit, "badge bg-danger me-1"));
      if (item.stale) flags.appendChild(el("span", labels.stale, "badge bg-warning text-dark"));
      head.appendChild(flags);
      c.appendChild(head);
      c.appendChild(el("div", item.address, "small text-muted"));
      var where = el("div", item.lat.toFixed(5) + ", " + item.lon.toFixed(5) + " · " +
                     item.location_source, "small lw-where");
      c.appendChild(where);
      var gps = el("button", labels.use_gps, "btn btn-sm btn-outline-primary mt-1 lw-gps");
      gps.addEventListener("click", function () {
        if (!navigator.geolocation) { say("GPS unavailable"); return; }
        say(labels.locating);
        navigator.geolocation.getCurrentPosition(function (pos) {
          send("POST", "/api/v1/employers/" + item.id + "/location", {
            lat: pos.coords.latitude, lon: pos.coords.longitude,
            accuracy_m: pos.coords.accuracy
          }).then(function (res) {
            if (res.status === 200) {
              where.textContent = res.body.lat.toFixed(5) + ", " + res.body.lon.toFixed(5) +
                " · " + res.body.location_source;
              c.setAttribute("data-grid", res.body.grid_id);
              say(labels.saved);
            } else {
              say(res.body.error ? res.body.error.message : "HTTP " + res.status);
            }
          });
        }, function (err) { say(err.message); }, {enableHighAccuracy: true, timeout: 20000});
      });
      c.appendChild(gps);
      var form = el("form", null, "mt-2");
      form.appendChild(input("contact_person", item.contact_person));
      form.appendChild(input("contact_phone", item.contact_phone, "tel"));
      form.appendChild(input("employees", item.employees, "number"));
      form.appendChild(input("migrant_workers", item.migrant_workers, "number"));
      var save = el("button", labels.save, "btn btn-sm btn-primary mt-1");
      save.type = "submit";
      form.appendChild(save);
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var changes = {};
        ["contact_person", "contact_phone"].forEach(function (k) {
          if (form[k].value !== (item[k] || "")) changes[k] = form[k].value;
        });
        ["employees", "migrant_workers"].forEach(function (k) {
          if (String(item[k]) !== form[k].value) changes[k] = parseInt(form[k].value, 10);
        });
        send("PATCH", "/api/v1/employers/" + item.id, {updated_at: item.updated_at, changes: changes})
          .then(function (res) {
            if (res.status === 200) { item.updated_at = res.body.updated_at; say(labels.saved); }
            else say(res.body.error ? res.body.error.message : "HTTP " + res.status);
          });
      });
      c.appendChild(form);
      return c;
    }

    fetch("/api/v1/field/worklist", {credentials: "same-origin"}).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body}; });
    }).then(function (res) {
      if (res.status !== 200) {
        say(res.body.error ? res.body.error.message : labels.no_grid);
        return;
      }
      say(res.body.grid.name + " (" + res.body.grid.code + ")");
      res.body.items.forEach(function (item) { list.appendChild(card(item)); });
      document.body.setAttribute("data-ready", "1");
    });
  }

  global.LWField = {init: init};
})(window);
