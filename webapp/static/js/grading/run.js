/* One grading run (/grading/<id>): the run and its counts from GET /api/v1/grading/runs/<id>,
 * its proposals (C first) with their evidence from …/proposals, filtered by grade and by
 * whether a reviewer changed them; while the run is proposed, 指挥中心 and the administrator
 * change a proposal with a reason and approve the run (not whoever started it: the button is
 * hidden for them, and the server's refusal is shown whenever it comes). */
import {el, link, message} from "../core/dom.js";
import {listPager, listQuery} from "../core/lists.js";
import {getJSON, postJSON} from "../core/http.js";
import {formatNumber, t, useStrings} from "../core/i18n.js";
import {instant} from "../cases/format.js";
import {act, badge, cloneForm, drawTable, facts, gradeChip, onSubmit} from "./common.js";

let config = null;
let run = null;

function api(path) {
  return "/api/v1/grading/runs/" + config.runId + (path || "");
}

function drawRun(r) {
  run = r;
  const status = document.getElementById("lw-run-status");
  status.textContent = "";
  status.appendChild(badge(r.status_text, r.status === "approved" ? "success" : "warning"));
  const counts = document.getElementById("lw-counts");
  counts.textContent = "";
  ["A", "B", "C"].forEach(function (g) {
    const li = el("li", null, "lw-count-" + g);
    li.setAttribute("data-grade", g);
    li.appendChild(el("span", formatNumber((r.counts || {})[g] || 0), "lw-n"));
    li.appendChild(el("span", t("grading_ui.grade_label." + g), "small"));
    counts.appendChild(li);
  });
  const total = el("li", null, "lw-count-total");
  total.appendChild(el("span", formatNumber(r.total), "lw-n"));
  total.appendChild(el("span", t("grading_ui.total_label"), "small"));
  counts.appendChild(total);
  facts(document.getElementById("lw-run-facts"), [
    [t("grading_ui.fact.year"), t("grading_ui.year_n", {year: r.year})],
    [t("grading_ui.fact.area"), config.areaName],
    [t("grading_ui.fact.started"), r.started_by ? r.started_by + " · " + instant(r.started_at)
      : instant(r.started_at)],
    [t("grading_ui.fact.approved"), r.approved_by ? r.approved_by + " · " + instant(r.approved_at)
      : (r.status === "approved" ? instant(r.approved_at) : t("grading_ui.not_approved"))]]);
  const approve = document.getElementById("lw-approve");
  if (approve) {
    approve.hidden = r.status !== "proposed";
    const own = !!r.started_by && r.started_by === config.user;
    document.getElementById("lw-approve-button").hidden = own;
    document.getElementById("lw-approve-own").hidden = !own;
  }
}

function caseLinks(ids) {
  const box = el("span");
  (ids || []).forEach(function (id) {
    box.appendChild(link(t("grading_ui.case_no", {id: id}), "/cases/" + encodeURIComponent(id)));
  });
  return box;
}

// The evidence: the C triggers in words, the penalties with their cases, the cases behind the
// triggers and the incidents; "no record" for an A.
function evidenceCell(p) {
  const e = p.evidence || {};
  const list = el("ul", null, "lw-evidence");
  (p.triggers_text || []).forEach(function (text) {
    list.appendChild(el("li", text, "fw-semibold"));
  });
  if (e.penalties) {
    const li = el("li", t("grading_ui.evidence.penalties", {n: e.penalties}) + " ");
    li.appendChild(caseLinks(e.penalty_cases));
    list.appendChild(li);
  }
  if ((e.trigger_cases || []).length) {
    const li = el("li", t("grading_ui.evidence.trigger_cases") + " ");
    li.appendChild(caseLinks(e.trigger_cases));
    list.appendChild(li);
  }
  if ((e.incidents || []).length) {
    list.appendChild(el("li", t("grading_ui.evidence.incidents", {
      ids: e.incidents.map(function (id) { return t("grading_ui.incident_no", {id: id}); })
        .join("、")})));
  }
  if (!list.childNodes.length) return el("span", t("grading_ui.evidence.none"), "text-muted small");
  return list;
}

function gradeCell(p) {
  const box = el("span");
  box.appendChild(gradeChip(p.grade));
  if (p.status === "changed") box.appendChild(el("span", t("grading_ui.changed"),
                                                 "badge text-bg-info ms-1"));
  return box;
}

function reasonCell(p) {
  const box = el("span");
  if (p.reason) box.appendChild(el("span", p.reason));
  if (p.reviewed_by) box.appendChild(el("span", t("grading_ui.reviewed_by", {name: p.reviewed_by}),
                                        "lw-sub"));
  return box;
}

function employerCell(p) {
  const box = el("span");
  box.appendChild(el("strong", p.name));
  if (p.credit_code) box.appendChild(el("span", p.credit_code, "lw-sub"));
  return box;
}

function changeCell(p) {
  if (!config.can.edit || !run || run.status !== "proposed") return el("span", "");
  const form = cloneForm("lw-change-template", p.employer_id);
  if (!form) return el("span", "");
  form.setAttribute("data-employer", p.employer_id);
  form.elements.grade.value = p.grade;
  const box = form.querySelector(".lw-change-message");
  onSubmit(form, box, function (body) {
    return postJSON(api("/proposals/" + p.employer_id), {grade: body.grade, reason: body.reason || ""});
  }, function () {
    return loadRun().then(loadProposals).then(function () {
      message(t("grading_ui.change.done", {name: p.name, grade: form.elements.grade.value}),
              "success", "mb-2");
    });
  });
  return form;
}

function drawProposals(body) {
  document.getElementById("lw-total").textContent =
    t("grading_ui.proposals_total", {total: formatNumber(body.total)});
  document.getElementById("lw-proposal-table").classList.toggle(
    "lw-no-change", !config.can.edit || !run || run.status !== "proposed");
  drawTable(document.getElementById("lw-proposal-rows"),
            document.querySelectorAll("#lw-proposal-table thead th"), body.items, function (p) {
              return [employerCell(p), el("span", p.current_text || ""), gradeChip(p.proposed),
                      gradeCell(p), evidenceCell(p), reasonCell(p), changeCell(p)];
            }, function (p) { return "lw-proposal lw-proposal-" + p.status; },
            t("grading_ui.proposals_empty"));
  listPager(document.getElementById("lw-pager"), "/grading/" + config.runId, body,
            config.filters, "grading_ui");
}

function loadRun() {
  return getJSON(api()).then(drawRun);
}

function loadProposals() {
  return getJSON(api("/proposals?" + listQuery(config.filters, config.filters.page)))
    .then(drawProposals);
}

function approveButton() {
  const button = document.getElementById("lw-approve-button");
  if (!button) return;
  const box = document.getElementById("lw-approve-message");
  button.addEventListener("click", function () {
    act(button, box, function () { return postJSON(api("/approve"), {}); }, function (res) {
      return loadRun().then(loadProposals).then(function () {
        message(t("grading_ui.approve.done", {changed: formatNumber(res.body.grades_changed || 0)}),
                "success", "mb-2");
      });
    });
  });
}

export function start(cfg) {
  config = cfg;
  useStrings(config.strings);
  const root = document.getElementById("lw-run");
  approveButton();
  loadRun().then(loadProposals).then(function () {
    root.setAttribute("data-ready", "1");
  }).catch(function (err) {
    document.getElementById("lw-total").textContent = "";
    message(err.message, "danger", "mb-2");
    root.setAttribute("data-ready", "error");
  });
}
