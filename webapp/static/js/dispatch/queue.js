/* The console's left column: four tabs (waiting / sent / on site / done today, each counted)
 * over one list of inspections (GET /api/v1/inspections/board, polled with ETags). Each row is
 * a button: Tab reaches the list, the arrow keys move between rows, Enter or Space selects. */
import {el} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {formatTime, label, t} from "../core/i18n.js";

export const TABS = ["waiting", "assigned", "on_site", "done"];

// "1小时5分" / "25分钟" for a number of minutes.
export function duration(minutes) {
  const abs = Math.abs(Math.round(minutes));
  if (abs >= 48 * 60) {
    return t("console.days_hours", {d: Math.floor(abs / 1440), h: Math.floor((abs % 1440) / 60)});
  }
  return abs >= 60 ? t("hours_minutes", {h: Math.floor(abs / 60), m: abs % 60})
    : t("console.minutes", {m: abs});
}

// The time an inspection has left (or is late by), as a span the clock can read.
export function timeLeft(dueAt) {
  const minutes = Math.round((Date.parse(dueAt) - Date.now()) / 60000);
  const late = minutes < 0;
  const span = el("span", t(late ? "time_late" : "time_left", {time: duration(minutes)}),
                  "lw-time-left" + (late ? " lw-late" : ""));
  span.setAttribute("data-minutes", String(minutes));
  return span;
}

export function what(item) {
  return item.employer || item.description || "#" + item.id;
}

export function teamNames(item) {
  return item.team.map(function (m) { return m.name; }).join("、");
}

// The second line of a row: what the dispatcher needs to decide at a glance.
function facts(item, tab) {
  const line = el("span", null, "lw-job-facts");
  const add = function (node) {
    if (line.childNodes.length) line.appendChild(document.createTextNode(" · "));
    line.appendChild(typeof node === "string" ? document.createTextNode(node) : node);
  };
  if (item.county) add(item.county);
  if (tab === "waiting") {
    add(t("console.waited", {time: duration((Date.now() - Date.parse(item.created_at)) / 60000)}));
    if (item.due_at) add(timeLeft(item.due_at));
  } else if (tab === "done") {
    add(t("console.closed_at", {time: formatTime(item.closed_at)}));
    if (item.team.length) add(teamNames(item));
  } else {
    if (item.team.length) add(teamNames(item));
    add(tab === "on_site" ? t("console.arrived")
      : item.eta_min !== null ? t("console.eta", {minutes: item.eta_min}) : t("console.no_position"));
    if (item.due_at) add(timeLeft(item.due_at));
  }
  return line;
}

function row(item, tab, selected) {
  const li = el("li");
  const button = el("button", null, "lw-job" + (selected ? " active" : ""));
  button.type = "button";
  button.setAttribute("data-id", item.id);
  button.setAttribute("aria-pressed", selected ? "true" : "false");
  const head = el("span", null, "lw-job-head");
  head.appendChild(el("span", label("priority_", item.priority),
                      "lw-prio-badge lw-prio-badge-" + item.priority));
  head.appendChild(el("span", label("kind_", item.kind), "lw-job-kind"));
  head.appendChild(el("span", what(item), "lw-job-what"));
  button.appendChild(head);
  button.appendChild(facts(item, tab));
  li.appendChild(button);
  return li;
}

// Arrow keys between the rows of `list`, Home/End to the first and last.
function keyboard(list) {
  list.addEventListener("keydown", function (ev) {
    const rows = Array.from(list.querySelectorAll(".lw-job"));
    const at = rows.indexOf(document.activeElement);
    if (at < 0) return;
    const to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1}[ev.key];
    if (to === undefined || to < 0 || to >= rows.length) return;
    ev.preventDefault();
    rows[to].focus();
  });
}

// Tabs as WAI-ARIA tabs: one tab stop, arrow keys between tabs, activation on click/Enter.
function tabs(onTab) {
  const buttons = TABS.map(function (tab) { return document.getElementById("lw-tab-" + tab); });
  buttons.forEach(function (b, i) {
    b.addEventListener("click", function () { onTab(TABS[i]); });
    b.addEventListener("keydown", function (ev) {
      const step = {ArrowRight: 1, ArrowLeft: -1}[ev.key];
      if (!step) return;
      ev.preventDefault();
      const next = buttons[(i + step + buttons.length) % buttons.length];
      next.focus();
      next.click();
    });
  });
  return buttons;
}

export function startQueue(options) {
  const list = document.getElementById("lw-inspections");
  const state = {tab: "waiting", body: null, items: []};
  keyboard(list);
  const buttons = tabs(function (tab) {
    if (tab === state.tab) return;
    state.tab = tab;
    buttons.forEach(function (b) {
      const on = b.getAttribute("data-tab") === tab;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    document.getElementById("lw-queue-panel").setAttribute("aria-labelledby", "lw-tab-" + tab);
    state.body = null;
    options.onTab(tab);
    refresh();
  });

  function draw(body) {
    TABS.forEach(function (tab) {
      const count = document.querySelector("#lw-tab-" + tab + " .lw-count");
      count.textContent = String(body.counts[tab]);
      count.setAttribute("data-count", String(body.counts[tab]));
    });
    const focused = list.contains(document.activeElement) ?
      document.activeElement.getAttribute("data-id") : null;
    list.textContent = "";
    const chosen = options.selected();
    body.items.forEach(function (item) {
      item.tab = state.tab;
      list.appendChild(row(item, state.tab, chosen && chosen.id === item.id));
    });
    if (!body.items.length) {
      list.appendChild(el("li", t("console.empty." + state.tab), "lw-empty"));
    }
    list.querySelectorAll(".lw-job").forEach(function (b) {
      const id = Number(b.getAttribute("data-id"));
      b.addEventListener("click", function () {
        options.onSelect(body.items.find(function (i) { return i.id === id; }));
      });
      if (focused && b.getAttribute("data-id") === focused) b.focus();
    });
    state.items = body.items;
  }

  function refresh() {
    const url = "/api/v1/inspections/board?area=" + encodeURIComponent(options.area()) +
      "&tab=" + state.tab;
    return getJSON(url, {etag: true}).then(function (body) {
      if (body !== state.body) draw(body);
      state.body = body;
    });
  }

  function mark(id) {
    list.querySelectorAll(".lw-job").forEach(function (b) {
      const on = Number(b.getAttribute("data-id")) === id;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  // The waiting inspection after `id` in the list (or the first other one), if any.
  function nextAfter(id) {
    if (state.tab !== "waiting") return null;
    const at = state.items.findIndex(function (i) { return i.id === id; });
    const rest = state.items.slice(at + 1).concat(state.items.slice(0, Math.max(at, 0)));
    return rest.find(function (i) { return i.id !== id; }) || null;
  }

  return {refresh: refresh, mark: mark, nextAfter: nextAfter,
          tab: function () { return state.tab; },
          tick: function () { if (state.body) draw(state.body); }};  // ages and time left
}
