/* The construction projects of the grid worker's grid on the phone (/field): each with its
 * warning and the last check, and the ten-system checklist sent with the phone's position
 * (GET /api/v1/field/projects, POST /api/v1/projects/<id>/checks). Without a fix the
 * findings still go, without a position, and the worker is told so. */
import {el, link} from "../core/dom.js";
import {getJSON, postJSON} from "../core/http.js";
import {t} from "../core/i18n.js";
import {act, note} from "../grading/common.js";
import {checkForm} from "../projects/checklist.js";
import {uploadId} from "../core/attachments.js";
import {levelChip} from "../projects/common.js";

function position() {
  return new Promise(function (resolve) {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      resolve({lon: pos.coords.longitude, lat: pos.coords.latitude,
               accuracy_m: pos.coords.accuracy});
    }, function () { resolve(null); }, {enableHighAccuracy: true, timeout: 15000,
                                        maximumAge: 60000});
  });
}

function lastCheck(item) {
  const dates = item.checklist.map(function (c) { return c.checked_on; }).filter(Boolean).sort();
  const failed = item.checklist.filter(function (c) { return c.ok === false; }).length;
  const parts = [dates.length ? t("projects_ui.field.last", {date: dates[dates.length - 1]})
    : t("projects_ui.field.never")];
  if (failed) parts.push(t("projects_ui.field.failed_items", {count: failed}));
  return parts.join(" · ");
}

function card(item, config, reload) {
  const c = el("div", null, "card card-body p-2 lw-field-project");
  c.setAttribute("data-id", item.id);
  c.setAttribute("data-level", item.level || "none");
  const head = el("div", null, "d-flex justify-content-between gap-2 align-items-start");
  head.appendChild(el("strong", item.name));
  head.appendChild(levelChip(item.level));
  c.appendChild(head);
  c.appendChild(el("div", item.contractor + " · " + t("projects_ui.field.workers",
                                                     {count: item.workers}), "small text-muted"));
  if (item.reasons.length) {
    const list = el("ul", null, "lw-reasons");
    item.reasons.slice(0, 4).forEach(function (r) { list.appendChild(el("li", r.text)); });
    c.appendChild(list);
  }
  c.appendChild(el("div", lastCheck(item), "small lw-last-check"));
  const bar = el("div", null, "d-flex gap-2 mt-1 align-items-center");
  const open = el("button", t("projects_ui.field.check"), "btn btn-sm btn-primary lw-open-check");
  open.type = "button";
  open.setAttribute("aria-expanded", "false");
  bar.appendChild(open);
  bar.appendChild(link(t("projects_ui.field.open"), "/projects/" + item.id));
  c.appendChild(bar);
  const form = el("form", null, "mt-2 d-none lw-check-form");
  form.noValidate = true;
  c.appendChild(form);
  const box = el("div", null, "small mt-1 lw-project-message");
  box.setAttribute("role", "status");
  c.appendChild(box);
  open.addEventListener("click", function () {
    const shown = form.classList.toggle("d-none") === false;
    open.setAttribute("aria-expanded", String(shown));
    open.textContent = t(shown ? "projects_ui.field.cancel" : "projects_ui.field.check");
    if (shown && !form.firstChild) {
      checkForm(form, config.items, String(item.id), function (items, button, status, photo) {
        button.disabled = true;
        note(status, t("projects_ui.saving"), true);
        Promise.all([position(), photo ? uploadId("project", item.id, photo) : null]).then(function (got) {
          const where = got[0];
          const body = {items: items};
          if (where) body.location = where;
          if (got[1]) body.photo_id = got[1];
          act(button, status, function () {
            return postJSON("/api/v1/projects/" + item.id + "/checks", body);
          }, function () {
            note(box, t("projects_ui.field.sent") +
                 (where ? "" : "；" + t("projects_ui.field.no_gps")), true);
            reload();
          });
        }).catch(function (err) {
          button.disabled = false;
          note(status, err.message, false);
        });
      });
    }
  });
  return c;
}

export function startProjects(config) {
  const list = document.getElementById("lw-field-projects");
  if (!list) return Promise.resolve();
  function reload() {
    return getJSON("/api/v1/field/projects").then(function (body) {
      list.textContent = "";
      if (!body.items.length) list.appendChild(el("p", t("projects_ui.field.empty"), "small text-muted"));
      body.items.forEach(function (item) { list.appendChild(card(item, config, reload)); });
      list.setAttribute("data-ready", "1");
    }).catch(function (err) {
      list.textContent = "";
      list.appendChild(el("p", err.message, "small text-danger"));
      list.setAttribute("data-ready", "error");
    });
  }
  return reload();
}
