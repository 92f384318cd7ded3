/* The case list (/cases): the filters of the page's query, read from GET /api/v1/cases, one
 * page at a time; each row opens the case. Text goes in with textContent. */
import {el, link, message} from "../core/dom.js";
import {drawRows as drawRows_, listPager, listQuery as query} from "../core/lists.js";
import {getJSON} from "../core/http.js";
import {t, useStrings} from "../core/i18n.js";
import {deadlineCell, handlerNames, supervisionCell} from "./format.js";

const COLUMNS = ["id", "employer", "county", "opened_on", "deadline", "handlers", "status",
                 "supervision", "outcome"];


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

function drawRows(items) {  // the API's order: nearest the limit, or supervision overdue, first
  drawRows_({tbody: document.getElementById("lw-case-rows"),
             headers: document.querySelectorAll("#lw-case-table thead th"), items: items,
             columns: COLUMNS, cell: cell, emptyText: t("cases.empty"),
             rowClass: function (c) { return "lw-case-row" + (c.overdue && !c.closed_on ? " table-danger" : ""); },
             href: function (c) { return "/cases/" + c.id; }});
}

function pager(body, filters) {
  listPager(document.getElementById("lw-pager"), "/cases", body, filters, "cases");
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
