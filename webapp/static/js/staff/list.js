/* The staff list (/staff): the filters of the page's query, read from GET /api/v1/officers,
 * one page at a time; each row opens the officer. The administrator's form adds an officer
 * through POST /api/v1/officers. Text goes in with textContent. */
import {el, link, message} from "../core/dom.js";
import {drawPager} from "../core/pager.js";
import {getJSON, postJSON, errorText} from "../core/http.js";
import {t, useStrings} from "../core/i18n.js";
import {activeText, certificateCell, kindText} from "./format.js";

const COLUMNS = ["name", "badge", "kind", "county", "grid", "certificate", "status", "active"];

function query(filters, page) {
  const params = new URLSearchParams();
  Object.keys(filters).forEach(function (k) {
    const v = k === "page" ? page : filters[k];
    if (v !== null && v !== undefined && v !== "") params.set(k, v);
  });
  return params.toString();
}

function cell(column, o, config) {
  switch (column) {
  case "name": {
    const a = link(o.name, "/staff/" + o.id);
    a.setAttribute("aria-label", t("staff.open_officer", {name: o.name}));
    return a;
  }
  case "badge": return el("span", o.badge || "");
  case "kind": return el("span", kindText(o.kind));
  case "county": return el("span", config.counties[o.county_adcode] || "");
  case "grid": return el("span", o.grid_id ? (config.grids[String(o.grid_id)] || "") : "");
  case "certificate": return certificateCell(o);
  case "status": return el("span", o.status_text || "");
  case "active": return el("span", activeText(o));
  }
  return el("span", "");
}

function drawRows(items, config) {
  const body = document.getElementById("lw-staff-rows");
  const headers = Array.from(document.querySelectorAll("#lw-staff-table thead th"))
    .map(function (th) { return th.textContent; });
  body.textContent = "";
  items.forEach(function (o) {
    const tr = el("tr", null, "lw-row" + (o.active ? "" : " text-muted"));
    tr.setAttribute("data-id", o.id);
    tr.addEventListener("click", function (event) {
      if (!event.target.closest("a") && !globalThis.getSelection().toString()) {
        globalThis.location.href = "/staff/" + o.id;
      }
    });
    COLUMNS.forEach(function (column, i) {
      const td = el("td");
      td.setAttribute("data-label", headers[i]);
      const node = cell(column, o, config);
      if (node.textContent !== "") td.appendChild(node);
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  if (!items.length) {
    const tr = el("tr");
    const td = el("td", t("staff.empty"), "text-muted");
    td.colSpan = COLUMNS.length;
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

function pager(body, filters) {
  drawPager(document.getElementById("lw-pager"), {
    page: body.page, total: body.total, perPage: body.page_size,
    pageHref: function (page) { return "/staff?" + query(filters, page); },
    texts: {prev: t("staff.prev"), next: t("staff.next"),
            pageOf: function (page, pages) { return t("staff.page_of", {page: page, pages: pages}); }}
  });
}

// The new-officer form: only the filled fields are sent; the server's message is shown.
function newOfficerForm() {
  const form = document.getElementById("lw-new-form");
  if (!form) return;
  const note = document.getElementById("lw-new-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const body = {};
    new FormData(form).forEach(function (value, key) {
      const v = String(value).trim();
      if (v !== "") body[key] = v;
    });
    note.className = "small";
    note.textContent = t("staff.saving");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    postJSON("/api/v1/officers", body).then(function (res) {
      button.disabled = false;
      if (res.status === 201) {
        note.className = "small text-success";
        note.textContent = t("staff.new.created", {name: res.body.name});
        globalThis.location.href = "/staff/" + res.body.id;
        return;
      }
      note.className = "small text-danger";
      note.textContent = errorText(res);
    }).catch(function () {
      button.disabled = false;
      note.className = "small text-danger";
      note.textContent = t("staff.network_error");
    });
  });
}

export function start(config) {
  useStrings(config.strings);
  const filters = config.filters;
  const root = document.getElementById("lw-staff");
  newOfficerForm();
  getJSON("/api/v1/officers?" + query(filters, filters.page))
    .then(function (body) {
      document.getElementById("lw-total").textContent = t("staff.total", {total: body.total});
      drawRows(body.items, config);
      pager(body, filters);
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      document.getElementById("lw-total").textContent = "";
      message(err.message, "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
}
