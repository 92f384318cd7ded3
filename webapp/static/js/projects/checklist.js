/* The ten site systems (十项制度) as a form: for each item 符合 / 不符合 / 本次不查 and a note;
 * an optional photo of the site; `send(items, button, box, photo)` posts the findings given
 * (POST /api/v1/projects/<id>/checks, the photo first as an attachment). Used on the
 * project page and on the grid worker's phone (/field). */
import {el} from "../core/dom.js";
import {label, t} from "../core/i18n.js";

const CHOICES = [["ok", "projects_ui.checks.ok"], ["failed", "projects_ui.checks.failed"],
                 ["skip", "projects_ui.checks.skip"]];

// The last finding of an item as text with its class (符合 green, 不符合 red, 未检查 grey).
export function finding(entry) {
  if (!entry || entry.ok === null || entry.ok === undefined) {
    return el("span", t("projects_ui.checks.unchecked"), "lw-unchecked");
  }
  return entry.ok ? el("span", t("projects_ui.checks.ok"), "lw-ok")
    : el("span", t("projects_ui.checks.failed"), "lw-failed");
}

// Fills `form` with one row per item; `key` keeps ids unique when several forms share a page.
export function checkForm(form, items, key, send) {
  form.textContent = "";
  items.forEach(function (item) {
    const row = el("fieldset", null, "lw-check-item");
    row.setAttribute("data-item", item);
    const legend = el("legend", label("project.item.", item), "small mb-0 float-none w-auto");
    row.appendChild(legend);
    const group = el("div", null, "btn-group btn-group-sm");
    group.setAttribute("role", "group");
    CHOICES.forEach(function (choice) {
      const id = "lw-c-" + key + "-" + item + "-" + choice[0];
      const input = el("input", null, "btn-check");
      input.type = "radio";
      input.name = item;
      input.value = choice[0];
      input.id = id;
      if (choice[0] === "skip") input.checked = true;
      const lab = el("label", t(choice[1]), "btn " + (choice[0] === "ok" ? "btn-outline-success"
        : choice[0] === "failed" ? "btn-outline-danger" : "btn-outline-secondary"));
      lab.htmlFor = id;
      group.appendChild(input);
      group.appendChild(lab);
    });
    row.appendChild(group);
    const note = el("input", null, "form-control form-control-sm");
    note.type = "text";
    note.name = item + "__note";
    note.maxLength = 500;
    note.placeholder = t("projects_ui.checks.note_placeholder");
    note.setAttribute("aria-label", label("project.item.", item) + " " +
                      t("projects_ui.checks.note_placeholder"));
    row.appendChild(note);
    form.appendChild(row);
  });
  const photoLabel = el("label", t("projects_ui.checks.photo"), "form-label small mt-2 mb-0 d-block");
  const photo = el("input", null, "form-control form-control-sm lw-photo");
  photo.type = "file";
  photo.name = "photo";
  photo.accept = "image/jpeg,image/png";
  photo.setAttribute("capture", "environment");
  photo.id = "lw-c-" + key + "-photo";
  photoLabel.htmlFor = photo.id;
  form.appendChild(photoLabel);
  form.appendChild(photo);
  const submit = el("button", t("projects_ui.checks.submit"), "btn btn-sm btn-primary mt-2");
  submit.type = "submit";
  form.appendChild(submit);
  const box = el("div", null, "small mt-1 lw-check-message");
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  form.appendChild(box);
  form.addEventListener("change", function () { box.textContent = ""; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const findings = [];
    items.forEach(function (item) {
      const chosen = form.elements[item].value;
      if (chosen === "skip") return;
      const entry = {item: item, ok: chosen === "ok"};
      const text = form.elements[item + "__note"].value.trim();
      if (text) entry.note = text;
      findings.push(entry);
    });
    if (!findings.length) {
      box.className = "small mt-1 lw-check-message text-danger";
      box.textContent = t("projects_ui.checks.none_chosen");
      return;
    }
    send(findings, submit, box, photo.files && photo.files[0] ? photo.files[0] : null);
  });
  return form;
}
