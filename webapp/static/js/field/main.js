/* The phone page of grid workers and inspectors (/field): the grid on a small map, its
 * employers (stalest first) as cards that open one at a time, a search box and a filter;
 * GPS fixes and corrections, with the feedback inside the card. Nothing changed → no request.
 * Without signal a change goes to the browser's outbox (outbox.js) and is sent later.
 * Text goes in with textContent; writes send the CSRF token. */
import {el} from "../core/dom.js";
import {errorText, getJSON, send} from "../core/http.js";
import {formatTime, label, t, useStrings} from "../core/i18n.js";
import {offline, startOutbox} from "./outbox.js";
import {startProjects} from "./projects.js";

const TEXT = ["contact_person", "contact_phone"];
const NUMBERS = ["employees", "migrant_workers"];

function where(item) {
  return item.lat.toFixed(5) + ", " + item.lon.toFixed(5) + " · " +
    label("location_", item.location_source);
}

function input(name, value, type) {
  const wrap = el("label", t(name), "form-label w-100 lw-field-input");
  const box = el("input", null, "form-control");
  box.name = name;
  box.type = type || "text";
  if (type === "number") { box.min = "0"; box.step = "1"; box.inputMode = "numeric"; }
  box.value = value === null || value === undefined ? "" : value;
  wrap.appendChild(box);
  return wrap;
}

// The changes of a card's form against the employer as read; or {error} for a bad number.
function changesOf(form, item) {
  const changes = {};
  TEXT.forEach(function (k) {
    if (form[k].value.trim() !== (item[k] || "")) changes[k] = form[k].value.trim();
  });
  for (const k of NUMBERS) {
    const raw = form[k].value.trim();
    const was = item[k] === null || item[k] === undefined ? "" : String(item[k]);
    if (raw === was) continue;
    if (!/^[0-9]+$/.test(raw)) return {error: t("field_ui.whole_number", {name: t(k)})};
    changes[k] = parseInt(raw, 10);
  }
  return {changes: changes};
}

