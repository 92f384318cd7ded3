/* Mass incidents (/incidents): the server renders the list and only the actions the reader's
 * role may take; this module opens the inline forms, posts "报告领导" (escalate, with the
 * leader's name and title) and "处置完毕" (close) to /api/v1/incidents/<id>/…, then redraws
 * the row from the server's answer, or shows the server's message when it refuses. */
import {el, message} from "../core/dom.js";
import {errorText, postJSON} from "../core/http.js";
import {t, useStrings} from "../core/i18n.js";
import {instant} from "../cases/format.js";

function formError(form, text, kind) {
  const box = form.querySelector(".lw-form-error");
  box.textContent = text || "";
  box.className = "alert small py-1 px-2 mb-1 lw-form-error " +
    (text ? "alert-" + (kind || "danger") : "d-none");
}

function opener(form) {
  return form.closest(".lw-actions").querySelector('[aria-controls="' + form.id + '"]');
}

function hide(form) {
  form.hidden = true;
  formError(form, "");
  const button = opener(form);
  if (button) button.setAttribute("aria-expanded", "false");
}

function show(form) {
  form.closest(".lw-actions").querySelectorAll("form.lw-i-form").forEach(function (other) {
    if (other !== form) hide(other);
  });
  form.hidden = false;
  opener(form).setAttribute("aria-expanded", "true");
  const first = form.querySelector("input") || form.querySelector("button[type=submit]");
  first.focus();
}

// The leader as the record keeps them: "张伟（副局长）"; null (and the fields marked) when
// the name or the title is missing.
function leader(form) {
  let missing = null;
  ["name", "title"].forEach(function (name) {
    const input = form.elements[name];
    const empty = !input.value.trim();
    input.classList.toggle("is-invalid", empty);
    input.setAttribute("aria-invalid", empty ? "true" : "false");
    if (empty && !missing) missing = input;
  });
  if (missing) {
    missing.focus();
    return null;
  }
  return t("incidents.leader_value", {name: form.elements.name.value.trim(),
                                      title: form.elements.title.value.trim()});
}

// The row after an action: its state, status and leader from the server's view.
function redraw(row, n) {
  const state = n.closed_at ? "closed" : n.escalated_at ? "escalated" : "pending";
  row.setAttribute("data-state", state);
  row.classList.toggle("lw-pending", state === "pending");
  row.classList.toggle("table-danger", state === "pending");
  // One box per cell: on a phone the cell is a grid of its label and this box.
  const status = el("div");
  status.appendChild(el("span", n.status_text, state === "pending" ? "lw-wait" : null));
  if (n.closed_at) {
    status.appendChild(el("span", t("incidents.closed_at", {at: instant(n.closed_at)}),
                          "lw-sub"));
  }
  row.querySelector(".lw-status").replaceChildren(status);
  const escalated = el("div");
  row.querySelector(".lw-escalated").replaceChildren(escalated);
  if (n.leader) {
    escalated.appendChild(el("span", n.leader, "lw-leader"));
    escalated.appendChild(el("span", t("incidents.escalated_at", {at: instant(n.escalated_at)}),
                             "lw-sub lw-escalated-at"));
  } else {
    escalated.appendChild(el("span", t("incidents.not_escalated"),
                             n.closed_at ? "text-muted" : "lw-wait"));
  }
  const actions = row.querySelector(".lw-actions");
  if (actions && n.closed_at) actions.remove();
  else if (actions && n.leader) {
    actions.querySelectorAll('[data-open="escalate"], form[data-action="escalate"]')
      .forEach(function (node) { node.remove(); });
  }
}

function countPending() {
  const box = document.getElementById("lw-pending-count");
  if (!box) return;
  const n = document.querySelectorAll("tr.lw-incident.lw-pending").length;
  box.textContent = n ? t("incidents.total_pending", {n: n}) : "";
}

function done(action, n) {
  if (action === "escalate") {
    return t("incidents.done.escalate", {id: n.id, leader: n.leader,
                                         at: instant(n.escalated_at)});
  }
  return t("incidents.done.close", {id: n.id, at: instant(n.closed_at)});
}

function submit(form) {
  const action = form.getAttribute("data-action");
  const id = form.getAttribute("data-id");
  formError(form, "");
  let body = {};
  if (action === "escalate") {
    const who = leader(form);
    if (!who) {
      formError(form, t("incidents.leader_required"));
      return;
    }
    body = {leader: who};
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  postJSON("/api/v1/incidents/" + encodeURIComponent(id) + "/" + action, body).then(function (res) {
    button.disabled = false;
    if (res.status >= 200 && res.status < 300) {
      const row = form.closest("tr");
      redraw(row, res.body);
      countPending();
      message(done(action, res.body), "success", "mb-2");
      const box = document.getElementById("lw-message");
      box.focus();
      return;
    }
    formError(form, errorText(res), res.status === 409 ? "warning" : "danger");
  }).catch(function (err) {
    button.disabled = false;
    formError(form, err.message);
  });
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-incidents");
  const box = document.getElementById("lw-message");
  if (box) box.tabIndex = -1;
  root.addEventListener("click", function (event) {
    const open = event.target.closest("[data-open]");
    if (open) {
      const form = document.getElementById(open.getAttribute("aria-controls"));
      if (form.hidden) show(form);
      else hide(form);
      return;
    }
    const cancel = event.target.closest("[data-cancel]");
    if (cancel) {
      const form = cancel.closest("form");
      hide(form);
      const button = opener(form);
      if (button) button.focus();
    }
  });
  root.querySelectorAll("form.lw-i-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit(form);
    });
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      hide(form);
      const button = opener(form);
      if (button) button.focus();
    });
  });
  root.setAttribute("data-ready", "1");
}
