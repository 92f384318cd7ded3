/* One construction project (/projects/<id>) from GET /api/v1/projects/<id>: the facts, the
 * site on a map with the county's grids, the warning and its reasons (referral to the
 * competent department, the dispatcher's acknowledgement of a red one), the ten site
 * systems (and the check form), the deposit ledger, labour-cost payments, complaints and
 * referrals, each with the form of the user's role. After a write the page reloads the
 * project, so what is shown is what the server holds. */
import {el, link, message} from "../core/dom.js";
import {getJSON, postJSON, send} from "../core/http.js";
import {formatDateTime, formatNumber, label, t, useStrings} from "../core/i18n.js";
import {act, drawTable, facts, formBody, note} from "../grading/common.js";
import {checkForm, finding} from "./checklist.js";
import {uploadId} from "../core/attachments.js";
import {levelChip, yuan, yuanText} from "./common.js";

const REFER_TO = {housing: "housing", transport: "transport", water: "water", other: "other"};

function node(text, cls) { return el("span", text === null || text === undefined ? "" : text, cls); }

function drawFacts(p) {
  document.getElementById("lw-name").textContent = p.name;
  document.title = p.name + " · " + document.title.split(" · ").pop();
  document.getElementById("lw-status-badge").textContent = label("project.status.", p.status);
  const chip = document.getElementById("lw-level-chip");
  chip.textContent = "";
  chip.appendChild(levelChip(p.warning && p.warning.level));
  const contractor = el("span", p.general_contractor.name);
  contractor.appendChild(el("span", p.general_contractor.credit_code, "lw-sub"));
  facts(document.getElementById("lw-facts"), [
    [t("projects_ui.detail.place"), p.county_name],
    [t("projects_ui.detail.grid"), p.grid_code ? p.grid_code + " " + (p.grid_name || "") : null],
    [t("projects_ui.detail.department"), label("project.department.", p.department)],
    [t("projects_ui.detail.owner"), p.owner.name],
    [t("projects_ui.detail.contractor"), contractor],
    [t("projects_ui.detail.subs"), (p.subcontractors || []).map(function (s) {
      return s.name || s.credit_code;
    }).join("、")],
    [t("projects_ui.detail.value"), yuanText(p.contract_value)],
    [t("projects_ui.detail.period"), t("projects_ui.detail.period_value",
                                       {start: p.start_on, end: p.planned_end_on})],
    [t("projects_ui.detail.completed"), p.completed_on],
    [t("projects_ui.detail.workers"), formatNumber(p.workers)],
    [t("projects_ui.detail.created"), t("projects_ui.detail.created_value",
                                        {who: p.created_by || "", when: formatDateTime(p.created_at)})]
  ]);
}

let siteMap = null;
function drawMap(p) {
  const box = document.getElementById("lw-site-map");
  if (typeof L === "undefined" || !box) return;
  if (siteMap) siteMap.remove();
  siteMap = L.map(box, {zoomControl: true});
  const site = L.geoJSON(p.site, {
    style: {color: "#c0392b", weight: 2, fillOpacity: 0.25},
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 8, color: "#c0392b", weight: 2, fillOpacity: 0.6});
    }
  }).addTo(siteMap);
  site.bindTooltip(p.name);
  siteMap.setView([p.location.lat, p.location.lon], 14);
  getJSON("/api/v1/grids?county=" + encodeURIComponent(p.county_adcode) + "&simplify=5")
    .then(function (fc) {
      L.geoJSON(fc, {interactive: false, style: function (f) {
        const own = f.properties.id === p.grid_id;
        return {color: own ? "#1f3a5f" : "#8899aa", weight: own ? 2 : 1,
                fillOpacity: own ? 0.08 : 0};
      }}).addTo(siteMap);
      site.bringToFront();
    }).catch(function () { /* the grids are context; the site is drawn without them */ });
}

function drawWarning(p, config, reload) {
  const w = p.warning;
  const since = document.getElementById("lw-warning-since");
  const list = document.getElementById("lw-warning-reasons");
  list.textContent = "";
  since.textContent = "";
  since.appendChild(levelChip(w && w.level));
  if (!w || !w.level) {
    since.appendChild(document.createTextNode(" " + t("projects_ui.warning.none")));
  } else {
    since.appendChild(document.createTextNode(" " + t("projects_ui.warning.since",
                                                       {since: formatDateTime(w.since)})));
    if (w.acknowledged_by) {
      since.appendChild(document.createTextNode(" · " + t("projects_ui.warning.acknowledged",
                                                           {who: w.acknowledged_by})));
    }
    w.reasons.forEach(function (r) {
      const li = el("li", null, "lw-reason");
      li.appendChild(levelChip(r.level));
      li.appendChild(document.createTextNode(" " + r.text));
      list.appendChild(li);
    });
  }
  const ack = document.getElementById("lw-acknowledge");
  if (ack) {
    ack.classList.toggle("d-none", !(w && w.level === "red" && !w.acknowledged_by));
    ack.onclick = function () {
      act(ack, document.getElementById("lw-acknowledge-message"), function () {
        return postJSON("/api/v1/projects/" + p.id + "/alert/acknowledge", {});
      }, reload);
    };
  }
  const form = document.getElementById("lw-refer-form");
  if (form && !form.dataset.filled) {
    form.dataset.filled = "1";
    form.elements.department.value = REFER_TO[p.department] || "other";
    const reasons = w && w.reasons.length ? w.reasons.map(function (r) { return r.text; })
      .join("；") : t("projects_ui.warning.none");
    form.elements.content.value = t("projects_ui.refer.default_content",
                                    {name: p.name, reasons: reasons});
  }
}

