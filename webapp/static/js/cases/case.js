/* One case (/cases/<id>): read from GET /api/v1/cases/<id>, its actions posted to the API.
 * The server renders only the forms the reader's role may use; this module shows those the
 * case's state allows, sends them, and shows the server's message when it refuses; below, the
 * case's wrong-case reviews (错案追究) with the forms opening and concluding one. */
import {el, link, message} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {t, useStrings} from "../core/i18n.js";
import {deadlineCell, instant, money} from "./format.js";

// Action -> the API route under /api/v1/cases/<id>.
const ROUTES = {close: "/close", handlers: "/handlers", suspend: "/suspend", resume: "/resume",
                extend: "/extend", supervise: "/supervision", report: "/supervision/reports",
                lift: "/supervision/lift"};

// Which actions the case's state allows (the role's forms are on the page or not at all).
function allowed(c) {
  const closed = !!c.closed_on, active = !!c.supervision;
  return {close: !closed && !c.suspended, handlers: !closed, suspend: !closed && !c.suspended,
          resume: !closed && !!c.suspended, extend: !closed && !c.extended,
          supervise: !closed && !active, report: active, lift: active};
}

function facts(list, rows) {
  list.textContent = "";
  rows.forEach(function (r) {
    if (r[1] === undefined || r[1] === null || r[1] === "") return;
    list.appendChild(el("dt", r[0]));
    const dd = el("dd");
    if (r[1] instanceof Node) dd.appendChild(r[1]);
    else dd.textContent = String(r[1]);
    list.appendChild(dd);
  });
}

function badge(text, kind) {
  return el("span", text, "badge text-bg-" + kind + " me-1");
}

function drawHead(c) {
  document.getElementById("lw-case-employer").textContent = c.employer_name || "";
  const badges = document.getElementById("lw-case-badges");
  badges.textContent = "";
  badges.appendChild(badge(c.status_text, c.closed_on ? "success" : c.suspended ? "secondary"
    : c.overdue ? "danger" : "primary"));
  if (c.supervised && c.supervision) {
    badges.appendChild(badge(t("cases.sup.title", {level: c.supervision.level_text}), "warning"));
  }
}

function sourceNode(c, complaintUrl) {
  if (c.complaint_id) {
    const text = t("cases.source_complaint", {id: c.complaint_id});
    return complaintUrl ? link(text, complaintUrl.replace("{}", c.complaint_id))
      : el("span", text);
  }
  return c.inspection_id ? el("span", t("cases.source_inspection", {id: c.inspection_id})) : null;
}

function drawFacts(c, config) {
  facts(document.getElementById("lw-case-facts"), [
    [t("cases.county"), c.county_name],
    [t("cases.status"), c.status_text], [t("cases.opened_on"), c.opened_on],
    [t("cases.due_on"), deadlineCell(c)], [t("cases.source"), sourceNode(c, config.complaintUrl)],
    [t("cases.summary"), c.summary]]);
  const box = document.getElementById("lw-handlers");
  box.textContent = (c.handlers || []).length ? c.handlers.map(function (h) { return h.name; })
    .join("、") : t("cases.no_handlers");
}

function drawOutcome(c) {
  const list = document.getElementById("lw-outcome");
  if (!c.closed_on) {
    list.textContent = "";
    list.appendChild(el("dd", t("cases.not_closed"), "text-muted"));
    return;
  }
  const transfer = [c.transfer_kind_text, c.transfer_target].filter(Boolean).join(" · ");
  facts(list, [
    [t("cases.outcome"), c.outcome_text], [t("cases.closed_on"), c.closed_on],
    [t("cases.fine_amount"), money(c.fine_amount)],
    [t("cases.decision_number"), c.decision_number],
    [t("cases.decision_date"), c.decision_date],
    [t("cases.correction_deadline"), c.correction_deadline],
    [t("cases.follow_up"), c.follow_up_inspection_id ?
      t("cases.follow_up_text", {id: c.follow_up_inspection_id}) : null],
    [t("cases.wages_recovered"), money(c.wages_recovered)],
    [t("cases.workers_paid"), c.workers_paid ? t("cases.workers_n", {n: c.workers_paid}) : null],
    [t("cases.transfer"), transfer]]);
}

