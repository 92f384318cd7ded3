/* One disclosure list (/disclosures/<id>) from GET /api/v1/disclosure-lists/<id>: its entries
 * with exactly the rule's fields (Art. 6); while a draft, 指挥中心 and the administrator add a
 * decided case or take an entry off, and someone other than the drafter approves it; an
 * approved list is published; a published entry is withdrawn with a reason. The server's
 * message is shown whenever it refuses. A published list links to its public page. */
import {el, link, message} from "../core/dom.js";
import {getJSON, postJSON, send} from "../core/http.js";
import {formatNumber, t, useStrings} from "../core/i18n.js";
import {instant} from "../cases/format.js";
import {act, badge, cloneForm, drawTable, facts, onSubmit} from "./common.js";

const STATUS_KIND = {draft: "secondary", approved: "primary", published: "success"};
let config = null;
let list = null;

function api(path) {
  return "/api/v1/disclosure-lists/" + config.listId + (path || "");
}

function who(name, when) {
  if (!name) return null;
  return when ? name + " · " + instant(when) : name;
}

function drawHead(l) {
  const title = t("disclosure_ui.list.title", {area: l.area_name || l.area,
                                               period: l.period_text});
  document.getElementById("lw-list-title").textContent = title;
  document.title = title + " · " + document.title.split(" · ").slice(-1)[0];
  const status = document.getElementById("lw-list-status");
  status.textContent = "";
  status.appendChild(badge(l.status_text, STATUS_KIND[l.status] || "secondary"));
  facts(document.getElementById("lw-list-facts"), [
    [t("disclosure_ui.fact.area"), l.area_name || l.area],
    [t("disclosure_ui.fact.period"), t("disclosure_ui.period_range", {
      period: l.period_text, from: l.starts_on, to: l.ends_on})],
    [t("disclosure_ui.fact.status"), l.status_text],
    [t("disclosure_ui.fact.drafted_by"), who(l.drafted_by)],
    [t("disclosure_ui.fact.approved_by"), who(l.approved_by)],
    [t("disclosure_ui.fact.published_by"), who(l.published_by, l.published_at)]]);
  const pub = document.getElementById("lw-public");
  pub.textContent = "";
  pub.hidden = l.status !== "published";
  if (l.status === "published") {
    const a = link(t("disclosure_ui.public_link"), "/public/disclosures/" + l.id);
    a.id = "lw-public-link";
    a.className = "btn btn-sm btn-outline-success";
    pub.appendChild(a);
  }
  const draft = l.status === "draft";
  const approve = document.getElementById("lw-approve");
  if (approve) {
    approve.hidden = !draft;
    const own = !!l.drafted_by && l.drafted_by === config.user;
    document.getElementById("lw-approve-button").hidden = own;
    document.getElementById("lw-approve-own").hidden = !own;
  }
  const publish = document.getElementById("lw-publish");
  if (publish) publish.hidden = l.status !== "approved";
  const add = document.getElementById("lw-add");
  if (add) add.hidden = !draft;
}

// A cell's text, its <td> given the class `cls` (widths of the desktop table).
function sized(text, cls, inner) {
  const span = el("span", text || "", inner);
  span.dataset.cell = cls;
  return span;
}

// The employer's full name and, under it, its unified social credit code.
function employerCell(e) {
  const box = sized("", "lw-w-name");
  box.appendChild(el("span", e.employer_name, "lw-name d-block"));
  if (e.credit_code) {
    box.appendChild(el("span", t("disclosure_ui.credit_code", {code: e.credit_code}),
                       "lw-sub lw-code"));
  }
  return box;
}

function stateCell(e) {
  const box = el("span");
  if (e.withdrawn) {
    box.appendChild(el("span", t("disclosure_ui.state.withdrawn"), "badge text-bg-secondary"));
    if (e.withdrawal_reason) box.appendChild(el("span", e.withdrawal_reason, "lw-sub"));
    if (e.withdrawn_by) box.appendChild(el("span", t("disclosure_ui.withdrawn_by",
                                                     {name: e.withdrawn_by}), "lw-sub"));
  } else {
    box.appendChild(el("span", t(list.status === "published" ? "disclosure_ui.state.public"
      : "disclosure_ui.state.pending")));
  }
  return box;
}

