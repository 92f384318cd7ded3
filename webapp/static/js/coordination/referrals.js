/* Referrals (/referrals): the territory's referrals from GET /api/v1/referrals with the page's
 * filters, overdue first, each with the actions its state allows (签收, 催办, 反馈, 办结);
 * the counts of GET /api/v1/referrals/counts; the form registering a matter referred in
 * (POST /api/v1/referrals/incoming), which becomes a complaint. */
import {attachmentBox} from "../core/attachments.js";
import {el, link, message} from "../core/dom.js";
import {getJSON, postJSON} from "../core/http.js";
import {listQuery} from "../core/lists.js";
import {label, t, useStrings} from "../core/i18n.js";
import {act, drawTable, formBody, note} from "../grading/common.js";

const SOURCE_PAGES = {project: "/projects/", case: "/cases/", complaint: "/complaints/"};

function sourceCell(r) {
  const text = t("referrals_ui.source_no", {kind: label("referral.source.", r.source.kind),
                                            id: r.source.id});
  const page = SOURCE_PAGES[r.source.kind];
  const box = el("span");
  box.appendChild(page ? link(text, page + r.source.id) : el("span", text));
  box.appendChild(el("span", label("referral.direction.", r.direction), "lw-sub"));
  return box;
}

function departmentCell(r, config) {
  const box = el("span", label("referral.department.", r.department));
  if (r.target_area) {
    box.appendChild(el("span", t("referrals_ui.to_area",
                                 {area: config.areas[r.target_area] || r.target_area}), "lw-sub"));
  }
  return box;
}

function statusCell(r) {
  const box = el("span", label("referral.status.", r.status));
  if (r.overdue) {
    box.appendChild(el("span", t("referrals_ui.overdue." + r.overdue_kind),
                       "badge text-bg-danger ms-1 lw-overdue"));
  }
  if (r.reminders) box.appendChild(el("span", t("referrals_ui.reminded", {count: r.reminders}), "lw-sub"));
  return box;
}

function contentCell(r, config) {
  const box = el("div", r.content);
  if (r.feedback) box.appendChild(el("span", r.feedback, "lw-sub"));
  box.appendChild(attachmentBox("referral", r.id, config.can.write && r.status !== "closed"));
  return box;
}

function button(text, cls) {
  const b = el("button", text, "btn btn-sm " + cls + " me-1 mb-1");
  b.type = "button";
  return b;
}

function actions(r, reload) {
  const box = el("div", null, "lw-actions");
  const say = el("span", null, "small d-block");
  say.setAttribute("role", "status");
  const post = function (b, path, body) {
    act(b, say, function () { return postJSON("/api/v1/referrals/" + r.id + path, body || {}); },
        reload);
  };
  const open = r.status === "sent" || r.status === "received";
  if (r.status === "sent" && r.direction === "outgoing") {
    const b = button(t("referrals_ui.act.receive"), "btn-outline-primary lw-receive");
    b.addEventListener("click", function () { post(b, "/receive"); });
    box.appendChild(b);
  }
  if (open && r.direction === "outgoing") {
    const b = button(t("referrals_ui.act.remind"), "btn-outline-secondary lw-remind");
    b.addEventListener("click", function () { post(b, "/remind"); });
    box.appendChild(b);
  }
  if (open) {
    const form = el("form", null, "d-flex flex-wrap gap-1 lw-feedback-form");
    const input = el("input", null, "form-control form-control-sm");
    input.name = "feedback";
    input.maxLength = 4000;
    input.placeholder = t("referrals_ui.act.feedback_label");
    input.setAttribute("aria-label", t("referrals_ui.act.feedback_label"));
    const b = el("button", t("referrals_ui.act.feedback"), "btn btn-sm btn-outline-primary");
    b.type = "submit";
    form.append(input, b);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(b, "/feedback", {feedback: input.value.trim()});
    });
    box.appendChild(form);
  }
  if (r.status === "feedback" || (r.direction === "incoming" && r.status === "received")) {
    const b = button(t("referrals_ui.act.close"), "btn-outline-success lw-close");
    b.addEventListener("click", function () { post(b, "/close"); });
    box.appendChild(b);
  }
  box.appendChild(say);
  return box;
}

function incomingForm(reload) {
  const form = document.getElementById("lw-incoming-form");
  if (!form) return;
  const box = document.getElementById("lw-incoming-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const raw = formBody(form);
    const body = {department: raw.department, category: raw.category, content: raw.content,
                  workers_affected: raw.workers_affected ? Number(raw.workers_affected) : 1};
    if (raw.credit_code) body.employer = {credit_code: raw.credit_code};
    act(form.querySelector("button[type=submit]"), box, function () {
      return postJSON("/api/v1/referrals/incoming", body);
    }, function (res) {
      note(box, t("referrals_ui.incoming.done", {id: res.body.complaint.id}), true);
      form.reset();
      reload();
    });
  });
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-referrals");
  const query = listQuery(config.filters, 1).replace(/(^|&)page=1/, "");

  function reload() {
    getJSON("/api/v1/referrals/counts" + (config.filters.area ? "?area=" + config.filters.area : ""))
      .then(function (c) {
        document.getElementById("lw-counts").textContent = t("referrals_ui.counts", c);
      }).catch(function () { /* the list below says what went wrong */ });
    return getJSON("/api/v1/referrals?" + query).then(function (body) {
      document.getElementById("lw-total").textContent =
        t("referrals_ui.total", {total: body.items.length});
      drawTable(document.getElementById("lw-referral-rows"),
                document.querySelectorAll("#lw-referral-table thead th"), body.items,
                function (r) {
                  return [el("span", t("referrals_ui.no", {id: r.id})), sourceCell(r),
                          departmentCell(r, config), el("span", r.sent_on || ""),
                          el("span", r.receipt_due_on || ""), el("span", r.feedback_due_on),
                          statusCell(r), contentCell(r, config),
                          config.can.write ? actions(r, reload) : el("span", "")];
                }, function (r) { return "lw-referral-row" + (r.overdue ? " table-danger" : ""); },
                t("referrals_ui.empty"));
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      document.getElementById("lw-total").textContent = "";
      message(err.message, "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
  }
  incomingForm(reload);
  reload();
}
