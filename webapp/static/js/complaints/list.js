/* The complaints list: filters (kept in the address), 50 a page, deadline and response clocks.
 * Rows show the server's *_text fields; codes only pick classes. */
import {el} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {t} from "../core/i18n.js";

const OPEN = ["received", "info_requested"];
// Which decisions a row offers, by status (the server answers 409 to any other): while
// 补正 is awaited only the arrival of the information can be recorded.
export const ACTIONS = {
  received: ["accept_inspect", "accept_case", "refuse", "request_info", "redirect"],
  info_requested: ["information"]
};
const PRIORITY_CLASS = {urgent: "bg-danger", high: "bg-warning text-dark"};
const MINUTE = 60000;

// "3 小时 20 分" left (or late) before an urgent complaint's response is due.
export function responseText(dueAt, now) {
  const diff = new Date(dueAt).getTime() - now;
  const minutes = Math.floor(Math.abs(diff) / MINUTE);
  const values = {hours: Math.floor(minutes / 60), minutes: minutes % 60};
  return {late: diff < 0,
          text: t(diff < 0 ? "complaints.response_past" : "complaints.response_left", values)};
}

function dueCell(box, c) {
  box.appendChild(el("div", c.acceptance_due || ""));
  let note = null;
  if (c.paused) {
    note = el("div", t("complaints.paused"), "text-muted");
  } else if (typeof c.working_days_left === "number") {
    const n = c.working_days_left;
    note = el("div", n > 0 ? t("complaints.days_left", {n: n}) : n === 0 ? t("complaints.due_today")
      : t("complaints.days_past", {n: -n}),
              n < 0 ? "lw-c-late fw-semibold" : n === 0 ? "lw-c-today fw-semibold" : "text-muted");
    if (n < 0) box.classList.add("lw-c-past");
  }
  if (note) box.appendChild(note);
  if (c.response_due_at && OPEN.includes(c.status)) {
    const clock = el("div", null, "lw-c-response badge");
    clock.setAttribute("data-due", c.response_due_at);
    box.appendChild(clock);
    tickClock(clock, Date.now());
  }
}

function tickClock(node, now) {
  const r = responseText(node.getAttribute("data-due"), now);
  node.textContent = r.text;
  node.className = "lw-c-response badge " + (r.late ? "bg-danger" : "bg-warning text-dark");
}

// The server's sentence says what is proposed and why (e.g. time-barred: refuse, confirm).
export function proposalText(p) {
  if (!p) return "";
  return p.reason_text || t("complaints.proposal." + p.decision);
}

