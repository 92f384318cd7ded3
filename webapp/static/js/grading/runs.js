/* The grading runs (/grading): every run of the user's territory from GET
 * /api/v1/grading/runs, newest first, each row opening the run; the form of 指挥中心 and the
 * administrator starts a run through POST /api/v1/grading/runs and opens it. */
import {el, link, message} from "../core/dom.js";
import {drawRows} from "../core/lists.js";
import {getJSON, postJSON} from "../core/http.js";
import {formatNumber, t, useStrings} from "../core/i18n.js";
import {instant} from "../cases/format.js";
import {act, badge, whoWhen} from "./common.js";

const COLUMNS = ["id", "year", "area", "status", "A", "B", "C", "total", "started", "approved"];

function cell(column, r, config) {
  switch (column) {
  case "id": {
    const a = link(t("grading_ui.run_no", {id: r.id}), "/grading/" + r.id);
    a.setAttribute("aria-label", t("grading_ui.open_run", {id: r.id}));
    return a;
  }
  case "year": return el("span", t("grading_ui.year_n", {year: r.year}));
  case "area": return el("span", config.areas[r.area] || r.area);
  case "status": return badge(r.status_text, r.status === "approved" ? "success" : "warning");
  case "A": case "B": case "C": return el("span", formatNumber((r.counts || {})[column] || 0));
  case "total": return el("span", formatNumber(r.total));
  case "started": return whoWhen(r.started_by, r.started_at, instant);
  case "approved": return whoWhen(r.approved_by, r.approved_at, instant);
  }
  return el("span", "");
}

function startForm() {
  const form = document.getElementById("lw-start-form");
  if (!form) return;
  const box = document.getElementById("lw-start-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const year = Number(form.elements.year.value);
    const body = {year: Number.isInteger(year) && form.elements.year.value !== "" ? year
      : form.elements.year.value, area: form.elements.area.value};
    act(form.querySelector("button[type=submit]"), box, function () {
      return postJSON("/api/v1/grading/runs", body);
    }, function (res) {
      globalThis.location.href = "/grading/" + res.body.id;
    });
  });
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-grading");
  startForm();
  getJSON("/api/v1/grading/runs").then(function (body) {
    document.getElementById("lw-total").textContent =
      t("grading_ui.runs_total", {total: body.items.length});
    drawRows({tbody: document.getElementById("lw-run-rows"),
              headers: document.querySelectorAll("#lw-run-table thead th"), items: body.items,
              columns: COLUMNS, emptyText: t("grading_ui.runs_empty"),
              cell: function (column, r) { return cell(column, r, config); },
              rowClass: function () { return "lw-row"; },
              href: function (r) { return "/grading/" + r.id; }});
    root.setAttribute("data-ready", "1");
  }).catch(function (err) {
    document.getElementById("lw-total").textContent = "";
    message(err.message, "danger", "mb-2");
    root.setAttribute("data-ready", "error");
  });
}
