/* The console's right column: the chosen inspection, its ranked teams (one line each on why
 * the team ranks there, each member's facts folded away), assign and cancel; the team drawn on
 * the map from each member to the site. After an assignment the panel says who went and when
 * they should be there, and moves on to the next waiting inspection. */
import {el, message} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {formatTime, label, t} from "../core/i18n.js";
import {timeLeft, what} from "./queue.js";

// options: map, config, loans, officer(id) -> live feature properties with lon/lat or null,
// officerName(id), nameOfficers(rec) -> promise of rec, next(id) -> next waiting item,
// choose(item) -> select it in the queue and here, changed() -> refresh the queue.
export function startPanel(options) {
  const map = options.map;
  const siteLayer = L.layerGroup().addTo(map);
  const teamLayer = L.layerGroup().addTo(map);
  const state = {selected: null};
  const box = document.getElementById("lw-selected");
  const rec = document.getElementById("lw-rec");
  const teams = document.getElementById("lw-teams");
  const excluded = document.getElementById("lw-excluded");
  const last = document.getElementById("lw-last");

  // Lines from each member's last position to the site; the members ringed.
  function drawTeam(item, ids) {
    teamLayer.clearLayers();
    ids.forEach(function (id) {
      const o = options.officer(id);
      if (!o) return;
      L.polyline([[o.lat, o.lon], [item.lat, item.lon]],
                  {className: "lw-team-line", color: "#0b5394", weight: 3, dashArray: "6 5",
                   interactive: false}).addTo(teamLayer);
      L.circleMarker([o.lat, o.lon], {radius: 10, weight: 3, color: "#0b5394", fill: false,
                                      className: "lw-team-member", interactive: false})
        .addTo(teamLayer);
    });
  }

  function clear(text) {
    state.selected = null;
    box.textContent = text || t("pick_inspection");
    teams.textContent = "";
    excluded.textContent = "";
    rec.classList.add("d-none");
    siteLayer.clearLayers();
    teamLayer.clearLayers();
    options.loans.offer(null);
  }

  // `reason`: the reassignment's reason input (a team replaces the one on the job), else null.
  function teamItem(item, team, rank, reason) {
    const li = el("li", null, "list-group-item lw-team");
    li.setAttribute("data-rank", String(rank));
    const head = el("div", null, "d-flex justify-content-between align-items-center gap-2");
    head.appendChild(el("strong", team.officer_ids.map(options.officerName).join("、")));
    const button = el("button", reason ? t("console.reassign_to") : t("assign"),
                      "btn btn-sm btn-primary " + (reason ? "lw-reassign-to" : "lw-assign"));
    button.type = "button";
    button.disabled = !options.config.canAssign;
    button.addEventListener("click", function () {
      if (reason) reassign(item, team, button, reason); else assign(item, team, button);
    });
    head.appendChild(button);
    li.appendChild(head);
    li.appendChild(el("div", team.why, "lw-why"));
    li.appendChild(el("div", t("team_distance", {km: (team.distance_m / 1000).toFixed(1),
                                                 minutes: Math.max(1, Math.ceil(team.eta_min))}), "lw-muted"));
    const more = el("details", null, "lw-reasons");
    more.appendChild(el("summary", t("console.officer_reasons")));
    const reasons = el("ul", null, "mb-0 ps-3");
    team.reasons.forEach(function (r) { reasons.appendChild(el("li", r)); });
    more.appendChild(reasons);
    li.appendChild(more);
    const show = function () { drawTeam(item, team.officer_ids); };
    li.addEventListener("mouseenter", show);
    li.addEventListener("focusin", show);
    return li;
  }

  function recommend(item, reason) {
    teams.textContent = t("loading");
    excluded.textContent = "";
    options.loans.offer(null);
    getJSON("/api/v1/inspections/" + item.id + "/recommendations").then(options.nameOfficers)
      .then(function (found) {
        if (state.selected !== item) return;  // another inspection was picked meanwhile
        teams.textContent = "";
        options.loans.offer(item, found);
        found.teams.forEach(function (team, i) {
          teams.appendChild(teamItem(item, team, i + 1, reason || null));
        });
        if (found.teams.length) drawTeam(item, found.teams[0].officer_ids);
        else teams.appendChild(el("li", t("no_team"), "list-group-item"));
        found.excluded.forEach(function (e) {
          excluded.appendChild(el("li", t("excluded_reason", {name: options.officerName(e.officer_id),
                                                               reason: e.reason})));
        });
      }).catch(function (err) { message(err.message, "danger"); });
  }

  function header(item) {
    box.textContent = "";
    const title = el("div", null, "fw-bold");
    title.appendChild(el("span", label("priority_", item.priority),
                         "lw-prio-badge lw-prio-badge-" + item.priority));
    const named = item.employer || item.description;
    title.appendChild(document.createTextNode(" #" + item.id + (named ? " · " + named : "")));
    box.appendChild(title);
    const facts = [label("kind_", item.kind), item.county].filter(Boolean);
    box.appendChild(el("div", facts.join(" · "), "lw-muted"));
    if (item.description && item.description !== what(item)) box.appendChild(el("div", item.description));
    if (item.due_at) {
      const due = el("div", t("console.due", {time: formatTime(item.due_at)}) + " · ");
      due.appendChild(timeLeft(item.due_at));
      box.appendChild(due);
    }
  }

  // A sent, on-site or done inspection: who is on it and where they are.
  function teamFacts(item) {
    const members = item.team.map(function (m) {
      return t("console.member", {name: m.name, status: label("status_", m.status)});
    });
    if (members.length) box.appendChild(el("div", t("console.team", {names: members.join("、")}), "lw-team-now"));
    if (item.assigned_at) box.appendChild(el("div", t("console.assigned_at", {time: formatTime(item.assigned_at)}), "lw-muted"));
    if (item.tab === "assigned" && item.eta_min !== null) box.appendChild(el("div", t("console.eta", {minutes: item.eta_min})));
    if (item.closed_at) box.appendChild(el("div", t("console.closed_at", {time: formatTime(item.closed_at)}), "lw-muted"));
    if (item.closed_reason) box.appendChild(el("div", item.closed_reason));
  }

  function cancelButton(item) {
    const cancel = el("button", t("cancel"), "btn btn-sm btn-outline-danger mt-2 lw-cancel");
    cancel.type = "button";
    cancel.disabled = !options.config.canAssign;
    cancel.addEventListener("click", function () { cancelJob(item); });
    box.appendChild(cancel);
  }

  function select(item) {
    if (!item) { clear(); return; }
    state.selected = item;
    message("");
    header(item);
    siteLayer.clearLayers();
    teamLayer.clearLayers();
    L.marker([item.lat, item.lon], {keyboard: false, title: what(item)}).addTo(siteLayer);
    map.setView([item.lat, item.lon], Math.max(map.getZoom(), 11));
    if (item.tab === "waiting") {
      cancelButton(item);
      rec.classList.remove("d-none");
      recommend(item);
      return;
    }
    rec.classList.add("d-none");
    options.loans.offer(null);
    teamFacts(item);
    if (item.tab === "assigned" && item.status === "assigned") {
      reassignButton(item);
      cancelButton(item);
    }
    drawTeam(item, item.team.map(function (m) { return m.id; }));
  }

  // 改派: a reason, then the teams ranked for the site, each able to take the job over.
  function reassignButton(item) {
    const button = el("button", t("console.reassign"), "btn btn-sm btn-outline-primary mt-2 me-2 lw-reassign");
    button.type = "button";
    button.disabled = !options.config.canAssign;
    button.addEventListener("click", function () {
      button.disabled = true;
      const form = el("div", null, "lw-reassign-form mt-2");
      const id = "lw-reassign-reason";
      const labelEl = el("label", t("console.reassign_reason"), "form-label mb-1");
      labelEl.htmlFor = id;
      const input = el("input", null, "form-control form-control-sm");
      input.id = id;
      input.required = true;
      input.maxLength = 500;
      form.appendChild(labelEl);
      form.appendChild(input);
      form.appendChild(el("div", t("console.reassign_hint"), "lw-muted"));
      button.after(form);
      rec.classList.remove("d-none");
      recommend(item, input);
      input.focus();
    });
    box.appendChild(button);
  }

  function reassign(item, team, button, reason) {
    const why = reason.value.trim();
    if (!why) {  // nothing sent without a reason: the API would refuse it anyway
      message(t("console.reason_needed"), "warning");
      reason.focus();
      return;
    }
    button.disabled = true;
    postJSON("/api/v1/inspections/" + item.id + "/reassign",
             {officer_ids: team.officer_ids, reason: why}).then(function (res) {
      if (res.status !== 200) {
        button.disabled = false;
        message(errorText(res), res.status === 409 ? "warning" : "danger");
        return options.changed();
      }
      message("");
      last.textContent = "";
      const named = item.employer || item.description;
      last.appendChild(el("div", named ? t("console.reassign_title", {id: item.id, what: named})
        : t("console.reassign_title_bare", {id: item.id}), "fw-semibold"));
      last.appendChild(el("div", t("console.reassigned", {names: team.officer_ids.map(options.officerName).join("、"),
                                                          minutes: Math.max(1, Math.ceil(team.eta_min))}), "lw-sent"));
      last.classList.remove("d-none");
      last.setAttribute("data-inspection", String(item.id));
      clear();
      return options.changed();
    });
  }

  function assign(item, team, button) {
    button.disabled = true;
    const next = options.next(item.id);
    postJSON("/api/v1/inspections/" + item.id + "/assign", {officer_ids: team.officer_ids})
      .then(function (res) {
        if (res.status !== 200) {
          button.disabled = false;
          message(errorText(res), res.status === 409 ? "warning" : "danger");
          return options.changed();
        }
        last.textContent = "";
        last.appendChild(el("div", t("console.sent_to", {id: item.id, what: what(item)}), "fw-semibold"));
        last.appendChild(el("div", t("console.sent", {names: team.officer_ids.map(options.officerName).join("、"),
                                                      minutes: Math.max(1, Math.ceil(team.eta_min))}), "lw-sent"));
        last.appendChild(el("div", next ? t("console.next") : t("console.none_left"), "lw-muted"));
        last.classList.remove("d-none");
        last.setAttribute("data-inspection", String(item.id));
        if (next) options.choose(next); else clear();
        return options.changed();
      });
  }

  function cancelJob(item) {
    const reason = globalThis.prompt(t("cancel_reason"));
    if (!reason) return;
    postJSON("/api/v1/inspections/" + item.id + "/cancel", {reason: reason}).then(function (res) {
      if (res.status === 200) clear();
      message(res.status === 200 ? t("cancelled") : errorText(res),
              res.status === 200 ? "success" : "danger");
      return options.changed();
    });
  }

  clear();
  return {
    select: select, clear: clear,
    selected: function () { return state.selected; },
    again: function () { if (state.selected && state.selected.tab === "waiting") recommend(state.selected); }
  };
}