export function start(map, config) {
  useStrings(config.strings);
  const list = document.getElementById("lw-field-list");
  const status = document.getElementById("lw-field-status");
  const search = document.getElementById("lw-field-q");
  const filter = document.getElementById("lw-field-filter");
  const dots = L.layerGroup().addTo(map);
  const cards = {};   // employer id -> {item, node, open(), say()}
  let items = [];

  const outbox = startOutbox(config.outbox, {
    changed: drawOutbox,
    sent: function (entry, body) {
      const c = cards[entry.employer_id];
      if (!c) return;
      c.update(body);
      c.say(t("field_ui.sent_later"), "success");
    },
    refused: function (entry, res) {
      const c = cards[entry.employer_id];
      const reason = errorText(res);
      if (c) c.say(t("field_ui.refused_later", {reason: reason}), "danger");
      else status.textContent = t("field_ui.refused", {name: entry.name, reason: reason});
    }
  });

  function drawOutbox(entries, state) {
    const box = document.getElementById("lw-field-outbox");
    box.textContent = "";
    box.classList.toggle("d-none", !entries.length);
    box.setAttribute("data-count", String(entries.length));
    if (!entries.length) { applyFilter(); return; }
    const line = state.signedOut ? t("field_ui.outbox_signin")
      : t("field_ui.outbox", {count: entries.length}) + (navigator.onLine ? "" : t("field_ui.outbox_offline"));
    box.appendChild(el("span", line));
    if (navigator.onLine && !state.signedOut) {
      const now = el("button", t("field_ui.send_now"), "btn btn-sm btn-outline-dark ms-2 lw-send-now");
      now.type = "button";
      now.addEventListener("click", function () { outbox.flush(); });
      box.appendChild(now);
    }
    applyFilter();
  }

  // Send a write now, or keep it in the outbox when there is no network.
  function write(entry, target, queuedText) {
    if (!navigator.onLine) { outbox.queue(entry); target.say(queuedText, "warning"); return Promise.resolve(null); }
    target.say(t("field_ui.saving"), "info");
    return send(entry.method, entry.url, entry.body).then(function (res) {
      if (res.status === 200) { target.update(res.body); target.say(t("saved"), "success"); }
      else target.say(errorText(res), res.status === 409 ? "warning" : "danger");
      return res;
    }, function (err) {
      if (!offline(err)) throw err;
      outbox.queue(entry);
      target.say(queuedText, "warning");
      return null;
    });
  }

  function locate(target) {
    if (!navigator.geolocation) { target.say(t("gps_unavailable"), "danger"); return; }
    target.say(t("locating"), "info");
    navigator.geolocation.getCurrentPosition(function (pos) {
      const taken = new Date(pos.timestamp || Date.now());
      write({employer_id: target.item.id, name: target.item.name, kind: "location", method: "POST",
             url: "/api/v1/employers/" + target.item.id + "/location",
             body: {lat: pos.coords.latitude, lon: pos.coords.longitude,
                    accuracy_m: pos.coords.accuracy, surveyed_at: taken.toISOString()}},
            target, t("field_ui.queued_gps", {time: formatTime(taken)}));
    }, function () { target.say(t("gps_unavailable"), "danger"); },
    {enableHighAccuracy: true, timeout: 20000});
  }

  function openOnly(id) {
    Object.keys(cards).forEach(function (k) { cards[k].open(Number(k) === id); });
  }

  function card(item) {
    const node = el("article", null, "card lw-employer");
    node.setAttribute("data-id", item.id);
    if (item.grid_id !== undefined) node.setAttribute("data-grid", item.grid_id);
    const head = el("button", null, "lw-card-head");
    head.type = "button";
    head.setAttribute("aria-expanded", "false");
    head.setAttribute("aria-controls", "lw-card-" + item.id);
    const title = el("span", null, "lw-card-title");
    title.appendChild(el("strong", item.name));
    const flags = el("span", null, "lw-flags");
    if (item.needs_field_visit) flags.appendChild(el("span", t("needs_visit"), "lw-flag lw-flag-visit"));
    if (item.stale) flags.appendChild(el("span", t("stale"), "lw-flag lw-flag-stale"));
    title.appendChild(flags);
    head.appendChild(title);
    head.appendChild(el("span", item.address || "", "lw-card-address"));
    node.appendChild(head);
    const body = el("div", null, "lw-card-body d-none");
    body.id = "lw-card-" + item.id;
    const place = el("div", where(item), "small lw-where");
    place.title = t("location_source");
    body.appendChild(place);
    const gps = el("button", t("use_gps"), "btn btn-outline-primary w-100 mt-1 lw-gps");
    gps.type = "button";
    body.appendChild(gps);
    const form = el("form", null, "mt-2");
    form.noValidate = true;
    form.appendChild(input("contact_person", item.contact_person));
    form.appendChild(input("contact_phone", item.contact_phone, "tel"));
    form.appendChild(input("employees", item.employees, "number"));
    form.appendChild(input("migrant_workers", item.migrant_workers, "number"));
    const save = el("button", t("save"), "btn btn-primary w-100 lw-save");
    save.type = "submit";
    form.appendChild(save);
    body.appendChild(form);
    const note = el("div", "", "lw-card-status d-none");
    note.setAttribute("role", "status");
    body.appendChild(note);
    node.appendChild(body);

    const c = {
      item: item, node: node,
      open: function (on) {
        body.classList.toggle("d-none", !on);
        head.setAttribute("aria-expanded", on ? "true" : "false");
        node.classList.toggle("lw-open", on);
      },
      say: function (text, kind) {
        note.textContent = text || "";
        note.className = "lw-card-status" + (text ? " alert py-1 px-2 mb-0 mt-2 alert-" + kind : " d-none");
      },
      update: function (found) {
        Object.keys(found).forEach(function (k) { if (k in item) item[k] = found[k]; });
        place.textContent = where(item);
        if (found.grid_id !== undefined) node.setAttribute("data-grid", found.grid_id);
      }
    };
    head.addEventListener("click", function () {
      const opening = body.classList.contains("d-none");
      openOnly(opening ? item.id : -1);
      if (opening) map.setView([item.lat, item.lon], Math.max(map.getZoom(), 15));
    });
    gps.addEventListener("click", function () { locate(c); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const found = changesOf(form, item);
      if (found.error) { c.say(found.error, "danger"); return; }
      if (!Object.keys(found.changes).length) { c.say(t("field_ui.unchanged"), "secondary"); return; }
      save.disabled = true;
      write({employer_id: item.id, name: item.name, kind: "details", method: "PATCH",
             url: "/api/v1/employers/" + item.id,
             body: {updated_at: item.updated_at, changes: found.changes}},
            c, t("field_ui.queued")).then(function (res) {
        save.disabled = false;
        // what was read is what the outbox sends against: the form shows it as typed
        if (res === null) Object.assign(item, found.changes);
      }, function (err) { save.disabled = false; c.say(err.message, "danger"); });
    });
    cards[item.id] = c;
    return c;
  }

  function matches(item) {
    const q = search.value.trim().toLowerCase();
    const f = filter.value;
    if (f === "needs_visit" && !item.needs_field_visit) return false;
    if (f === "stale" && !item.stale) return false;
    if (f === "queued" && !outbox.has(item.id)) return false;
    if (!q) return true;
    return [item.name, item.address, item.credit_code].some(function (v) {
      return v && v.toLowerCase().indexOf(q) >= 0;
    });
  }

  function applyFilter() {
    let shown = 0;
    items.forEach(function (item) {
      const on = matches(item);
      cards[item.id].node.classList.toggle("d-none", !on);
      if (on) shown += 1;
    });
    document.getElementById("lw-field-count").textContent =
      items.length ? t("field_ui.count", {shown: shown, total: items.length}) : "";
    let none = document.getElementById("lw-field-none");
    if (!none) { none = el("p", t("field_ui.none"), "lw-muted d-none"); none.id = "lw-field-none"; list.appendChild(none); }
    none.classList.toggle("d-none", shown > 0 || !items.length);
  }

  function drawDots() {
    dots.clearLayers();
    items.forEach(function (item) {
      const dot = L.circleMarker([item.lat, item.lon], {
        radius: 6, weight: 1, color: "#1f2933", fillOpacity: 0.85,
        fillColor: item.needs_field_visit ? "#c51b8a" : item.stale ? "#e6a100" : "#1f77b4",
        className: "lw-field-dot"
      });
      dot.bindTooltip(el("span", item.name));
      dot.on("click", function () {
        openOnly(item.id);
        cards[item.id].node.scrollIntoView({block: "start", behavior: "smooth"});
      });
      dot.addTo(dots);
    });
  }

  search.addEventListener("input", applyFilter);
  filter.addEventListener("change", applyFilter);

  getJSON("/api/v1/field/worklist").then(function (body) {
    status.textContent = t("field_ui.grid", {name: body.grid.name, code: body.grid.code});
    items = body.items;
    items.forEach(function (item) { list.appendChild(card(item).node); });
    getJSON("/api/v1/grids?county=" + body.grid.county_adcode + "&simplify=10").then(function (fc) {
      L.geoJSON(fc, {interactive: false, style: function (f) {
        const mine = f.properties.id === body.grid.id;
        return {color: mine ? "#0b5394" : "#8a96a3", weight: mine ? 3 : 1, fill: mine,
                fillOpacity: 0.06};
      }}).addTo(map).bringToBack();
    }).catch(function () { return null; });
    drawDots();
    applyFilter();
    outbox.flush();
    document.body.setAttribute("data-ready", "1");
  }).catch(function (err) {
    status.textContent = err.message || t("no_grid");
    document.body.setAttribute("data-ready", "error");
  });
  startProjects(config);
}
