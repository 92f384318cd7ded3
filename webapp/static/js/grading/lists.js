/* The disclosure lists (/disclosures): every list of the user's territory from GET
 * /api/v1/disclosure-lists, newest period first, each row opening the list; 指挥中心 and the
 * administrator draft one for an area and an ended period through POST. */
import {el, link, message} from "../core/dom.js";
import {drawRows} from "../core/lists.js";
import {getJSON, postJSON} from "../core/http.js";
import {formatNumber, t, useStrings} from "../core/i18n.js";
import {instant} from "../cases/format.js";
import {act, badge} from "./common.js";

const COLUMNS = ["id", "area", "period", "status", "entries", "published_at"];
const STATUS_KIND = {draft: "secondary", approved: "primary", published: "success"};

function cell(column, r) {
  switch (column) {
  case "id": {
    const a = link(t("disclosure_ui.list_no", {id: r.id}), "/disclosures/" + r.id);
    a.setAttribute("aria-label", t("disclosure_ui.open_list", {id: r.id}));
    return a;
  }
  case "area": return el("span", r.area_name || r.area);
  case "period": return el("span", r.period_text);
  case "status": return badge(r.status_text, STATUS_KIND[r.status] || "secondary");
  case "entries": return el("span", formatNumber(r.entries));
  case "published_at": return el("span", r.published_at ? instant(r.published_at) : "");
  }
  return el("span", "");
}

// Suggestions for the period field: the quarters and half-years ended before today.
function periods(today) {
  const year = Number(today.slice(0, 4)), month = Number(today.slice(5, 7));
  const out = [];
  let y = year, q = Math.floor((month - 1) / 3);  // the quarter before the current one
  for (let i = 0; i < 6; i++) {
    if (q === 0) { y -= 1; q = 4; }
    out.push(y + "-Q" + q);
    q -= 1;
  }
  const half = month > 6 ? [[year, 1], [year - 1, 2], [year - 1, 1]]
    : [[year - 1, 2], [year - 1, 1], [year - 2, 2]];
  half.forEach(function (h) { out.push(h[0] + "-H" + h[1]); });
  return out;
}

function draftForm(config) {
  const form = document.getElementById("lw-draft-form");
  if (!form) return;
  const list = document.getElementById("lw-periods");
  periods(config.today).forEach(function (p) {
    const option = el("option");
    option.value = p;
    list.appendChild(option);
  });
  const box = document.getElementById("lw-draft-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const body = {area: form.elements.area.value,
                  period: form.elements.period.value.trim().toUpperCase()};
    act(form.querySelector("button[type=submit]"), box, function () {
      return postJSON("/api/v1/disclosure-lists", body);
    }, function (res) {
      globalThis.location.href = "/disclosures/" + res.body.id;
    });
  });
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-disclosures");
  draftForm(config);
  getJSON("/api/v1/disclosure-lists").then(function (body) {
    document.getElementById("lw-total").textContent =
      t("disclosure_ui.lists_total", {total: body.items.length});
    drawRows({tbody: document.getElementById("lw-list-rows"),
              headers: document.querySelectorAll("#lw-list-table thead th"), items: body.items,
              columns: COLUMNS, emptyText: t("disclosure_ui.lists_empty"), cell: cell,
              rowClass: function () { return "lw-row"; },
              href: function (r) { return "/disclosures/" + r.id; }});
    root.setAttribute("data-ready", "1");
  }).catch(function (err) {
    document.getElementById("lw-total").textContent = "";
    message(err.message, "danger", "mb-2");
    root.setAttribute("data-ready", "error");
  });
}
