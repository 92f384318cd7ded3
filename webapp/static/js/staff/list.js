/* The staff list (/staff): the filters of the page's query, read from GET /api/v1/officers,
 * one page at a time; each row opens the officer. The administrator's form adds an officer
 * through POST /api/v1/officers. Text goes in with textContent. */
import {el, link, message} from "../core/dom.js";
import {drawRows as drawRows_, listPager, listQuery as query} from "../core/lists.js";
import {getJSON, postJSON, errorText} from "../core/http.js";
import {t, useStrings} from "../core/i18n.js";
import {activeText, certificateCell, kindText} from "./format.js";

const COLUMNS = ["name", "badge", "kind", "county", "grid", "certificate", "status", "active"];


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
  drawRows_({tbody: document.getElementById("lw-staff-rows"),
             headers: document.querySelectorAll("#lw-staff-table thead th"), items: items,
             columns: COLUMNS, emptyText: t("staff.empty"),
             cell: function (column, o) { return cell(column, o, config); },
             rowClass: function (o) { return "lw-row" + (o.active ? "" : " text-muted"); },
             href: function (o) { return "/staff/" + o.id; }});
}

function pager(body, filters) {
  listPager(document.getElementById("lw-pager"), "/staff", body, filters, "staff");
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