function drawSupervisions(c) {
  const box = document.getElementById("lw-supervisions");
  box.textContent = "";
  const all = c.supervisions || [];
  if (!all.length) box.appendChild(el("p", t("cases.no_supervision"), "text-muted mb-0"));
  all.forEach(function (s) {
    const card = el("div", null, "border rounded p-2 mb-2 lw-supervision");
    const head = el("div", null, "d-flex flex-wrap gap-2 align-items-center mb-1");
    head.appendChild(el("strong", t("cases.sup.title", {level: s.level_text})));
    const overdue = !s.lifted_at && c.supervision && c.supervision.overdue;
    head.appendChild(badge(s.lifted_at ? t("cases.sup.lifted") : t("cases.sup.active"),
                           s.lifted_at ? "success" : "warning"));
    if (overdue) head.appendChild(badge(t("cases.sup.overdue"), "danger"));
    card.appendChild(head);
    const list = el("dl", null, "lw-facts small");
    facts(list, [[t("cases.sup.supervisor"), s.supervisor], [t("cases.sup.deadline"), s.deadline],
                 [t("cases.sup.note"), s.note],
                 [t("cases.sup.opened_at"), s.opened_at && instant(s.opened_at)],
                 [t("cases.sup.lifted_at"), s.lifted_at && instant(s.lifted_at)],
                 [t("cases.sup.conclusion"), s.conclusion]]);
    card.appendChild(list);
    card.appendChild(el("div", t("cases.sup.reports"), "small fw-semibold mt-1"));
    const reports = el("ul", null, "lw-reports small");
    (s.reports || []).forEach(function (r) {
      const li = el("li");
      li.appendChild(el("span", instant(r.at) + (r.actor ? " · " + r.actor : ""),
                        "lw-sub"));
      li.appendChild(el("span", r.text));
      reports.appendChild(li);
    });
    if (!(s.reports || []).length) reports.appendChild(el("li", t("cases.sup.no_reports"),
                                                          "text-muted"));
    card.appendChild(reports);
    box.appendChild(card);
  });
}

function drawTimeline(c) {
  const list = document.getElementById("lw-timeline");
  list.textContent = "";
  const events = (c.timeline || []).slice().sort(function (a, b) {
    return String(a.at).localeCompare(String(b.at));
  });
  events.forEach(function (e) {
    const li = el("li", null, "lw-event");
    li.setAttribute("data-kind", e.kind || "");
    const meta = [instant(e.at), e.kind_text, e.actor].filter(Boolean).join(" · ");
    li.appendChild(el("div", meta, "lw-when"));
    li.appendChild(el("div", e.text));
    list.appendChild(li);
  });
  if (!events.length) list.appendChild(el("li", t("cases.no_timeline"), "text-muted"));
}

function drawDocuments(c) {
  const list = document.getElementById("lw-documents");
  list.textContent = "";
  (c.documents || []).forEach(function (d) {
    const li = el("li");
    // Only the app's own downloads are links.
    li.appendChild(/^\/(?!\/)/.test(d.url || "") ? link(d.title, d.url) : el("span", d.title));
    list.appendChild(li);
  });
  list.classList.toggle("list-unstyled", !(c.documents || []).length);
  list.classList.toggle("ps-0", !(c.documents || []).length);
  if (!(c.documents || []).length) list.appendChild(el("li", t("cases.no_documents"),
                                                       "text-muted"));
}

function drawActions(c) {
  const can = allowed(c);
  let shown = 0;
  Object.keys(ROUTES).forEach(function (action) {
    const card = document.getElementById("lw-act-" + action);
    if (!card) return;
    card.hidden = !can[action];
    if (can[action]) shown += 1;
  });
  document.getElementById("lw-no-actions").hidden = shown > 0;
}