export function listView(config, handlers) {
  const state = Object.assign({area: config.area}, config.filters);
  const rows = document.getElementById("lw-c-rows");
  const heads = Array.from(document.querySelectorAll(".lw-c-table thead th"))
    .map(function (th) { return th.textContent; });
  const byId = new Map();

  // A cell with one box inside (the phone layout puts the column's name beside it).
  function cell(tr, text, cls) {
    const td = el("td");
    td.setAttribute("data-label", heads[tr.children.length] || "");
    const box = el("div", text, cls);
    td.appendChild(box);
    tr.appendChild(td);
    return box;
  }

  function row(c) {
    byId.set(c.id, c);
    const tr = el("tr", null, "lw-c-row");
    tr.setAttribute("data-id", c.id);
    tr.setAttribute("data-status", c.status);
    const open = el("button", "#" + c.id, "btn btn-link btn-sm p-0 lw-c-open");
    open.type = "button";
    open.setAttribute("aria-label", t("complaints.open_detail", {id: c.id}));
    cell(tr).appendChild(open);
    dueCell(cell(tr), c);
    cell(tr, c.category_text, "lw-c-nowrap");
    const employer = cell(tr);
    employer.appendChild(el("div", c.employer_name || t("complaints.unknown_employer"),
                            c.employer_name ? null : "text-muted"));
    if (c.credit_code) employer.appendChild(el("div", c.credit_code, "text-muted lw-c-code"));
    cell(tr, c.county_name || "", "lw-c-nowrap");
    const workers = cell(tr);
    workers.appendChild(el("span", String(c.workers_affected)));
    if (c.mass_incident) {
      workers.appendChild(el("span", t("complaints.mass_incident"), "badge bg-danger ms-1"));
    }
    const status = cell(tr, null, "lw-c-nowrap");
    status.appendChild(el("span", c.status_text, "lw-c-status"));
    if (PRIORITY_CLASS[c.priority] && c.priority_text) {
      status.appendChild(el("span", c.priority_text, "badge ms-1 " + PRIORITY_CLASS[c.priority]));
    }
    cell(tr, proposalText(c.proposal) || null, c.proposal ? "lw-c-proposal" : null);
    if (config.canDecide) {
      const box = cell(tr, null, "lw-c-actions");
      (ACTIONS[c.status] || []).forEach(function (action) {
        const b = el("button", t("complaints.action." + action),
                     "btn btn-sm lw-c-act lw-c-act-" + action + " " +
                     (action.indexOf("accept") === 0 ? "btn-outline-primary" : "btn-outline-secondary"));
        b.type = "button";
        b.setAttribute("data-action", action);
        b.addEventListener("click", function (ev) {
          ev.stopPropagation();
          handlers.onDecide(byId.get(c.id), action, b);
        });
        box.appendChild(b);
      });
    }
    tr.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) return;
      handlers.onOpen(c.id);
    });
    return tr;
  }

  function pager(body) {
    const pages = Math.max(1, Math.ceil(body.total / body.per_page));
    document.getElementById("lw-c-page").textContent =
      t("complaints.page_of", {page: body.page, pages: pages, total: body.total});
    document.getElementById("lw-c-prev").disabled = body.page <= 1;
    document.getElementById("lw-c-next").disabled = body.page >= pages;
  }

  function query() {
    const q = new URLSearchParams({area: state.area});
    ["status", "deadline", "q"].forEach(function (k) { if (state[k]) q.set(k, state[k]); });
    if (state.page > 1) q.set("page", String(state.page));
    return q;
  }

  function remember() {
    const q = query();
    const lang = new URLSearchParams(window.location.search).get("lang");
    if (lang) q.set("lang", lang);
    window.history.replaceState(null, "", window.location.pathname + "?" + q.toString());
  }

  function empty(text) {
    rows.textContent = "";
    const tr = el("tr");
    const td = el("td", text, "text-muted lw-c-empty");
    td.colSpan = heads.length;
    tr.appendChild(td);
    rows.appendChild(tr);
  }

  function load() {
    const q = query();
    q.set("per_page", String(config.perPage || 50));
    if (!q.has("page")) q.set("page", "1");
    remember();
    rows.setAttribute("aria-busy", "true");
    return getJSON("/api/v1/complaints?" + q.toString()).then(function (body) {
      rows.textContent = "";
      byId.clear();
      body.items.forEach(function (c) { rows.appendChild(row(c)); });
      if (!body.items.length) empty(t("complaints.empty"));
      pager(body);
      rows.removeAttribute("aria-busy");
      document.body.setAttribute("data-ready", "1");
    }).catch(function (err) {
      rows.removeAttribute("aria-busy");
      empty(err.message);
      document.body.setAttribute("data-ready", "1");
    });
  }

  // A complaint just registered or decided: its row is redrawn (or added on top).
  function update(c) {
    const fresh = row(c);
    fresh.classList.add("lw-c-changed");
    const old = rows.querySelector('tr[data-id="' + c.id + '"]');
    if (old) {
      rows.replaceChild(fresh, old);
      return fresh;
    }
    const placeholder = rows.querySelector(".lw-c-empty");
    if (placeholder) rows.textContent = "";
    rows.insertBefore(fresh, rows.firstChild);
    return fresh;
  }

  function filter(changes) {
    Object.assign(state, changes, {page: 1});
    return load();
  }

  const filters = document.getElementById("lw-c-filters");
  filters.addEventListener("submit", function (ev) {
    ev.preventDefault();
    filter({q: document.getElementById("lw-c-q").value.trim()});
  });
  document.getElementById("lw-c-status").addEventListener("change", function (ev) {
    filter({status: ev.target.value});
  });
  document.getElementById("lw-c-deadline").addEventListener("change", function (ev) {
    filter({deadline: ev.target.value});
  });
  document.getElementById("lw-c-prev").addEventListener("click", function () {
    state.page = Math.max(1, state.page - 1);
    load();
  });
  document.getElementById("lw-c-next").addEventListener("click", function () {
    state.page += 1;
    load();
  });
  setInterval(function () {
    document.querySelectorAll(".lw-c-response").forEach(function (n) { tickClock(n, Date.now()); });
  }, 30000);

  return {load: load, update: update, query: query, get: function (id) { return byId.get(id); }};
}
