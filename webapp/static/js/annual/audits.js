/* Entrusted audits (/audits): the territory's audits from GET /api/v1/audits, overdue reports
 * first; the form engaging a firm (POST /api/v1/audits); for an audit under way, the report
 * (uploaded as the audit's attachment) and its finding (POST …/report), which opens a case
 * when it names a violation. */
import {el, link, message} from "../core/dom.js";
import {getJSON, postJSON} from "../core/http.js";
import {label, t, useStrings} from "../core/i18n.js";
import {act, drawTable, note} from "../grading/common.js";
import {upload} from "../core/attachments.js";
import {yuan} from "../projects/common.js";

function reportForm(a, config, reload) {
  const details = el("details", null, "lw-report");
  details.appendChild(el("summary", t("annual_ui.audits.report"), "small"));
  const form = el("form", null, "mt-1 d-flex flex-column gap-1");
  const file = el("input", null, "form-control form-control-sm");
  file.type = "file";
  file.accept = ".pdf,.docx,.xlsx";
  file.setAttribute("aria-label", t("annual_ui.audits.file"));
  const kind = el("select", null, "form-select form-select-sm");
  kind.setAttribute("aria-label", t("annual_ui.audits.finding"));
  const none = el("option", t("annual_ui.audits.none"));
  none.value = "";
  kind.appendChild(none);
  config.findings.forEach(function (f) {
    const o = el("option", label("audit.findings.", f));
    o.value = f;
    kind.appendChild(o);
  });
  const inputs = ["amount", "workers", "note"].map(function (name) {
    const i = el("input", null, "form-control form-control-sm");
    i.name = name;
    i.type = name === "note" ? "text" : "number";
    i.placeholder = t("annual_ui.audits." + name);
    i.setAttribute("aria-label", t("annual_ui.audits." + name));
    return i;
  });
  const b = el("button", t("annual_ui.audits.report"), "btn btn-sm btn-outline-primary");
  b.type = "submit";
  const say = el("span", null, "small");
  form.append(file, kind, ...inputs, b, say);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!file.files.length) { note(say, t("annual_ui.audits.file"), false); return; }
    act(b, say, function () {
      return upload("audit", a.id, file.files[0]).then(function (res) {
        if (res.status !== 201) return res;
        const findings = [];
        if (kind.value) {
          const f = {kind: kind.value};
          if (inputs[0].value) f.amount = Number(inputs[0].value);
          if (inputs[1].value) f.workers = Number(inputs[1].value);
          if (inputs[2].value.trim()) f.note = inputs[2].value.trim();
          findings.push(f);
        }
        return postJSON("/api/v1/audits/" + a.id + "/report",
                        {attachment_id: res.body.id, findings: findings});
      });
    }, reload);
  });
  details.appendChild(form);
  return details;
}

function result(a, config, reload) {
  const box = el("div");
  if (a.report) box.appendChild(link(t("annual_ui.audits.report_link"), a.report));
  if (a.case_id) {
    box.appendChild(el("span", " · "));
    box.appendChild(link(t("annual_ui.audits.case", {id: a.case_id}), "/cases/" + a.case_id));
  } else if (a.status === "reported") {
    box.appendChild(el("span", " · " + t("annual_ui.audits.clean")));
  }
  if (a.status === "commissioned" && config.can.campaign) box.appendChild(reportForm(a, config, reload));
  return box;
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-audits");

  function reload() {
    return getJSON("/api/v1/audits").then(function (body) {
      document.getElementById("lw-total").textContent =
        t("annual_ui.audits.total", {total: body.items.length});
      drawTable(document.getElementById("lw-audit-rows"),
                document.querySelectorAll("#lw-audit-table thead th"), body.items, function (a) {
                  const status = el("span", label("annual_ui.audits.status.", a.status));
                  if (a.overdue) status.appendChild(el("span", t("annual_ui.audits.overdue"), "badge text-bg-danger ms-1"));
                  const fee = el("span", a.firm);
                  fee.appendChild(el("span", yuan(a.fee), "lw-sub"));
                  return [el("span", String(a.id)), el("span", a.employer_name || String(a.employer_id)), fee,
                          el("span", a.scope.map(function (s) { return label("audit.scope.", s); }).join("、")),
                          el("span", t("annual_ui.audits.period", {from: a.period_from, to: a.period_to})),
                          el("span", a.due_on), status, result(a, config, reload)];
                }, function () { return "lw-audit-row"; }, t("annual_ui.audits.empty"));
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      message(err.message, "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
  }

  const form = document.getElementById("lw-new-form");
  if (form) {
    const box = document.getElementById("lw-new-message");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const body = {employer_id: Number(form.elements.employer_id.value),
                    firm: form.elements.firm.value.trim(),
                    scope: Array.from(form.querySelectorAll("input[name=scope]:checked"))
                      .map(function (i) { return i.value; }),
                    period_from: form.elements.period_from.value,
                    period_to: form.elements.period_to.value,
                    fee: Number(form.elements.fee.value), due_on: form.elements.due_on.value};
      act(form.querySelector("button[type=submit]"), box, function () {
        return postJSON("/api/v1/audits", body);
      }, function () { form.reset(); reload(); });
    });
  }
  reload();
}
