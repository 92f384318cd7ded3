/* Shared pieces of the grading and disclosure pages: notes beside a button, badges, fact
 * lists, table rows labelled for the phone layout, and forms that send their fields and show
 * the server's message. Text from the database goes in with textContent. */
import {el} from "../core/dom.js";
import {errorText} from "../core/http.js";
import {t} from "../core/i18n.js";

// A note under a form or button: green when it went through, red with the server's message.
export function note(box, text, ok) {
  if (!box) return;
  box.className = box.className.replace(/\btext-(success|danger)\b/g, "").trim() + " " +
    (ok ? "text-success" : "text-danger");
  box.textContent = text || "";
}

export function badge(text, kind) {
  return el("span", text, "badge text-bg-" + kind + " me-1");
}

// The grade as a coloured chip (A green, B amber, C red).
export function gradeChip(grade) {
  return el("span", grade, "lw-grade lw-grade-" + grade);
}

// A <dl> of [label, value] pairs; empty values are left out; a value may be a node.
export function facts(list, rows) {
  list.textContent = "";
  rows.forEach(function (r) {
    if (r[1] === undefined || r[1] === null || r[1] === "") return;
    list.appendChild(el("dt", r[0]));
    const dd = el("dd");
    if (r[1] instanceof Node) dd.appendChild(r[1]); else dd.textContent = String(r[1]);
    list.appendChild(dd);
  });
}

// A who-and-when cell: the user name, the instant under it.
export function whoWhen(who, when, format) {
  const box = el("span");
  if (who) box.appendChild(el("span", who));
  if (who && when) box.appendChild(el("span", format(when), "lw-sub"));
  return box;
}

// The form's filled fields, trimmed.
export function formBody(form) {
  const body = {};
  new FormData(form).forEach(function (value, key) {
    const v = String(value).trim();
    if (v !== "") body[key] = v;
  });
  return body;
}

// Sends what `run(body)` sends on submit; a 2xx answer calls `done(res)`, any other shows
// the server's message in `box`.
export function onSubmit(form, box, run, done) {
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    act(form.querySelector("button[type=submit]"), box, function () {
      return run(formBody(form));
    }, done);
  });
}

// Runs an action from a button: disabled while it runs, the answer in `box`.
export function act(button, box, run, done) {
  if (button) button.disabled = true;
  note(box, t("grading_ui.saving"), true);
  return run().then(function (res) {
    if (button) button.disabled = false;
    if (res.status >= 200 && res.status < 300) {
      note(box, t("grading_ui.saved"), true);
      if (done) done(res);
      return;
    }
    note(box, errorText(res), false);
  }).catch(function () {
    if (button) button.disabled = false;
    note(box, t("grading_ui.network_error"), false);
  });
}

// Rows of `items` in `tbody`, each cell labelled with its column's header (phone layout).
export function drawTable(tbody, headers, items, cells, rowClass, emptyText) {
  const labels = Array.from(headers).map(function (th) { return th.textContent; });
  tbody.textContent = "";
  items.forEach(function (item, i) {
    const tr = el("tr", null, rowClass ? rowClass(item) : null);
    cells(item, i).forEach(function (node, k) {
      const td = el("td", null, node && node.dataset && node.dataset.cell ? node.dataset.cell : null);
      td.setAttribute("data-label", labels[k]);
      if (node && node.textContent !== "") td.appendChild(node);
      tr.appendChild(td);
    });
    tr.setAttribute("data-id", item.id !== undefined ? item.id : item.employer_id);
    tbody.appendChild(tr);
  });
  if (!items.length) {
    const tr = el("tr");
    const td = el("td", emptyText, "text-muted");
    td.colSpan = labels.length;
    tr.appendChild(td);
    tbody.appendChild(tr);
  }
}

// A clone of a <template>'s form whose labels point at its fields (ids made from `key`).
export function cloneForm(templateId, key) {
  const template = document.getElementById(templateId);
  if (!template) return null;
  const form = template.content.firstElementChild.cloneNode(true);
  form.querySelectorAll("[data-for]").forEach(function (label) {
    const id = templateId + "-" + key + "-" + label.getAttribute("data-for");
    label.htmlFor = id;
    form.elements[label.getAttribute("data-for")].id = id;
  });
  return form;
}
