/* One officer (/staff/<id>): record and 执法证 from GET /api/v1/officers/<id>, recusals,
 * current assignment, training records and yearly assessments, what the officer answers for
 * (执法责任) and the wrong-case reviews naming them (错案追究); the administrator's forms
 * write through the officers and assessments APIs and show the server's message. */
import {el, link} from "../core/dom.js";
import {errorText, getJSON, postJSON, send} from "../core/http.js";
import {formatDateTime, formatNumber, label as labelOf, t, useStrings} from "../core/i18n.js";
import {instant} from "../cases/format.js";
import {activeText, certificateCell, kindText} from "./format.js";

let config = null;
let officer = null;

function api(path) {
  return "/api/v1/officers/" + config.officerId + (path || "");
}

function note(id, text, ok) {
  const box = document.getElementById(id);
  if (!box) return;
  box.className = "small w-100 " + (ok ? "text-success" : "text-danger");
  box.textContent = text || "";
}

function formBody(form) {
  const body = {};
  new FormData(form).forEach(function (value, key) {
    const v = String(value).trim();
    if (v !== "") body[key] = v;
  });
  return body;
}

// A form that sends its body and reports the server's answer next to its button.
function onSubmit(form, messageId, run) {
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    note(messageId, t("staff.saving"), true);
    run(formBody(form)).then(function (res) {
      button.disabled = false;
      if (res.status >= 200 && res.status < 300) {
        note(messageId, t("staff.saved"), true);
        if (form.hasAttribute("data-reset")) form.reset();
        return res.ok ? res.ok(res) : null;
      }
      note(messageId, errorText(res), false);
      return null;
    }).catch(function () {
      button.disabled = false;
      note(messageId, t("staff.network_error"), false);
    });
  });
}

function fact(list, label, value) {
  if (value === null || value === undefined || value === "") return;
  list.appendChild(el("dt", label));
  const dd = el("dd");
  if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
  list.appendChild(dd);
}

function drawOfficer(o) {
  officer = o;
  document.getElementById("lw-name").textContent = o.name + " · " + kindText(o.kind);
  document.title = o.name + " · " + document.title;
  const head = document.getElementById("lw-headline");
  head.textContent = "";
  head.appendChild(el("span", t("staff.col.certificate") + "："));
  head.appendChild(certificateCell(o));
  if (o.certificate_reason) head.appendChild(el("span", o.certificate_reason, "lw-sub"));
  const facts = document.getElementById("lw-facts");
  facts.textContent = "";
  fact(facts, t("staff.col.badge"), o.badge);
  fact(facts, t("staff.col.kind"), kindText(o.kind));
  fact(facts, t("staff.col.county"), config.counties[o.county_adcode] || "");
  fact(facts, t("staff.col.grid"), o.grid_id ? (config.grids[String(o.grid_id)] || "") : "");
  fact(facts, t("staff.field.phone"), o.phone);
  fact(facts, t("staff.col.status"), o.status_text);
  fact(facts, t("staff.col.active"), activeText(o));
  fact(facts, t("staff.field.certificate_no"), o.certificate_no);
  fact(facts, t("staff.field.certificate_issued_on"), o.certificate_issued_on);
  fact(facts, t("staff.field.certificate_expires_on"), o.certificate_expires_on);
  fact(facts, t("staff.field.certificate_reviewed_on"), o.certificate_reviewed_on);
  fact(facts, t("staff.field.review_due_on"), o.review_due_on);
  fact(facts, t("staff.field.assignable"),
       t(o.certified_for_assignment ? "staff.active.yes_assignable" : "staff.active.not_assignable"));
  fact(facts, t("staff.field.skills"), (o.skills || []).join("、"));
  if (o.deactivated_at) fact(facts, t("staff.field.deactivated_at"), formatDateTime(o.deactivated_at));
  document.getElementById("lw-assignment").textContent = o.current_inspection_id
    ? t("staff.assignment.on", {id: o.current_inspection_id}) : t("staff.assignment.none");
  drawRecusals(o.recusals || []);
  drawResponsibility(o.responsibility || {});
  drawReviews(o.reviews || []);
  const edit = document.getElementById("lw-edit-form");
  if (edit) {
    ["certificate_no", "certificate_issued_on", "certificate_expires_on",
     "certificate_reviewed_on"].forEach(function (name) {
      edit.elements[name].value = o[name] || "";
    });
  }
  const deactivate = document.getElementById("lw-deactivate-form");
  if (deactivate) deactivate.hidden = !o.active;
}

