/* The construction projects (/projects): the projects of the user's territory from GET
 * /api/v1/projects with the page's filters, red warnings first, counts per warning level;
 * dispatchers and administrators register a project (POST /api/v1/projects, the site typed
 * or clicked on the map) or import a file (POST /api/v1/projects/import). */
import {el, link, message} from "../core/dom.js";
import {errorText, getJSON, postForm, postJSON} from "../core/http.js";
import {drawRows, listPager, listQuery} from "../core/lists.js";
import {formatNumber, label, t, useStrings} from "../core/i18n.js";
import {act, formBody, note} from "../grading/common.js";
import {warningCell, yuan} from "./common.js";

const COLUMNS = ["name", "place", "department", "contractor", "value", "deposit", "end",
                 "status", "warning"];

function cell(column, r, config) {
  switch (column) {
  case "name": return link(r.name, "/projects/" + r.id);
  case "place": return el("span", r.county_name || config.areas[r.county_adcode] || r.county_adcode);
  case "department": return el("span", label("project.department.", r.department));
  case "contractor": {
    const box = el("span", r.contractor);
    box.appendChild(el("span", r.contractor_code, "lw-sub"));
    return box;
  }
  case "value": return el("span", yuan(r.contract_value), "lw-num");
  case "deposit": return el("span", yuan(r.deposit_required), "lw-num");
  case "end": return el("span", r.planned_end_on);
  case "status": return el("span", label("project.status.", r.status));
  case "warning": return warningCell(r.level, r.reasons);
  }
  return el("span", "");
}

function drawCounts(box, counts, filters) {
  box.textContent = "";
  box.className = "mb-2 small lw-counts";
  ["red", "orange", "yellow", "none"].forEach(function (level) {
    const a = link("", "/projects?" + listQuery(Object.assign({}, filters, {level: level}), 1));
    a.appendChild(el("span", label("project.level.", level), "lw-level lw-level-" + level));
    a.appendChild(document.createTextNode(" " + formatNumber(counts[level] || 0)));
    a.setAttribute("data-level", level);
    box.appendChild(a);
  });
}

function pickMap(form) {
  const box = document.getElementById("lw-new-map");
  if (!box || typeof L === "undefined") return;
  const map = L.map(box, {zoomControl: true}).setView([33.9, 113.6], 6);
  let marker = null;
  getJSON("/api/v1/areas?level=city&simplify=200").then(function (fc) {
    L.geoJSON(fc, {style: {color: "#1f3a5f", weight: 1, fillOpacity: 0.03}, interactive: false})
      .addTo(map);
  }).catch(function () { /* the outlines are a help; typing the site still works */ });
  map.on("click", function (event) {
    form.elements.lon.value = event.latlng.lng.toFixed(6);
    form.elements.lat.value = event.latlng.lat.toFixed(6);
    form.elements.crs.value = "wgs84";
    if (marker) marker.setLatLng(event.latlng); else marker = L.marker(event.latlng, {keyboard: false}).addTo(map);
  });
  document.getElementById("lw-new").addEventListener("toggle", function () {
    map.invalidateSize();
  });
}

function newForm() {
  const form = document.getElementById("lw-new-form");
  if (!form) return;
  const box = document.getElementById("lw-new-message");
  pickMap(form);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const raw = formBody(form);
    const lon = Number(raw.lon), lat = Number(raw.lat);
    if (raw.lon === undefined || raw.lat === undefined || !isFinite(lon) || !isFinite(lat)) {
      note(box, t("projects_ui.new.lonlat_missing"), false);
      return;
    }
    const body = {name: raw.name, department: raw.department, crs: raw.crs,
                  general_contractor_credit_code: raw.general_contractor_credit_code,
                  site: {type: "Point", coordinates: [lon, lat]},
                  contract_value: raw.contract_value === undefined ? undefined
                    : Number(raw.contract_value),
                  start_on: raw.start_on, planned_end_on: raw.planned_end_on};
    if (raw.owner_name) body.owner_name = raw.owner_name;
    if (raw.workers !== undefined) body.workers = Number(raw.workers);
    act(form.querySelector("button[type=submit]"), box, function () {
      return postJSON("/api/v1/projects", body);
    }, function (res) {
      globalThis.location.href = "/projects/" + res.body.id;
    });
  });
}

function importForm() {
  const form = document.getElementById("lw-import-form");
  if (!form) return;
  const box = document.getElementById("lw-import-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const data = new FormData(form);
    if (!data.get("crs")) data.delete("crs");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    note(box, t("projects_ui.saving"), true);
    postForm("/api/v1/projects/import", data).then(function (res) {
      button.disabled = false;
      if (res.status === 201) {
        note(box, t("projects_ui.import.done", {count: res.body.created.length}), true);
        return;
      }
      note(box, errorText(res), false);
      const rows = res.body && res.body.error && res.body.error.details &&
        res.body.error.details.problems;
      if (Array.isArray(rows)) {
        const list = el("ul", null, "mb-0 lw-import-rows");
        rows.slice(0, 50).forEach(function (r) {
          list.appendChild(el("li", t("projects_ui.import.row", {row: r.row, message: r.message})));
        });
        box.appendChild(list);
      }
    }).catch(function () {
      button.disabled = false;
      note(box, t("projects_ui.network_error"), false);
    });
  });
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-projects");
  newForm();
  importForm();
  const filters = config.filters;
  getJSON("/api/v1/projects?" + listQuery(filters, filters.page)).then(function (body) {
    document.getElementById("lw-total").textContent = t("projects_ui.total", {total: body.total});
    drawCounts(document.getElementById("lw-counts"), body.counts, filters);
    drawRows({tbody: document.getElementById("lw-project-rows"),
              headers: document.querySelectorAll("#lw-project-table thead th"),
              items: body.items, columns: COLUMNS, emptyText: t("projects_ui.empty"),
              cell: function (column, r) { return cell(column, r, config); },
              rowClass: function (r) { return "lw-row lw-project-row lw-row-" + (r.level || "none"); },
              href: function (r) { return "/projects/" + r.id; }});
    listPager(document.getElementById("lw-pager"), "/projects", body, filters, "projects_ui");
    root.setAttribute("data-ready", "1");
  }).catch(function (err) {
    document.getElementById("lw-total").textContent = "";
    message(err.message, "danger", "mb-2");
    root.setAttribute("data-ready", "error");
  });
}
