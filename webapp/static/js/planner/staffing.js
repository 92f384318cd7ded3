/* Who staffs the selected grid (网格人员): its officers, their number against the minimum
 * (dispatch.min_grid_staff), and, for administrators, moving one of the county's grid
 * workers into it (PATCH /api/v1/officers/<id> with the officer's version). Above, a county
 * line: how many grids are below the minimum. Database text goes in with textContent only. */
import {el} from "../core/dom.js";
import {errorText, getJSON, send} from "../core/http.js";
import {label, t} from "../core/i18n.js";
import {P, S} from "./state.js";

const MAX_PAGES = 40;  // 50 officers a page: a county's grid workers fit well within this

let shown = 0;         // the latest request: an older answer arriving later is dropped
let shownGrid = null;  // the grid the panel shows (its message is cleared on another one)
let workers = null;    // a promise of the county's grid workers, read again after a move
let candidates = {};   // officer id -> officer, as offered in the select

function byId(id) { return document.getElementById(id); }

function minimum() {
  const m = S.config.minGridStaff;
  return typeof m === "number" ? m : 1;
}

function officersUrl(params) {
  return S.config.urls.officers + "?" + new URLSearchParams(params).toString();
}

// Every page of a listing (the API pages by 50).
function allPages(params) {
  let items = [];
  function page(n) {
    return getJSON(officersUrl(Object.assign({}, params, {page: n})), {cache: "no-store"})
      .then(function (body) {
        items = items.concat(body.items);
        if (items.length < body.total && body.items.length && n < MAX_PAGES) return page(n + 1);
        return items;
      });
  }
  return page(1);
}

function countyWorkers() {
  if (!workers) {
    workers = allPages({area: S.config.county.adcode, kind: "grid_worker"});
    workers.catch(function () { workers = null; });
  }
  return workers;
}

function say(text, cls) {
  const box = byId("lw-staffing-message");
  if (!box) return;
  box.textContent = text || "";
  box.className = "small mt-1 " + (cls || "");
}

// The county line: grids whose staff count is below the minimum.
P.staffingSummary = function () {
  const box = byId("lw-staffing-summary");
  if (!box) return;
  const min = minimum();
  const below = S.order.filter(function (id) {
    return (S.grids[id].props.staff_count || 0) < min;
  }).length;
  const text = S.order.length
    ? t(below ? "staffing_summary_below" : "staffing_summary_ok",
        {n: below, total: S.order.length, min: min})
    : "";
  if (box.textContent !== text) box.textContent = text;  // a status region: say it once
  box.className = "small mb-2 " + (below ? "lw-staffing-short text-danger" : "text-muted");
  box.setAttribute("data-below", String(below));
};

function person(o) {
  const li = el("li", null, "lw-staffing-person mb-1");
  li.setAttribute("data-officer", String(o.id));
  li.appendChild(el("span", o.name, "fw-semibold"));
  const bits = [label("staffing_kind_", o.kind), o.certificate_status_text, o.phone]
    .filter(function (b) { return b !== undefined && b !== null && b !== ""; });
  li.appendChild(el("span", " · " + bits.join(" · "), "text-muted"));
  return li;
}

function showList(g, body) {
  const count = byId("lw-staffing-count"), list = byId("lw-staffing-list");
  const n = body.total, min = minimum(), short = n < min;
  count.textContent = t("staffing_count", {n: n, min: min});
  count.className = "small mb-1" + (short ? " lw-staffing-short text-danger fw-semibold" : "");
  if (short) count.appendChild(el("span", t("staffing_below"), "badge text-bg-danger ms-1"));
  byId("lw-staffing").setAttribute("data-short", short ? "1" : "0");
  list.textContent = "";
  body.items.forEach(function (o) { list.appendChild(person(o)); });
  if (!body.items.length) list.appendChild(el("li", t("staffing_none"), "text-muted"));
  if (n > body.items.length) {
    list.appendChild(el("li", t("staffing_more", {n: n - body.items.length}), "text-muted"));
  }
}

function whereIs(o) {
  if (o.grid_id === null || o.grid_id === undefined) return t("staffing_unassigned");
  return S.grids[o.grid_id] ? S.grids[o.grid_id].props.code : t("staffing_other_grid");
}