function referForm(config, reload) {
  const form = document.getElementById("lw-refer-form");
  if (!form) return;
  const box = document.getElementById("lw-refer-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const body = formBody(form);
    body.source = {kind: "project", id: config.projectId};
    act(form.querySelector("button[type=submit]"), box, function () {
      return postJSON("/api/v1/referrals", body);
    }, function (res) {
      note(box, t("projects_ui.refer.done", {id: res.body.id}), true);
      reload();
    });
  });
}

function drawChecks(p) {
  drawTable(document.getElementById("lw-check-rows"),
            document.querySelectorAll("#lw-check-table thead th"), p.checklist,
            function (c) {
              const when = node(c.checked_on);
              if (c.gps) when.appendChild(el("span", t("projects_ui.checks.gps"), "lw-sub"));
              if (c.photo) {
                const a = link(t("projects_ui.checks.photo_link"), c.photo);
                a.className = "lw-sub lw-photo-link";
                when.appendChild(a);
              }
              return [node(label("project.item.", c.item)), finding(c), when,
                      node(c.checked_by), node(c.note)];
            }, function (c) { return "lw-check-row lw-check-" + c.item; }, "");
  document.querySelectorAll("#lw-check-rows tr").forEach(function (tr, i) {
    tr.setAttribute("data-item", p.checklist[i].item);
  });
}

function drawDeposit(p) {
  const d = p.deposit;
  const summary = document.getElementById("lw-deposit-summary");
  summary.textContent = "";
  [["required", yuan(d.required) + " (" + (d.rate * 100).toFixed(1).replace(/\.0$/, "") + "%)"],
   ["rule", label("project.deposit_rule.", d.rule)], ["paid", yuan(d.paid)],
   ["drawn", yuan(d.drawn)], ["returned", yuan(d.returned)], ["held", yuan(d.held)],
   ["outstanding", yuan(d.outstanding)], ["status", label("project.deposit_status.", d.status)],
   ["top_up_due", d.top_up_due_on]].forEach(function (pair) {
    if (pair[1] === null || pair[1] === undefined) return;
    const box = el("div", null, "lw-deposit-" + pair[0]);
    box.appendChild(el("span", t("projects_ui.deposit." + pair[0]), "small text-muted"));
    box.appendChild(el("b", pair[1]));
    summary.appendChild(box);
  });
  drawTable(document.getElementById("lw-deposit-rows"),
            document.querySelectorAll("#lw-deposit-table thead th"), d.entries, function (e) {
              return [node(e.on_date), node(label("project.deposit.", e.kind)),
                      node(yuan(e.amount), "lw-num"),
                      node(e.form ? label("project.deposit_form.", e.form) : ""),
                      node(e.workers_paid ? formatNumber(e.workers_paid) : ""), node(e.note),
                      node(e.recorded_by)];
            }, function (e) { return "lw-deposit-row lw-deposit-" + e.kind; },
            t("projects_ui.deposit.empty"));
}

function drawPayments(p) {
  drawTable(document.getElementById("lw-payment-rows"),
            document.querySelectorAll("#lw-payment-table thead th"), p.payments, function (r) {
              return [node(r.month), node(yuan(r.amount), "lw-num"), node(r.paid_on),
                      node(r.reference), node(label("projects_ui.payments.source.", r.source)),
                      node(r.recorded_by)];
            }, function () { return "lw-payment-row"; }, t("projects_ui.payments.empty"));
}

function drawComplaints(p, config) {
  drawTable(document.getElementById("lw-complaint-rows"),
            document.querySelectorAll("#lw-complaint-table thead th"), p.complaints,
            function (c) {
              const no = config.can.refer ? link(t("projects_ui.complaints.no", {id: c.id}),
                                                 "/complaints/" + c.id)
                : node(t("projects_ui.complaints.no", {id: c.id}));
              const who = node(c.employer);
              if (c.about_project) who.appendChild(el("span", t("projects_ui.complaints.about_project"), "lw-sub"));
              const workers = node(formatNumber(c.workers_affected));
              if (c.mass_incident) workers.appendChild(el("span", t("projects_ui.complaints.mass"), "badge text-bg-danger ms-1"));
              return [no, node(formatDateTime(c.received_at)),
                      node(label("casework.category.", c.category)),
                      node(label("casework.complaint_status.", c.status)), who, workers];
            }, function () { return "lw-complaint-row"; }, t("projects_ui.complaints.empty"));
}