// The handler choices: the county's certified inspectors and whoever handles the case now.
function drawHandlerChoices(c) {
  const box = document.getElementById("lw-handler-choices");
  if (!box || c.closed_on) return;
  const current = new Set((c.handlers || []).map(function (h) { return h.id; }));
  box.removeAttribute("data-ready");
  function draw(officers) {
    box.textContent = "";
    const seen = new Set();
    officers.concat(c.handlers || []).forEach(function (o) {
      if (seen.has(o.id)) return;
      seen.add(o.id);
      const wrap = el("div", null, "form-check form-check-inline");
      const input = el("input", null, "form-check-input");
      input.type = "checkbox";
      input.name = "handler_ids";
      input.value = String(o.id);
      input.id = "lw-handler-" + o.id;
      input.checked = current.has(o.id);
      const label = el("label", o.name, "form-check-label");
      label.setAttribute("for", input.id);
      wrap.appendChild(input);
      wrap.appendChild(label);
      box.appendChild(wrap);
    });
    if (!seen.size) box.appendChild(el("span", t("cases.form.no_officers"), "text-muted"));
    box.setAttribute("data-ready", "1");
  }
  getJSON("/api/v1/officers/live?area=" + encodeURIComponent(c.county_adcode)).then(function (fc) {
    draw(fc.features.map(function (f) { return f.properties; }).filter(function (p) {
      return p.kind === "inspector" && p.certified;
    }).map(function (p) { return {id: p.id, name: p.name}; }));
  }).catch(function () { draw([]); });
}

function showOutcomeFields(form) {
  const chosen = form.elements.outcome.value;
  form.querySelectorAll("fieldset[data-outcome]").forEach(function (set) {
    const on = set.getAttribute("data-outcome") === chosen;
    set.hidden = !on;
    set.disabled = !on;
  });
}

// The form's fields as the API's JSON body: typed numbers, no empty strings, handler ids.
function body(form) {
  const out = {};
  const data = new FormData(form);
  data.forEach(function (value, name) {
    if (name === "handler_ids") {
      (out.handler_ids = out.handler_ids || []).push(Number(value));
      return;
    }
    const text = String(value).trim();
    if (text === "") return;
    const type = form.elements[name] && form.elements[name].getAttribute &&
      form.elements[name].getAttribute("data-type");
    out[name] = type === "number" ? Number(text) : type === "int" ? parseInt(text, 10) : text;
  });
  return out;
}

// Post a form's payload with its button off meanwhile; the server's message shows in the
// form (a conflict as a warning), and `ok` runs on success.
function send(form, button, target, payload, ok) {
  button.disabled = true;
  formError(form, "");
  return postJSON(target, payload).then(function (res) {
    button.disabled = false;
    if (res.status >= 200 && res.status < 300) return ok(res);
    formError(form, errorText(res), res.status === 409 ? "warning" : "danger");
    return null;
  }).catch(function (err) {
    button.disabled = false;
    formError(form, err.message);
  });
}

function formError(form, text, kind) {
  const box = form.querySelector(".lw-form-error");
  box.textContent = text || "";
  box.className = "alert small py-1 px-2 mb-2 lw-form-error " +
    (text ? "alert-" + (kind || "danger") : "d-none");
}

// --- 错案追究: the case's wrong-case reviews, the form opening one (admin, command, closed
// case) and the form concluding an open one (admin) -------------------------------------
const FINDINGS = ["no_fault", "minor_fault", "fault", "serious_fault"];

function reviewsMessage(text, kind) {
  const box = document.getElementById("lw-reviews-message");
  box.textContent = text || "";
  box.className = text ? "alert small py-1 px-2 mb-2 alert-" + (kind || "success") : "d-none";
}

function requiredMark() {
  const wrap = el("span");
  const star = el("span", " *", "text-danger");
  star.setAttribute("aria-hidden", "true");
  wrap.appendChild(star);
  wrap.appendChild(el("span", "（" + t("accountability.form.required") + "）",
                      "visually-hidden"));
  return wrap;
}

function labelled(tag, id, text, required) {
  const wrap = el("div", null, "mb-2");
  const label = el("label", text, "form-label small mb-1");
  label.htmlFor = id;
  if (required) label.appendChild(requiredMark());
  const input = el(tag, null, tag === "select" ? "form-select form-select-sm"
    : "form-control form-control-sm");
  input.id = id;
  if (required) input.required = true;
  wrap.appendChild(label);
  wrap.appendChild(input);
  return {wrap: wrap, input: input};
}