function drawRecusals(items) {
  const list = document.getElementById("lw-recusals");
  list.textContent = "";
  if (!items.length) list.appendChild(el("li", t("staff.recusal.empty"), "text-muted small"));
  items.forEach(function (r) {
    const li = el("li", null, "d-flex flex-wrap gap-2 align-items-baseline mb-1");
    li.appendChild(el("strong", r.employer_name));
    li.appendChild(el("span", r.reason, "small"));
    li.appendChild(el("span", t("staff.recusal.source." + r.source), "small text-muted"));
    if (config.admin) {
      const b = el("button", t("staff.recusal.remove"), "btn btn-sm btn-link p-0");
      b.type = "button";
      b.setAttribute("aria-label", t("staff.recusal.remove_named", {name: r.employer_name}));
      b.addEventListener("click", function () {
        b.disabled = true;
        send("DELETE", api("/recusals/" + r.employer_id)).then(function (res) {
          if (res.status === 200) { note("lw-recusal-message", t("staff.saved"), true); loadOfficer(); }
          else { b.disabled = false; note("lw-recusal-message", errorText(res), false); }
        });
      });
      li.appendChild(b);
    }
    list.appendChild(li);
  });
}

// 执法责任: the inspections taken part in, and the case acts and complaint decisions the
// officer is recorded as answering for, by kind.
function countRows(tableId, counts, prefix) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.textContent = "";
  const kinds = Object.keys(counts || {});
  kinds.forEach(function (kind) {
    const tr = el("tr");
    tr.setAttribute("data-kind", kind);
    tr.appendChild(el("td", labelOf(prefix, kind)));
    tr.appendChild(el("td", formatNumber(counts[kind]), "text-end"));
    body.appendChild(tr);
  });
  if (!kinds.length) emptyRow(body, t("accountability.none"), 2);
}

function drawResponsibility(r) {
  const facts = document.getElementById("lw-responsibility-facts");
  facts.textContent = "";
  fact(facts, t("accountability.inspections"),
       t("accountability.inspections_n", {n: formatNumber(r.inspections || 0)}));
  countRows("lw-case-acts", r.case_acts, "casework.event.");
  countRows("lw-complaint-decisions", r.complaint_decisions, "casework.decision.");
}

// 错案追究: the reviews naming this officer, with the finding about them.
function drawReviews(items) {
  const box = document.getElementById("lw-officer-reviews");
  box.textContent = "";
  if (!items.length) box.appendChild(el("p", t("accountability.no_reviews"), "text-muted small"));
  items.forEach(function (r) {
    const part = el("div", null, "border rounded p-2 mb-2 lw-case-review");
    part.setAttribute("data-review", String(r.id));
    part.setAttribute("data-status", r.status);
    const head = el("div", null, "d-flex flex-wrap gap-2 align-items-center mb-1");
    const title = el("strong");
    title.appendChild(link(t("accountability.review.case", {id: r.case_id}),
                           "/cases/" + encodeURIComponent(r.case_id)));
    head.appendChild(title);
    head.appendChild(el("span", r.status_text, "badge text-bg-" +
                        (r.status === "concluded" ? "success" : "warning")));
    part.appendChild(head);
    const me = (r.officers || []).filter(function (o) {
      return o.id === config.officerId;
    })[0];
    const list = el("dl", null, "lw-facts small");
    fact(list, t("accountability.review.grounds"), r.grounds);
    fact(list, t("accountability.review.opened"), instant(r.opened_at));
    fact(list, t("accountability.review.this_finding"),
         me && me.finding_text ? me.finding_text : t("accountability.review.no_finding"));
    fact(list, t("accountability.review.conclusion"), r.conclusion);
    fact(list, t("accountability.review.measures"), r.measures);
    part.appendChild(list);
    box.appendChild(part);
  });
}

function drawTrainings(body) {
  const hours = document.getElementById("lw-hours");
  hours.textContent = body.hours_by_year.length
    ? body.hours_by_year.map(function (y) {
      return t("staff.training.year_hours", {year: y.year, hours: formatNumber(y.hours)});
    }).join("；") : "";
  const rows = document.getElementById("lw-trainings");
  rows.textContent = "";
  body.items.forEach(function (r) {
    const tr = el("tr");
    [r.held_on, r.course, formatNumber(r.hours), r.provider || ""].forEach(function (v) {
      tr.appendChild(el("td", v));
    });
    rows.appendChild(tr);
  });
  if (!body.items.length) emptyRow(rows, t("staff.training.empty"), 4);
}

// A table body with nothing in it says so, across all its columns.
function emptyRow(tbody, text, columns) {
  const tr = el("tr");
  const td = el("td", text, "text-muted");
  td.colSpan = columns;
  tr.appendChild(td);
  tbody.appendChild(tr);
}

function rate(value) {
  return value === null || value === undefined ? t("staff.assessment.no_rate")
    : formatNumber(Math.round(value * 1000) / 10) + "%";
}

