/* The intake form (登记投诉举报): employer search as you type, a small map that shows the
 * employer found or takes the clerk's click, and POST /api/v1/complaints. */
import {el} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {formatDateTime, t} from "../core/i18n.js";

const BEIJING_MS = 8 * 3600 * 1000;
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/i;

// Now as a datetime-local value in Beijing time ("2026-12-02T21:50").
export function beijingNow(now) {
  return new Date((now === undefined ? Date.now() : now) + BEIJING_MS).toISOString().slice(0, 16);
}

// A datetime-local value read as Beijing time: "2026-12-02T21:50" -> "...T21:50:00+08:00".
export function asBeijingInstant(value) {
  if (!value) return undefined;
  return (value.length === 16 ? value + ":00" : value) + "+08:00";
}

function byId(id) { return document.getElementById(id); }

export function intakeForm(map, config, handlers) {
  const form = byId("lw-c-form");
  const search = byId("lw-c-employer");
  const results = byId("lw-c-employers");
  const chosenBox = byId("lw-c-chosen");
  const continuing = byId("lw-c-continuing");
  const ended = byId("lw-c-ended");
  const received = byId("lw-c-received");
  const where = byId("lw-c-location");
  const error = byId("lw-c-error");
  const result = byId("lw-c-result");
  const submit = byId("lw-c-submit");
  const marker = L.layerGroup().addTo(map);
  let chosen = null;     // the employer picked from the search
  let point = null;      // {lat, lon} clicked when no employer is found
  let asked = 0;         // the latest search, so a slow answer cannot overwrite a newer one
  let timer = null;

  function show(box, content) {
    box.textContent = "";
    if (content) box.appendChild(content);
    box.classList.toggle("d-none", !content);
  }

  function pin(lat, lon, zoom) {
    marker.clearLayers();
    L.marker([lat, lon], {keyboard: false}).addTo(marker);
    map.setView([lat, lon], Math.max(map.getZoom(), zoom || 13));
  }

  function choose(employer) {
    chosen = employer;
    point = null;
    results.textContent = "";
    const box = el("div", null, "d-flex align-items-start gap-2");
    const text = el("div");
    text.appendChild(el("div", t("complaints.employer_chosen", {name: employer.name}), "fw-semibold"));
    text.appendChild(el("div", t("complaints.employer_code", {code: employer.credit_code}), "text-muted"));
    if (employer.address) text.appendChild(el("div", employer.address, "text-muted"));
    box.appendChild(text);
    const change = el("button", t("complaints.employer_change"), "btn btn-sm btn-outline-secondary ms-auto");
    change.type = "button";
    change.addEventListener("click", function () { unchoose(); search.focus(); });
    box.appendChild(change);
    chosenBox.textContent = "";
    chosenBox.appendChild(box);
    chosenBox.classList.remove("d-none");
    search.value = employer.name;
    if (typeof employer.lat === "number") {
      pin(employer.lat, employer.lon, 14);
      where.textContent = t("complaints.location_employer");
    }
  }

  function unchoose() {
    chosen = null;
    chosenBox.textContent = "";
    chosenBox.classList.add("d-none");
    marker.clearLayers();
    where.textContent = t("complaints.location_hint");
  }

  function found(items) {
    results.textContent = "";
    if (!items.length) {
      results.appendChild(el("li", t("complaints.employer_none"), "list-group-item text-muted"));
      return;
    }
    items.forEach(function (e) {
      const li = el("li", null, "list-group-item p-0");
      const b = el("button", null, "btn btn-light btn-sm w-100 text-start lw-c-pick");
      b.type = "button";
      b.setAttribute("data-id", e.id);
      b.appendChild(el("span", e.name, "fw-semibold d-block"));
      b.appendChild(el("span", e.credit_code + (e.address ? " · " + e.address : ""), "text-muted"));
      b.addEventListener("click", function () { choose(e); });
      b.addEventListener("keydown", function (ev) { move(ev, li); });
      li.appendChild(b);
      results.appendChild(li);
    });
  }

  // Arrow keys walk the results; Escape goes back to the search box.
  function move(ev, li) {
    const to = ev.key === "ArrowDown" ? li.nextElementSibling
      : ev.key === "ArrowUp" ? li.previousElementSibling : null;
    if (ev.key === "Escape") {
      results.textContent = "";
      search.focus();
    } else if (to && to.querySelector("button")) {
      to.querySelector("button").focus();
    } else if (ev.key === "ArrowUp") {
      search.focus();
    } else {
      return;
    }
    ev.preventDefault();
  }

  function lookUp() {
    const q = search.value.trim();
    const mine = ++asked;
    if (q.length < 2) {
      results.textContent = "";
      return;
    }
    results.textContent = "";
    results.appendChild(el("li", t("complaints.employer_searching"), "list-group-item text-muted"));
    const url = "/api/v1/employers?per_page=8&q=" + encodeURIComponent(q) +
      "&area=" + encodeURIComponent(config.area);
    getJSON(url).then(function (answer) {
      if (mine === asked) found(answer.items);
    }).catch(function (err) {
      if (mine !== asked) return;
      results.textContent = "";
      results.appendChild(el("li", err.message, "list-group-item text-danger"));
    });
  }

  search.addEventListener("input", function () {
    if (chosen && search.value !== chosen.name) unchoose();
    clearTimeout(timer);
    timer = setTimeout(lookUp, 250);
  });
  search.addEventListener("keydown", function (ev) {
    const first = results.querySelector("button");
    if (ev.key === "ArrowDown" && first) {
      ev.preventDefault();
      first.focus();
    } else if (ev.key === "Enter") {
      ev.preventDefault();  // Enter in the search picks nothing and sends nothing
      if (first) first.focus();
    } else if (ev.key === "Escape") {
      results.textContent = "";
    }
  });

  map.on("click", function (ev) {
    if (chosen) return;  // a registered employer keeps its own location
    point = {lat: Number(ev.latlng.lat.toFixed(6)), lon: Number(ev.latlng.lng.toFixed(6))};
    pin(point.lat, point.lon, map.getZoom());
    where.textContent = t("complaints.location_set", {lat: point.lat.toFixed(5),
                                                      lon: point.lon.toFixed(5)});
  });

  continuing.addEventListener("change", function () {
    ended.disabled = continuing.checked;
    if (continuing.checked) ended.value = "";
  });

  function employerBody() {
    if (chosen) return {credit_code: chosen.credit_code};
    const typed = search.value.trim();
    const address = byId("lw-c-address").value.trim();
    if (!typed && !address) return undefined;
    const out = CREDIT_CODE.test(typed) ? {credit_code: typed.toUpperCase()} : {name: typed};
    if (address) out.address = address;
    return out;
  }

  function body() {
    const workers = byId("lw-c-workers").value;
    const out = {
      category: byId("lw-c-category").value,
      workers_affected: workers === "" ? null : Number(workers),
      continuing: continuing.checked,
      received_at: asBeijingInstant(received.value)
    };
    const description = byId("lw-c-description").value.trim();
    if (description) out.description = description;
    const occurred = byId("lw-c-occurred").value;
    if (occurred) out.occurred_on = occurred;
    if (!continuing.checked && ended.value) out.violation_ended_on = ended.value;
    const employer = employerBody();
    if (employer) out.employer = employer;
    if (!chosen && point) out.location = point;
    const name = byId("lw-c-name").value.trim();
    const phone = byId("lw-c-phone").value.trim();
    if (name || phone) out.complainant = {name: name || undefined, phone: phone || undefined};
    return out;
  }

  function outcome(c) {
    const box = el("div");
    box.appendChild(el("div", t("complaints.created", {id: c.id, status: c.status_text}), "fw-semibold"));
    if (c.acceptance_due) box.appendChild(el("div", t("complaints.created_due", {due: c.acceptance_due})));
    if (c.response_due_at) {
      box.appendChild(el("div", t("complaints.created_urgent", {at: formatDateTime(c.response_due_at)}),
                         "text-danger"));
    }
    if (c.proposal) box.appendChild(el("div", handlers.proposalText(c.proposal)));
    return box;
  }

  function clear() {
    form.reset();
    unchoose();
    results.textContent = "";
    point = null;
    ended.disabled = false;
    received.value = beijingNow();
    if (config.bounds) map.fitBounds(config.bounds);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    show(error, null);
    submit.disabled = true;
    submit.textContent = t("complaints.submitting");
    postJSON("/api/v1/complaints", body()).then(function (res) {
      submit.disabled = false;
      submit.textContent = t("complaints.submit");
      if (res.status !== 201) {
        show(error, el("span", errorText(res)));
        error.focus();
        return;
      }
      show(result, outcome(res.body));
      clear();
      handlers.onCreated(res.body);
    }).catch(function (err) {
      submit.disabled = false;
      submit.textContent = t("complaints.submit");
      show(error, el("span", err.message));
    });
  });
  byId("lw-c-reset").addEventListener("click", function () {
    clear();
    show(error, null);
    show(result, null);
  });

  error.tabIndex = -1;
  received.value = beijingNow();
}