function errorBox() {
  const box = el("div", null, "alert alert-danger d-none small py-1 px-2 mb-2 lw-form-error");
  box.setAttribute("role", "alert");
  return box;
}

function concludeForm(review, reviewsUrl, reload) {
  const form = el("form", null, "lw-review-form");
  form.noValidate = true;
  form.setAttribute("data-review", String(review.id));
  const base = "lw-conclude-" + review.id;
  form.appendChild(el("h4", t("accountability.form.conclude")));
  const selects = [];
  review.officers.forEach(function (o) {
    const f = labelled("select", base + "-finding-" + o.id,
                       t("accountability.form.finding_for", {name: o.name || String(o.id)}),
                       true);
    f.input.name = "finding-" + o.id;
    f.input.setAttribute("data-officer", String(o.id));
    const none = el("option", t("accountability.form.choose"));
    none.value = "";
    f.input.appendChild(none);
    FINDINGS.forEach(function (code) {
      const option = el("option", t("reviews.finding." + code));
      option.value = code;
      f.input.appendChild(option);
    });
    selects.push(f.input);
    form.appendChild(f.wrap);
  });
  const conclusion = labelled("textarea", base + "-conclusion",
                              t("accountability.form.conclusion"), true);
  conclusion.input.name = "conclusion";
  conclusion.input.rows = 2;
  conclusion.input.maxLength = 2000;
  form.appendChild(conclusion.wrap);
  const measures = labelled("textarea", base + "-measures", t("accountability.form.measures"),
                            false);
  measures.input.name = "measures";
  measures.input.rows = 2;
  measures.input.maxLength = 2000;
  form.appendChild(measures.wrap);
  form.appendChild(errorBox());
  const button = el("button", t("accountability.form.conclude_submit"), "btn btn-sm btn-primary");
  button.type = "submit";
  form.appendChild(button);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const findings = {};
    selects.forEach(function (s) {
      if (s.value) findings[s.getAttribute("data-officer")] = s.value;
    });
    const missing = selects.filter(function (s) { return !s.value; });
    if (missing.length) {
      formError(form, t("accountability.form.pick_findings"));
      missing[0].focus();
      return;
    }
    const payload = {findings: findings, conclusion: conclusion.input.value.trim(),
                     version: review.version};
    if (measures.input.value.trim()) payload.measures = measures.input.value.trim();
    send(form, button, reviewsUrl + "/" + review.id + "/conclusion", payload, function () {
      reviewsMessage(t("accountability.done.conclude"));
      return reload();
    });
  });
  return form;
}

function drawReviews(items, config, reviewsUrl, reload) {
  const box = document.getElementById("lw-reviews");
  box.textContent = "";
  if (!items.length) {
    box.appendChild(el("p", t("accountability.case_no_reviews"), "text-muted small mb-2"));
  }
  items.forEach(function (r) {
    const card = el("div", null, "border rounded p-2 mb-2 lw-review");
    card.setAttribute("data-review", String(r.id));
    card.setAttribute("data-status", r.status);
    const head = el("div", null, "d-flex flex-wrap gap-2 align-items-center mb-1");
    head.appendChild(el("strong", t("accountability.review.title", {id: r.id})));
    head.appendChild(badge(r.status_text, r.status === "concluded" ? "success" : "warning"));
    card.appendChild(head);
    const list = el("dl", null, "lw-facts small");
    facts(list, [
      [t("accountability.review.grounds"), r.grounds],
      [t("accountability.review.opened"),
       [instant(r.opened_at), r.opened_by].filter(Boolean).join(" · ")],
      [t("accountability.review.concluded"), r.concluded_at &&
        [instant(r.concluded_at), r.concluded_by].filter(Boolean).join(" · ")],
      [t("accountability.review.conclusion"), r.conclusion],
      [t("accountability.review.measures"), r.measures]]);
    card.appendChild(list);
    card.appendChild(el("div", t("accountability.review.officers"), "small fw-semibold mt-1"));
    const officers = el("ul", null, "lw-findings small");
    r.officers.forEach(function (o) {
      const li = el("li");
      li.setAttribute("data-officer", String(o.id));
      li.appendChild(el("span", (o.name || String(o.id)) + "："));
      li.appendChild(el("span", o.finding_text || t("accountability.review.no_finding"),
                        o.finding_text ? "fw-semibold" : "text-muted"));
      officers.appendChild(li);
    });
    card.appendChild(officers);
    if (r.status === "open" && config.can.conclude) {
      card.appendChild(concludeForm(r, reviewsUrl, reload));
    }
    box.appendChild(card);
  });
  box.setAttribute("data-ready", "1");
}

