/* One complaint in a dialog (GET /api/v1/complaints/<id>): its facts, its decisions with
 * their notices, its timeline. The complainant is shown only on request (the reading is
 * audited) and only to those who decide. */
import {el, table} from "../core/dom.js";
import {getJSON} from "../core/http.js";
import {formatDateTime, t} from "../core/i18n.js";
import {proposalText} from "./list.js";

function violation(c) {
  if (c.continuing) return t("complaints.detail.continuing");
  return c.violation_ended_on ? t("complaints.detail.ended_on", {date: c.violation_ended_on}) : null;
}

function facts(c) {
  const d = "complaints.detail.";
  return table([
    [t(d + "category"), c.category_text],
    [t(d + "employer"), c.employer_name || t("complaints.unknown_employer")],
    [t(d + "credit_code"), c.credit_code],
    [t(d + "county"), c.county_name],
    [t(d + "workers"), c.workers_affected + (c.mass_incident ? " · " + t("complaints.mass_incident") : "")],
    [t(d + "priority"), c.priority_text],
    [t(d + "occurred_on"), c.occurred_on],
    [t(d + "violation"), violation(c)],
    [t(d + "received_at"), c.received_at ? formatDateTime(c.received_at) : null],
    [t(d + "acceptance_due"), c.acceptance_due],
    [t(d + "response_due"), c.response_due_at ? formatDateTime(c.response_due_at) : null],
    [t(d + "proposal"), c.proposal ? proposalText(c.proposal) : null],
    [t(d + "inspection"), c.inspection_id ? t(d + "number", {id: c.inspection_id}) : null],
    [t(d + "case"), c.case_id ? t(d + "number", {id: c.case_id}) : null],
    [t(d + "description"), c.description]
  ], "table table-sm lw-c-facts mb-2");
}

function decisionItem(dec) {
  const d = "complaints.detail.";
  const li = el("li", null, "list-group-item lw-c-decision");
  li.appendChild(el("div", dec.decision_text, "fw-semibold"));
  if (dec.reason) li.appendChild(el("div", dec.reason));
  if (dec.redirect_to) li.appendChild(el("div", t(d + "redirect_to", {to: dec.redirect_to})));
  li.appendChild(el("div", t(d + "decided_by", {by: dec.decided_by || "",
                                                  at: formatDateTime(dec.decided_at)}), "text-muted"));
  if (dec.notice_no) li.appendChild(el("div", t(d + "notice_no", {no: dec.notice_no}), "text-muted"));
  if (dec.notice_url) {
    const a = el("a", t("complaints.notice"), "lw-c-notice");
    a.href = dec.notice_url;
    a.setAttribute("download", "");
    li.appendChild(a);
  }
  return li;
}

export function detailDialog(config) {
  const dialog = document.getElementById("lw-c-detail");
  const body = document.getElementById("lw-c-detail-body");
  const title = document.getElementById("lw-c-detail-title");
  let opener = null;

  document.getElementById("lw-c-detail-close").addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("close", function () {
    if (opener && document.body.contains(opener)) opener.focus();
  });

  function complainant(c) {
    const d = "complaints.detail.";
    const box = el("div", null, "mb-2 lw-c-complainant");
    box.appendChild(el("span", t(d + "complainant_label"), "text-muted me-1"));
    if (!c.complainant_known) {
      box.appendChild(el("span", t(d + "anonymous")));
      return box;
    }
    const show = el("button", t(d + "show_complainant"), "btn btn-sm btn-outline-primary");
    show.type = "button";
    show.addEventListener("click", function () {
      getJSON("/api/v1/complaints/" + c.id + "/complainant").then(function (who) {
        box.replaceChild(el("span", t(d + "complainant_value",
                                      {name: who.name || "", phone: who.phone || ""})), show);
      }).catch(function (err) { show.replaceWith(el("span", err.message, "text-danger")); });
    });
    box.appendChild(show);
    return box;
  }

  function render(c) {
    const d = "complaints.detail.";
    title.textContent = t("complaints.detail_title", {id: c.id, status: c.status_text});
    body.textContent = "";
    body.appendChild(facts(c));
    if (config.canDecide) body.appendChild(complainant(c));
    body.appendChild(el("h3", t(d + "decisions"), "h6 mt-2"));
    const decisions = el("ul", null, "list-group list-group-flush mb-2");
    (c.decisions || []).forEach(function (dec) { decisions.appendChild(decisionItem(dec)); });
    if (!(c.decisions || []).length) {
      decisions.appendChild(el("li", t(d + "no_decisions"), "list-group-item text-muted"));
    }
    body.appendChild(decisions);
    body.appendChild(el("h3", t(d + "timeline"), "h6 mt-2"));
    const timeline = el("ol", null, "lw-c-timeline");
    (c.timeline || []).forEach(function (e) {
      const li = el("li");
      li.appendChild(el("span", formatDateTime(e.at), "text-muted me-2"));
      li.appendChild(el("span", e.text));
      if (e.actor) li.appendChild(el("span", " · " + e.actor, "text-muted"));
      timeline.appendChild(li);
    });
    if (!(c.timeline || []).length) timeline.appendChild(el("li", t(d + "no_timeline"), "text-muted"));
    body.appendChild(timeline);
  }

  function open(id) {
    opener = document.activeElement;
    title.textContent = t("complaints.detail.number", {id: id});
    body.textContent = t("complaints.loading");
    if (!dialog.open) dialog.showModal();
    return getJSON("/api/v1/complaints/" + id).then(render).catch(function (err) {
      body.textContent = "";
      body.appendChild(el("div", err.message, "alert alert-danger small"));
    });
  }

  return {open: open};
}