function option(value, text) {
  const opt = el("option", text);
  opt.value = value;
  return opt;
}

// The county's active grid workers not in this grid, the unassigned first.
function fillSelect(g, all) {
  const select = byId("lw-staffing-officer"), button = byId("lw-staffing-add");
  const keep = select.value;
  const offered = all.filter(function (o) { return o.grid_id !== g.id && o.active !== false; });
  offered.sort(function (a, b) {
    const ua = a.grid_id === null || a.grid_id === undefined ? 0 : 1;
    const ub = b.grid_id === null || b.grid_id === undefined ? 0 : 1;
    return ua - ub || String(a.name).localeCompare(String(b.name), "zh-CN") || a.id - b.id;
  });
  candidates = {};
  select.textContent = "";
  select.appendChild(option("", t(offered.length ? "staffing_choose" : "staffing_no_candidates")));
  offered.forEach(function (o) {
    candidates[o.id] = o;
    select.appendChild(option(String(o.id), t("staffing_option", {name: o.name, grid: whereIs(o)})));
  });
  select.value = candidates[keep] ? keep : "";
  select.disabled = button.disabled = !offered.length;
}

// The panel of grid g (nothing when no grid is selected); called by main.js's P.select.
P.showStaffing = function (g) {
  init();
  P.staffingSummary();
  const section = byId("lw-staffing");
  if (!section) return Promise.resolve();
  const token = ++shown;
  section.hidden = !g;
  section.setAttribute("data-ready", "0");
  if (!g || g.id !== shownGrid) say("");
  shownGrid = g ? g.id : null;
  if (!g) return Promise.resolve();
  const count = byId("lw-staffing-count");
  count.textContent = t("loading");
  count.className = "small mb-1 text-muted";
  byId("lw-staffing-list").textContent = "";
  const form = byId("lw-staffing-form");
  return Promise.all([
    getJSON(officersUrl({area: S.config.county.adcode, grid: g.id}), {cache: "no-store"}),
    form ? countyWorkers() : Promise.resolve([])
  ]).then(function (res) {
    if (token !== shown) return;
    showList(g, res[0]);
    if (form) fillSelect(g, res[1]);
    section.setAttribute("data-ready", "1");
  }).catch(function (err) {
    if (token !== shown) return;
    count.textContent = t("error") + ": " + err.message;
    count.className = "small mb-1 text-danger";
    section.setAttribute("data-ready", "error");
  });
};

function moveIn(e) {
  e.preventDefault();
  const g = S.grids[S.selected], select = byId("lw-staffing-officer");
  const button = byId("lw-staffing-add");
  if (!g) return;
  const o = candidates[select.value];
  if (!o) {
    say(t("staffing_choose_first"), "text-danger");
    select.focus();
    return;
  }
  button.disabled = true;
  say(t("staffing_moving"), "text-muted");
  send("PATCH", S.config.urls.officers + "/" + o.id, {grid_id: g.id, version: o.version})
    .then(function (res) {
      workers = null;  // versions and grids changed (or were stale): read them again
      if (res.status >= 400) {
        say(errorText(res), "text-danger");
        return P.showStaffing(g);
      }
      const from = S.grids[o.grid_id];
      if (from) from.props.staff_count = Math.max(0, (from.props.staff_count || 0) - 1);
      g.props.staff_count = (g.props.staff_count || 0) + 1;
      say(t("staffing_moved", {name: o.name, grid: g.props.code}), "text-success");
      // The grid counts from the server, unless that would drop unsaved grid edits.
      return P.hasEdits() || S.action ? P.showStaffing(g) : P.reload();
    })
    .catch(function (err) {
      say(t("error") + ": " + err.message, "text-danger");
      button.disabled = false;
    })
    .then(function () {
      if (document.activeElement === document.body || document.activeElement === button &&
          button.disabled) select.focus();
    });
}

// The form's handler, attached on the first showing (the page is parsed by then).
let ready = false;
function init() {
  if (ready) return;
  ready = true;
  const form = byId("lw-staffing-form");
  if (form) form.addEventListener("submit", moveIn);
}