// The open form: shown on a closed case; the officers default to the case's handlers.
function drawReviewOpen(c) {
  const card = document.getElementById("lw-act-review");
  if (!card) return;
  card.hidden = !c.closed_on;
  if (c.closed_on) document.getElementById("lw-no-actions").hidden = true;
  const box = document.getElementById("lw-review-officers");
  box.textContent = "";
  (c.handlers || []).forEach(function (h) {
    const wrap = el("div", null, "form-check form-check-inline");
    const input = el("input", null, "form-check-input");
    input.type = "checkbox";
    input.name = "officer_ids";
    input.value = String(h.id);
    input.id = "lw-review-officer-" + h.id;
    input.checked = true;
    const label = el("label", h.name, "form-check-label");
    label.htmlFor = input.id;
    wrap.appendChild(input);
    wrap.appendChild(label);
    box.appendChild(wrap);
  });
  if (!(c.handlers || []).length) {
    box.appendChild(el("span", t("accountability.form.officers_default"), "text-muted"));
  }
}

function reviewOpenForm(reviewsUrl, reload) {
  const form = document.getElementById("lw-review-open-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const grounds = form.elements.grounds.value.trim();
    const boxes = Array.from(form.querySelectorAll("input[name=officer_ids]"));
    const payload = {grounds: grounds};
    if (boxes.length) {
      payload.officer_ids = boxes.filter(function (b) { return b.checked; })
        .map(function (b) { return Number(b.value); });
      if (!payload.officer_ids.length) {
        formError(form, t("accountability.form.pick_one"));
        boxes[0].focus();
        return;
      }
    }
    const button = form.querySelector("button[type=submit]");
    send(form, button, reviewsUrl, payload, function () {
      form.elements.grounds.value = "";
      reviewsMessage(t("accountability.done.open"));
      return reload().then(function () {
        document.getElementById("lw-reviews-message").scrollIntoView({block: "nearest"});
      });
    });
  });
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-case");
  const url = "/api/v1/cases/" + config.caseId;
  const reviewsUrl = url + "/reviews";

  function loadReviews() {
    return getJSON(reviewsUrl).then(function (answer) {
      drawReviews(answer.items || [], config, reviewsUrl, loadReviews);
    }).catch(function (err) {
      reviewsMessage(err.message, "danger");
    });
  }

  function load() {
    return getJSON(url).then(function (c) {
      drawHead(c);
      drawFacts(c, config);
      drawOutcome(c);
      drawSupervisions(c);
      drawTimeline(c);
      drawDocuments(c);
      drawActions(c);
      drawHandlerChoices(c);
      drawReviewOpen(c);
      root.setAttribute("data-ready", "1");
      root.setAttribute("data-closed", c.closed_on ? "1" : "0");
    }).catch(function (err) {
      document.getElementById("lw-case-employer").textContent = "";
      message(err.status === 404 ? t("cases.not_found", {id: config.caseId}) : err.message,
              "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
  }

  reviewOpenForm(reviewsUrl, loadReviews);
  document.querySelectorAll("form[data-action]").forEach(function (form) {
    const action = form.getAttribute("data-action");
    if (action === "close") {
      form.elements.outcome.addEventListener("change", function () { showOutcomeFields(form); });
      showOutcomeFields(form);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const payload = body(form);
      if (action === "handlers" && !(payload.handler_ids || []).length) {
        formError(form, t("cases.form.pick_one"));
        return;
      }
      const button = form.querySelector("button[type=submit]");
      send(form, button, url + ROUTES[action], payload, function () {
        form.reset();
        if (action === "close") showOutcomeFields(form);
        message(t("cases.done." + action), "success", "mb-2");
        document.getElementById("lw-message").scrollIntoView({block: "nearest"});
        return load();
      });
    });
  });
  load();
  loadReviews();
}
