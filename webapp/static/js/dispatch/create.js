/* A new inspection from the console (POST /api/v1/inspections): kind, priority, and the site
 * as an employer found by name, address or credit code inside the area shown, or a point
 * clicked on the map. The server's answer (a 4xx message) is shown in the form. */
import {el} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {label, t} from "../core/i18n.js";

const KINDS = ["complaint", "scheduled", "incident"];   // random ones come from a draw
const PRIORITIES = ["urgent", "high", "normal"];

function field(labelText, input, id) {
  const wrap = el("div", null, "mb-2");
  const l = el("label", labelText, "form-label small mb-0");
  l.setAttribute("for", id);
  input.id = id;
  wrap.appendChild(l);
  wrap.appendChild(input);
  return wrap;
}

function select(values, prefix, id) {
  const s = el("select", null, "form-select form-select-sm");
  values.forEach(function (v) {
    const o = el("option", label(prefix, v));
    o.value = v;
    s.appendChild(o);
  });
  s.id = id;
  return s;
}

// options: map, area() -> adcode shown, created(inspection) -> the console shows it.
export function startCreate(options) {
  const section = document.getElementById("lw-create");
  const open = document.getElementById("lw-new");
  if (!section || !open) return;
  const pin = L.layerGroup().addTo(options.map);
  const state = {employer: null, point: null, picking: false, timer: null};

  section.appendChild(el("h2", t("console.new_title"), "h6")).id = "lw-h-create";
  const form = el("form", null, "lw-create-form");
  form.noValidate = true;
  const kind = select(KINDS, "kind_", "lw-new-kind");
  const priority = select(PRIORITIES, "priority_", "lw-new-priority");
  priority.value = "high";
  const search = el("input", null, "form-control form-control-sm");
  search.type = "search";
  search.placeholder = t("console.employer_hint");
  search.autocomplete = "off";
  const results = el("ul", null, "list-unstyled lw-employer-results");
  const pick = el("button", t("console.pick_on_map"), "btn btn-link btn-sm p-0 lw-pick");
  pick.type = "button";
  const place = el("div", "", "small lw-place");
  place.setAttribute("aria-live", "polite");
  const description = el("textarea", null, "form-control form-control-sm");
  description.rows = 2;
  const feedback = el("div", "", "d-none");
  feedback.setAttribute("role", "status");
  const actions = el("div", null, "d-flex gap-2");
  const submit = el("button", t("console.create"), "btn btn-sm btn-primary");
  submit.type = "submit";
  const close = el("button", t("console.close"), "btn btn-sm btn-outline-secondary");
  close.type = "button";
  actions.appendChild(submit);
  actions.appendChild(close);
  form.appendChild(field(t("console.kind"), kind, "lw-new-kind"));
  form.appendChild(field(t("console.priority"), priority, "lw-new-priority"));
  const employer = field(t("console.employer"), search, "lw-new-employer");
  employer.appendChild(results);
  employer.appendChild(pick);
  employer.appendChild(place);
  form.appendChild(employer);
  form.appendChild(field(t("console.description"), description, "lw-new-description"));
  form.appendChild(feedback);
  form.appendChild(actions);
  section.appendChild(form);

  function say(text, tone) {
    feedback.textContent = text || "";
    feedback.className = text ? "alert small py-1 px-2 alert-" + tone : "d-none";
  }

  function setPlace(text, lat, lon) {
    place.textContent = text;
    pin.clearLayers();
    if (lat !== undefined) L.marker([lat, lon], {keyboard: false}).addTo(pin);
  }

  function choose(e) {
    state.employer = e;
    state.point = null;
    search.value = e.name;
    results.textContent = "";
    setPlace(e.address || "", e.lat, e.lon);
  }

  function find() {
    const q = search.value.trim();
    state.employer = null;
    if (q.length < 2) { results.textContent = ""; return; }
    getJSON("/api/v1/employers?per_page=8&area=" + encodeURIComponent(options.area()) +
            "&q=" + encodeURIComponent(q)).then(function (body) {
      if (search.value.trim() !== q) return;
      results.textContent = "";
      body.items.forEach(function (e) {
        const b = el("button", null, "btn btn-sm btn-light w-100 text-start lw-employer-hit");
        b.type = "button";
        b.appendChild(el("span", e.name, "d-block"));
        if (e.address) b.appendChild(el("small", e.address, "lw-muted"));
        b.addEventListener("click", function () { choose(e); });
        const li = el("li");
        li.appendChild(b);
        results.appendChild(li);
      });
      if (!body.items.length) results.appendChild(el("li", t("console.employer_none"), "lw-muted"));
    }).catch(function (err) { say(err.message, "danger"); });
  }

  search.addEventListener("input", function () {
    clearTimeout(state.timer);
    state.timer = setTimeout(find, 250);
  });
  pick.addEventListener("click", function () {
    state.picking = true;
    options.map.getContainer().classList.add("lw-picking");
    setPlace(t("console.pick_now"));
  });
  options.map.on("click", function (ev) {
    if (!state.picking || section.classList.contains("d-none")) return;
    state.picking = false;
    options.map.getContainer().classList.remove("lw-picking");
    state.point = {lat: ev.latlng.lat, lon: ev.latlng.lng};
    state.employer = null;
    search.value = "";
    setPlace(t("console.picked", {lat: ev.latlng.lat.toFixed(5), lon: ev.latlng.lng.toFixed(5)}),
             ev.latlng.lat, ev.latlng.lng);
  });

  function hide() {
    section.classList.add("d-none");
    pin.clearLayers();
    state.picking = false;
    open.focus();
  }
  open.addEventListener("click", function () {
    section.classList.remove("d-none");
    say("");
    kind.focus();
  });
  close.addEventListener("click", hide);

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!state.employer && !state.point) { say(t("console.need_place"), "warning"); return; }
    const body = {kind: kind.value, priority: priority.value};
    if (description.value.trim()) body.description = description.value.trim();
    if (state.employer) body.employer_id = state.employer.id; else body.location = state.point;
    submit.disabled = true;
    say(t("console.saving"), "info");
    postJSON("/api/v1/inspections", body).then(function (res) {
      submit.disabled = false;
      if (res.status !== 201) { say(errorText(res), "danger"); return; }
      form.reset();
      priority.value = "high";
      state.employer = state.point = null;
      setPlace("");
      say(t("console.created", {id: res.body.id}), "success");
      options.created(res.body);
    });
  });
}
