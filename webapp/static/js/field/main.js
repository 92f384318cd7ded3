/* Grid worker's field page: employers of my grid (stalest first), GPS fix, corrections.
 * Text goes in with textContent; writes send the CSRF token. */
import {el} from "../core/dom.js";
import {errorText, getJSON, send} from "../core/http.js";
import {label, t, useStrings} from "../core/i18n.js";
import {startProjects} from "./projects.js";

function where(item) {
  return item.lat.toFixed(5) + ", " + item.lon.toFixed(5) + " · " +
    label("location_", item.location_source);
}

export function start(config) {
  useStrings(config.strings);
  const list = document.getElementById("lw-field-list");
  const status = document.getElementById("lw-field-status");

  function say(text) { status.textContent = text || ""; }

  function input(name, value, type) {
    const wrap = el("label", t(name), "form-label small w-100");
    const box = el("input", null, "form-control form-control-sm");
    box.name = name;
    box.type = type || "text";
    box.value = value === null || value === undefined ? "" : value;
    wrap.appendChild(box);
    return wrap;
  }

  function locate(item, box, place) {
    if (!navigator.geolocation) { say(t("gps_unavailable")); return; }
    say(t("locating"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      send("POST", "/api/v1/employers/" + item.id + "/location", {
        lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: pos.coords.accuracy
      }).then(function (res) {
        if (res.status === 200) {
          place.textContent = where(res.body);
          box.setAttribute("data-grid", res.body.grid_id);
          say(t("saved"));
        } else {
          say(errorText(res));
        }
      });
    }, function () { say(t("gps_unavailable")); }, {enableHighAccuracy: true, timeout: 20000});
  }

  function card(item) {
    const c = el("div", null, "card card-body p-2 lw-employer");
    c.setAttribute("data-id", item.id);
    const head = el("div", null, "d-flex justify-content-between gap-2");
    head.appendChild(el("strong", item.name));
    const flags = el("span", null, "small");
    if (item.needs_field_visit) flags.appendChild(el("span", t("needs_visit"), "badge bg-danger me-1"));
    if (item.stale) flags.appendChild(el("span", t("stale"), "badge bg-warning text-dark"));
    head.appendChild(flags);
    c.appendChild(head);
    c.appendChild(el("div", item.address, "small text-muted"));
    const place = el("div", where(item), "small lw-where");
    place.title = t("location_source");
    c.appendChild(place);
    const gps = el("button", t("use_gps"), "btn btn-sm btn-outline-primary mt-1 lw-gps");
    gps.addEventListener("click", function () { locate(item, c, place); });
    c.appendChild(gps);
    const form = el("form", null, "mt-2");
    form.appendChild(input("contact_person", item.contact_person));
    form.appendChild(input("contact_phone", item.contact_phone, "tel"));
    form.appendChild(input("employees", item.employees, "number"));
    form.appendChild(input("migrant_workers", item.migrant_workers, "number"));
    const save = el("button", t("save"), "btn btn-sm btn-primary mt-1");
    save.type = "submit";
    form.appendChild(save);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const changes = {};
      ["contact_person", "contact_phone"].forEach(function (k) {
        if (form[k].value !== (item[k] || "")) changes[k] = form[k].value;
      });
      ["employees", "migrant_workers"].forEach(function (k) {
        if (String(item[k]) !== form[k].value) changes[k] = parseInt(form[k].value, 10);
      });
      send("PATCH", "/api/v1/employers/" + item.id, {updated_at: item.updated_at, changes: changes})
        .then(function (res) {
          if (res.status === 200) { item.updated_at = res.body.updated_at; say(t("saved")); }
          else say(errorText(res));
        });
    });
    c.appendChild(form);
    return c;
  }

  getJSON("/api/v1/field/worklist").then(function (body) {
    say(body.grid.name + " (" + body.grid.code + ")");
    body.items.forEach(function (item) { list.appendChild(card(item)); });
    document.body.setAttribute("data-ready", "1");
  }).catch(function (err) {
    say(err.message || t("no_grid"));
  });
  startProjects(config);
}
