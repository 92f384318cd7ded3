/* The case list (/cases): the filters of the page's query, read from GET /api/v1/cases, one
 * page at a time; each row opens the case. Text goes in with textContent. */
import {el, link, message} from "../core/dom.js";
import {drawPager} from "../core/pager.js";
import {getJSON} from "../core/http.js";
import {t, useStrings} from "../core/i18n.js";
import {deadlineCell, handlerNames, supervisionCell} from "./format.js";

const COLUMNS = ["id", "employer", "county", "opened_on", "deadline", "handlers", "status",
                 "supervision", "outcome"];

function query(filters, page) {
  const params = new URLSearchParams();
  Object.keys(filters).forEach(function (k) {
    const v = k === "page" ? page : filters[k];
    if (v !== null && v !== undefined && v !== "") params.set(k, v);
  });
  return params.toString();
}

function cell(column, c) {
  switch (column) {
  case "id": {
    const a = link(String(c.id), "/cases/" + c.id);
    a.setAttribute("aria-label", t("cases.open_case", {id: c.id}));
    return a;
  }
  case "employer": {
    if (!c.employer_name) return el("span", "");
    const a = link(c.employer_name, "/cases/" + c.id);
    a.tabIndex = -1;  // the case number is the keyboard's link; this one is for the mouse
    a.className = "link-dark";
    return a;
  }
  case "county": return el("span", c.county_name || "");
  case "opened_on": return el("span", c.opened_on || "");
  case "deadline": return deadlineCell(c);
  case "handlers": return el("span", handlerNames(c));
  case "status": return el("span", c.status_text || "");
  case "supervision": return supervisionCell(c);
  case "outcome": return el("span", c.outcome_text || "");
  }
  return el("span", "");
}

function drawRows(items) {
  const body = document.getElementById("lw-case-rows");
  const headers = Array.from(document.querySelectorAll("#lw-case-table thead th"))
    .map(function (th) { return th.textContent; });
  body.textContent = "";
  const rows = items;  // the API's order: nearest the limit, or supervision overdue, first
  rows.forEach(function (c) {
    const tr = el("tr", null, "lw-case-row" + (c.overdue && !c.closed_on ? " table-danger" : ""));
    tr.setAttribute("data-id", c.id);
    tr.addEventListener("click", function (event) {  // the whole row opens the case
      if (!event.target.closest("a") && !globalThis.getSelection().toString()) {
        globalThis.location.href = "/cases/" + c.id;
      }
    });
    COLUMNS.forEach(function (column, i) {
      const td = el("td");
      td.setAttribute("data-label", headers[i]);
      const node = cell(column, c);
      if (node.textContent !== "") td.appendChild(node);  // empty cells fold away on a phone
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  if (!rows.length) {
    const tr = el("tr");
    const td = el("td", t("cases.empty"), "text-muted");
    td.colSpan = COLUMNS.length;
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

function pager(body, filters) {
  drawPager(document.getElementById("lw-pager"), {
    page: body.page, total: body.total, perPage: body.per_page,
    pageHref: function (page) { return "/cases?" + query(filters, page); },
    texts: {prev: t("cases.prev"), next: t("cases.next"),
            pageOf: function (page, pages) { return t("cases.page_of", {page: page, pages: pages}); }}
  });
}

export function start(config) {
  useStrings(config.strings);
  const filters = config.filters;
  const root = document.getElementById("lw-cases");
  getJSON("/api/v1/cases?" + query(filters, filters.page) + "&per_page=" + config.perPage)
    .then(function (body) {
      document.getElementById("lw-total").textContent = t("cases.total", {total: body.total});
      drawRows(body.items);
      pager(body, filters);
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      document.getElementById("lw-total").textContent = "";
      message(err.message, "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
}