function actionCell(e) {
  if (!config.can.edit) return el("span", "");
  if (list.status === "draft") {
    const b = el("button", t("disclosure_ui.remove"), "btn btn-sm btn-outline-secondary text-nowrap");
    b.type = "button";
    b.setAttribute("aria-label", t("disclosure_ui.remove_named", {name: e.employer_name}));
    const box = el("span", "", "small d-block");
    b.addEventListener("click", function () {
      act(b, box, function () { return send("DELETE", api("/entries/" + e.id)); }, function () {
        return load().then(function () {
          message(t("disclosure_ui.removed", {name: e.employer_name}), "success", "mb-2");
        });
      });
    });
    const wrap = el("span");
    wrap.appendChild(b);
    wrap.appendChild(box);
    return wrap;
  }
  if (list.status === "published" && !e.withdrawn) {
    const form = cloneForm("lw-withdraw-template", e.id);
    if (!form) return el("span", "");
    form.setAttribute("data-entry", e.id);
    onSubmit(form, form.querySelector(".lw-withdraw-message"), function (body) {
      return postJSON(api("/entries/" + e.id + "/withdraw"), {reason: body.reason || ""});
    }, function () {
      return load().then(function () {
        message(t("disclosure_ui.withdrawn_done", {name: e.employer_name}), "success", "mb-2");
      });
    });
    return form;
  }
  return el("span", "");
}

function drawEntries(l) {
  const live = l.entries.filter(function (e) { return !e.withdrawn; }).length;
  document.getElementById("lw-total").textContent = t(l.status === "published"
    ? "disclosure_ui.entries_total" : "disclosure_ui.entries_count", {
    total: formatNumber(l.entries.length), live: formatNumber(live)});
  drawTable(document.getElementById("lw-entry-rows"),
            document.querySelectorAll("#lw-entry-table thead th"), l.entries, function (e, i) {
              const caseLink = link(t("disclosure_ui.case_no", {id: e.case_id}),
                                    "/cases/" + encodeURIComponent(e.case_id));
              caseLink.dataset.cell = "lw-nowrap";
              const state = stateCell(e);
              state.dataset.cell = "lw-w-state";
              return [el("span", formatNumber(i + 1)), employerCell(e),
                      el("span", e.legal_representative || ""),
                      sized(e.address, "lw-w-addr"), sized(e.category_text, "lw-w-cat"),
                      sized(e.facts, "lw-long"), sized(e.handling, "lw-long"), caseLink, state,
                      actionCell(e)];
            }, function (e) { return e.withdrawn ? "lw-withdrawn" : ""; },
            t("disclosure_ui.entries_empty"));
}

function draw(l) {
  list = l;
  drawHead(l);
  drawEntries(l);
}

function load() {
  return getJSON(api()).then(draw);
}

function buttons() {
  const approve = document.getElementById("lw-approve-button");
  if (approve) {
    approve.addEventListener("click", function () {
      act(approve, document.getElementById("lw-approve-message"), function () {
        return postJSON(api("/approve"), {});
      }, function () {
        return load().then(function () { message(t("disclosure_ui.approve.done"), "success", "mb-2"); });
      });
    });
  }
  const publish = document.getElementById("lw-publish-button");
  if (publish) {
    publish.addEventListener("click", function () {
      act(publish, document.getElementById("lw-publish-message"), function () {
        return postJSON(api("/publish"), {});
      }, function () {
        return load().then(function () { message(t("disclosure_ui.publish.done"), "success", "mb-2"); });
      });
    });
  }
  const form = document.getElementById("lw-add-form");
  onSubmit(form, document.getElementById("lw-add-message"), function (body) {
    const id = Number(body.case_id);
    return postJSON(api("/entries"), {case_id: Number.isInteger(id) ? id : body.case_id,
                                      category: body.category});
  }, function (res) {
    form.elements.case_id.value = "";
    return load().then(function () {
      message(t("disclosure_ui.added", {name: res.body.employer_name}), "success", "mb-2");
    });
  });
}

export function start(cfg) {
  config = cfg;
  useStrings(config.strings);
  const root = document.getElementById("lw-list");
  buttons();
  load().then(function () {
    root.setAttribute("data-ready", "1");
  }).catch(function (err) {
    document.getElementById("lw-total").textContent = "";
    message(err.message, "danger", "mb-2");
    root.setAttribute("data-ready", "error");
  });
}
