/* Red project warnings on the dispatcher's page: the alerts of the area shown (GET
 * /api/v1/projects/alerts?area=, polled with ETags) above the queue, each opening its project;
 * a dispatcher marks one seen (POST /api/v1/projects/<id>/alert/acknowledge) and it leaves the
 * list for everyone. A new red warning is back here on the next poll. */
import {el, link} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {formatDateTime, t} from "../core/i18n.js";

const SHOWN = 5;

export function startAlerts(config, area) {
  const box = document.getElementById("lw-project-alerts");
  const list = document.getElementById("lw-project-alert-list");
  if (!box || !list) return {refresh: function () {}};
  let last = null;

  function item(a) {
    const li = el("li", null, "lw-project-alert border-start border-3 border-danger ps-2 mb-1");
    li.setAttribute("data-id", a.project_id);
    li.appendChild(link(a.name, "/projects/" + a.project_id));
    li.appendChild(el("span", formatDateTime(a.red_since), "d-block text-muted"));
    if (a.reasons.length) li.appendChild(el("span", a.reasons[0].text, "d-block text-muted"));
    if (config.canAssign) {
      const seen = el("button", t("projects_ui.alerts.ack"), "btn btn-link btn-sm p-0 lw-ack");
      seen.type = "button";
      seen.addEventListener("click", function () {
        seen.disabled = true;
        postJSON("/api/v1/projects/" + a.project_id + "/alert/acknowledge", {}).then(function (res) {
          if (res.status === 200) { li.remove(); refresh(); return; }
          seen.disabled = false;
          li.appendChild(el("span", errorText(res), "d-block text-danger"));
        });
      });
      li.appendChild(seen);
    }
    return li;
  }

  function draw(body) {
    list.textContent = "";
    body.items.slice(0, SHOWN).forEach(function (a) { list.appendChild(item(a)); });
    if (body.items.length > SHOWN) {
      list.appendChild(el("li", t("projects_ui.alerts.more", {count: body.items.length - SHOWN}),
                          "text-muted"));
    }
    box.classList.toggle("d-none", !body.items.length);
    const before = Number(box.getAttribute("data-count") || 0);
    if (body.items.length > before) box.open = true;  // a new red warning opens the list
    box.setAttribute("data-count", String(body.items.length));
    const count = document.getElementById("lw-project-alert-count");
    if (count) count.textContent = t("projects_ui.alerts.count", {count: body.items.length});
  }

  function refresh() {
    return getJSON("/api/v1/projects/alerts?area=" + encodeURIComponent(area()), {etag: true})
      .then(function (body) {
        if (body !== last) { last = body; draw(body); }
      }).catch(function () { box.classList.add("d-none"); });
  }
  refresh();
  return {refresh: refresh};
}