function drawReferrals(p, config, reload) {
  drawTable(document.getElementById("lw-referral-rows"),
            document.querySelectorAll("#lw-referral-table thead th"), p.referrals, function (r) {
              const status = node(label("referral.status.", r.status));
              if (r.overdue) status.appendChild(el("span", t("projects_ui.referrals.overdue"), "badge text-bg-danger ms-1"));
              const fb = node(r.feedback);
              if (!r.feedback && config.can.refer) fb.appendChild(feedbackForm(r, reload));
              return [node(label("referral.department.", r.department)), node(r.feedback_due_on),
                      status, node(r.content), fb];
            }, function (r) { return "lw-referral-row" + (r.overdue ? " table-danger" : ""); },
            t("projects_ui.referrals.empty"));
}

function feedbackForm(r, reload) {
  const form = el("form", null, "d-flex flex-wrap gap-1 lw-feedback-form");
  const input = el("input", null, "form-control form-control-sm");
  input.name = "feedback";
  input.maxLength = 2000;
  input.required = true;
  input.setAttribute("aria-label", t("projects_ui.referrals.feedback_label"));
  input.placeholder = t("projects_ui.referrals.feedback_label");
  const button = el("button", t("projects_ui.referrals.feedback_submit"), "btn btn-sm btn-outline-primary");
  button.type = "submit";
  const box = el("span", null, "small w-100");
  form.append(input, button, box);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    act(button, box, function () {
      return postJSON("/api/v1/referrals/" + r.id + "/feedback", {feedback: input.value.trim()});
    }, reload);
  });
  return form;
}

function writeForm(id, url, shape, reload) {
  const form = document.getElementById(id);
  if (!form) return;
  const box = form.querySelector("[role=status]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    act(form.querySelector("button[type=submit]"), box, function () {
      const shaped = shape(formBody(form));
      return typeof shaped.then === "function" ? shaped : postJSON(url(), shaped);
    }, function () { reload(); });
  });
}

function numbers(body, names) {
  names.forEach(function (n) {
    if (body[n] !== undefined && body[n] !== "" && isFinite(Number(body[n]))) body[n] = Number(body[n]);
  });
  return body;
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-project");
  const base = "/api/v1/projects/" + config.projectId;
  let current = null;

  function reload() {
    return getJSON(base).then(function (p) {
      current = p;
      drawFacts(p);
      drawWarning(p, config, reload);
      drawChecks(p);
      drawDeposit(p);
      drawPayments(p);
      drawComplaints(p, config);
      drawReferrals(p, config, reload);
      const status = document.getElementById("lw-status-form");
      if (status) {
        status.elements.status.value = p.status;
        status.elements.completed_on.value = p.completed_on || "";
      }
      root.setAttribute("data-ready", "1");
      root.setAttribute("data-version", String(p.version));
      return p;
    });
  }

  referForm(config, reload);
  const kind = document.getElementById("lw-deposit-kind");
  if (kind) {
    kind.addEventListener("change", function () {
      document.querySelectorAll("#lw-deposit-form [data-kind]").forEach(function (f) {
        f.classList.toggle("d-none", f.getAttribute("data-kind") !== kind.value);
      });
    });
  }
  writeForm("lw-deposit-form", function () { return base + "/deposit"; }, function (b) {
    if (b.kind !== "paid") delete b.form;
    if (b.kind !== "drawn") delete b.workers_paid;
    return numbers(b, ["amount", "workers_paid"]);
  }, reload);
  writeForm("lw-payment-form", function () { return base + "/payments"; }, function (b) {
    return numbers(b, ["amount"]);
  }, reload);
  writeForm("lw-status-form", null, function (b) {
    const body = {version: current.version, status: b.status};
    if (b.completed_on) body.completed_on = b.completed_on;
    return send("PATCH", base, body);
  }, reload);
  const checks = document.getElementById("lw-check-form");
  if (checks) {
    checkForm(checks, config.items, "detail", function (items, button, box, photo) {
      act(button, box, function () {
        return (photo ? uploadId("project", config.projectId, photo) : Promise.resolve(null))
          .then(function (id) {
            return postJSON(base + "/checks", id ? {items: items, photo_id: id} : {items: items});
          });
      }, function () { reload(); checks.reset(); });
    });
  }
  reload().then(drawMap).catch(function (err) {
    message(err.message, "danger", "mb-2");
    root.setAttribute("data-ready", "error");
  });
}