function drawAssessments(body) {
  const box = document.getElementById("lw-assessments");
  box.textContent = "";
  if (!body.items.length) box.appendChild(el("p", t("staff.assessment.empty"), "text-muted small"));
  body.items.forEach(function (a) {
    const f = a.figures || {};
    const part = el("div", null, "border rounded p-2 mb-2 lw-assessment");
    part.setAttribute("data-year", a.year);
    part.appendChild(el("h3", t("staff.assessment.of_year", {year: a.year}) + " · " +
                        (a.status_text || ""), "h6"));
    const table = el("table", null, "table table-sm mb-1 lw-table");
    const rows = [
      ["inspections_done", formatNumber(f.inspections_done)],
      ["on_time_rate", rate(f.on_time_rate)],
      ["cases_handled", formatNumber(f.cases_handled)],
      ["cases_closed_in_time", formatNumber(f.cases_closed_in_time) + " / " +
        formatNumber(f.cases_closed) + "（" + rate(f.closed_in_time_rate) + "）"],
      ["training_hours", formatNumber(f.training_hours)]];
    rows.forEach(function (r) {
      const tr = el("tr");
      const th = el("th", t("staff.assessment.fig." + r[0]));
      th.scope = "row";
      tr.appendChild(th);
      tr.appendChild(el("td", r[1]));
      table.appendChild(tr);
    });
    part.appendChild(table);
    (f.notes || []).forEach(function (n) { part.appendChild(el("p", n.text, "small text-muted mb-1")); });
    if (a.grade) {
      part.appendChild(el("p", t("staff.assessment.graded", {grade: a.grade_text,
        reviewer: a.reviewer || ""}), "mb-1"));
      if (a.comment) part.appendChild(el("p", a.comment, "small mb-0"));
    }
    const template = document.getElementById("lw-review-template");
    if (template && !a.grade) part.appendChild(reviewForm(template, a.year));
    box.appendChild(part);
  });
}

function reviewForm(template, year) {
  const form = template.content.firstElementChild.cloneNode(true);
  form.querySelectorAll("[data-for]").forEach(function (label) {
    const id = "lw-review-" + year + "-" + label.getAttribute("data-for");
    label.htmlFor = id;
    form.elements[label.getAttribute("data-for")].id = id;
  });
  const message = form.querySelector(".lw-review-message");
  message.id = "lw-review-" + year + "-message";
  onSubmit(form, message.id, function (body) {
    return postJSON(api("/assessments/" + year + "/review"), body).then(function (res) {
      res.ok = loadAssessments;
      return res;
    });
  });
  return form;
}

function loadOfficer() {
  return getJSON(api()).then(drawOfficer);
}

function loadTrainings() {
  return getJSON(api("/trainings")).then(drawTrainings);
}

function loadAssessments() {
  return getJSON(api("/assessments")).then(drawAssessments);
}

function adminForms() {
  onSubmit(document.getElementById("lw-edit-form"), "lw-edit-message", function (body) {
    const changes = {version: officer.version};
    ["certificate_no", "certificate_issued_on", "certificate_expires_on",
     "certificate_reviewed_on"].forEach(function (name) {
      const value = body[name] === undefined ? null : body[name];
      if (value !== (officer[name] || null)) changes[name] = value;
    });
    return send("PATCH", api(), changes).then(function (res) {
      res.ok = loadOfficer;
      return res;
    });
  });
  onSubmit(document.getElementById("lw-deactivate-form"), "lw-deactivate-message",
           function (body) {
             return postJSON(api("/deactivate"), body).then(function (res) {
               res.ok = loadOfficer;
               return res;
             });
           });
  onSubmit(document.getElementById("lw-recusal-form"), "lw-recusal-message", function (body) {
    const id = Number(body.employer_id);
    return postJSON(api("/recusals"), {employer_id: Number.isInteger(id) ? id : body.employer_id,
                                       reason: body.reason}).then(function (res) {
      res.ok = loadOfficer;
      return res;
    });
  });
  onSubmit(document.getElementById("lw-training-form"), "lw-training-message", function (body) {
    if (body.hours !== undefined) body.hours = Number(body.hours);
    return postJSON(api("/trainings"), body).then(function (res) {
      res.ok = loadTrainings;
      return res;
    });
  });
  onSubmit(document.getElementById("lw-assessment-form"), "lw-assessment-message",
           function (body) {
             return postJSON(api("/assessments"), {year: Number(body.year)}).then(function (res) {
               res.ok = loadAssessments;
               return res;
             });
           });
}

export function start(cfg) {
  config = cfg;
  useStrings(config.strings);
  const root = document.getElementById("lw-officer");
  adminForms();
  Promise.all([loadOfficer(), loadTrainings(), loadAssessments()]).then(function () {
    root.setAttribute("data-ready", "1");
  }).catch(function (err) {
    document.getElementById("lw-headline").textContent = err.message;
    root.setAttribute("data-ready", "error");
  });
}
