/* Planner tools: split along a drawn line, merge with a neighbour, history with revert, and
 * auto-partition. Each becomes an action of panel.js: previewed (dry run) first,
 * committed with a reason. Text from the database goes in with textContent. */
import {el, table} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {formatDateTime, label, t} from "../core/i18n.js";
import {P, S} from "./state.js";

function ready(needGrid) {
  if (P.hasEdits()) { P.message(t("plan_edits_first"), "warning"); return false; }
  if (needGrid && !S.grids[S.selected]) { P.message(t("plan_select_first"), "warning"); return false; }
  P.message("");
  return true;
}

function gridUrl(id, what) { return S.config.urls.grid + encodeURIComponent(id) + "/" + what; }

function drawShape(layer, geometry, cls, colour) {
  return L.geoJSON(geometry, {pmIgnore: true, snapIgnore: true, interactive: false,
                              style: function () {
                                return {className: cls, color: colour, weight: 2.5, fill: false,
                                        dashArray: "8 5"};
                              }}).addTo(layer);
}

// ---- split ----

P.startSplit = function () {
  if (!ready(true)) return;
  S.mode = "split";
  P.lock(true);
  P.message(t("plan_split_hint"), "info");
  S.map.doubleClickZoom.disable();  // the finishing double click must not zoom in
  S.map.pm.enableDraw("Line", {finishOn: "dblclick", snappable: true,
                               templineStyle: {color: "#d62728"},
                               hintlineStyle: {color: "#d62728", dashArray: [5, 5]}});
};

P.split = function (id, line) {
  var g = S.grids[id];
  P.clearAction();
  P.message("");
  drawShape(S.proposalLayer, line, "lw-split-line", "#d62728");
  P.setAction({kind: "split", title: t("plan_action_split") + " " + g.props.code,
               run: function (dryRun, reason) {
                 return postJSON(gridUrl(id, "split"), {line: line, version: g.props.version,
                                                          dry_run: dryRun, reason: reason});
               }});
};

// ---- merge ----

P.startMerge = function () {
  if (!ready(true)) return;
  S.mode = "merge";
  P.lock(true);
  P.message(t("plan_merge_hint"), "info");
};

P.merge = function (ids) {
  var versions = {}, codes = ids.map(function (id) { return S.grids[id].props.code; });
  ids.forEach(function (id) { versions[id] = S.grids[id].props.version; });
  P.clearAction();
  P.message("");
  S.picked = ids.slice();
  P.restyle();
  P.setAction({kind: "merge", title: t("plan_action_merge") + " " + codes.join(" + "),
               run: function (dryRun, reason) {
                 return postJSON(S.config.urls.merge, {ids: ids, versions: versions,
                                                         dry_run: dryRun, reason: reason});
               }});
};

P.onGridClick = function (g) {
  if (S.mode === "merge") {
    S.mode = "edit";
    if (g.id !== S.selected) P.merge([S.selected, g.id]);
    else P.lock(false);
    return;
  }
  if (S.mode === "edit") P.select(g.id);
};

// ---- history and revert ----

P.loadHistory = function (g) {
  var list = document.getElementById("lw-history");
  list.textContent = "";
  S.historyLayer.clearLayers();
  if (!g) return;
  var id = g.id;
  getJSON(gridUrl(id, "history"), {cache: "no-store"}).then(function (h) {
    if (S.selected !== id) return;
    list.textContent = "";
    if (!h.items.length) list.appendChild(el("li", t("plan_no_history"), "text-muted"));
    h.items.forEach(function (item) {
      list.appendChild(historyItem(g, item.version, item, item.geometry_after));
    });
    var first = h.items[h.items.length - 1];
    if (first && first.op !== "create" && first.geometry_before) {
      list.appendChild(historyItem(g, first.version - 1, null, first.geometry_before));
    }
  }).catch(function (err) { list.appendChild(el("li", err.message, "text-danger")); });
};

function historyItem(g, version, item, geometry) {
  var li = el("li", null, "lw-history-item mb-2");
  li.setAttribute("data-version", version);
  var head = el("div", null, "d-flex gap-1 align-items-center flex-wrap");
  head.appendChild(el("strong", "v" + version));
  if (version === g.props.version) head.appendChild(el("span", t("plan_current"), "badge bg-secondary"));
  if (!item) head.appendChild(el("span", t("plan_original"), "badge bg-light text-dark"));
  if (geometry) {
    var show = el("button", t("plan_show"), "btn btn-link btn-sm p-0 ms-auto");
    show.type = "button";
    show.addEventListener("click", function () {
      S.historyLayer.clearLayers();
      S.map.fitBounds(drawShape(S.historyLayer, geometry, "lw-history-shape", "#555")
                        .getBounds(), {padding: [30, 30]});
    });
    head.appendChild(show);
  }
  if (S.config.canEdit && version !== g.props.version && geometry) {
    var revert = el("button", t("plan_revert"), "btn btn-outline-danger btn-sm py-0 lw-revert");
    revert.type = "button";
    revert.addEventListener("click", function () { P.revert(g.id, version, geometry); });
    head.appendChild(revert);
  }
  li.appendChild(head);
  if (item) {
    li.appendChild(el("div", [label("plan_op_", item.op), item.changed_by || "—",
                              formatDateTime(item.changed_at)].join(" · "), "text-muted"));
    if (item.reason) li.appendChild(el("div", item.reason, "lw-reason-text"));
  }
  return li;
}

P.revert = function (id, version, geometry) {
  if (!ready(false)) return;
  var g = S.grids[id];
  P.clearAction();
  drawShape(S.proposalLayer, geometry, "lw-revert-shape", "#2c7fb8");
  P.setAction({kind: "revert", title: t("plan_action_revert") + " " + g.props.code + " → v" + version,
               run: function (dryRun, reason) {
                 return postJSON(gridUrl(id, "revert"), {version: version,
                                                           current_version: g.props.version,
                                                           dry_run: dryRun, reason: reason});
               }});
};

// ---- auto-partition ----

P.partition = function (n) {
  if (!ready(false)) return Promise.resolve();
  var report = document.getElementById("lw-partition-report");
  report.textContent = t("loading");
  return postJSON(S.config.urls.partition, {grids: n}).then(function (res) {
    report.textContent = "";
    if (res.status !== 200) { P.message(errorText(res), "danger"); return; }
    showPartition(res.body);
  }).catch(function (err) { report.textContent = ""; P.message(err.message, "danger"); });
};

function showPartition(proposal) {
  var rep = proposal.report, employers = {};
  P.clearAction();
  P.showLabels(false);
  (rep.grids || []).forEach(function (g) { employers[g.code] = g.employers; });
  proposal.changes.filter(function (c) { return c.op === "create"; }).forEach(function (c) {
    drawShape(S.proposalLayer, c.geometry, "lw-proposal", "#2c7fb8").eachLayer(function (layer) {
      layer.bindTooltip(el("span", c.code + " · " + employers[c.code]),
                        {permanent: true, direction: "center", className: "lw-grid-label"});
    });
  });
  var box = document.getElementById("lw-partition-report"), b = rep.balance;
  box.textContent = "";
  box.appendChild(el("div", t(b.within_target ? "plan_within_target" : "plan_outside_target",
                              {n: b.target_pct}), b.within_target ? "text-success" : "text-danger"));
  box.appendChild(table([
    [t("plan_grids_count"), proposal.grids], [t("plan_mean"), b.mean], [t("employers"), b.min + " – " + b.max],
    [t("plan_max_deviation"), b.max_deviation_pct + " %"],
    [t("plan_compactness"), t("plan_compactness_min", {mean: rep.compactness.polsby_popper_mean,
                                                       min: rep.compactness.polsby_popper_min})]]));
  S.map.fitBounds(S.proposalLayer.getBounds());
  P.setAction({
    kind: "partition", title: t("plan_action_partition") + " (" + proposal.grids + ")",
    initial: proposal.preview || undefined,
    run: function (dryRun, reason) {
      return postJSON(S.config.urls.edits, {county: S.config.county.adcode, dry_run: dryRun,
                                              reason: reason, changes: proposal.changes});
    }});
}

P.onClear = function () {
  S.picked = [];
  if (S.labelsHidden) P.showLabels(true);
  var box = document.getElementById("lw-partition-report");
  if (box) box.textContent = "";
  if (S.order.length) P.restyle();
};

P.afterReload = function () {
  var n = document.getElementById("lw-partition-n");
  if (n && !n.value) n.value = S.order.length;
};

function afterDrawing() {
  S.mode = "edit";
  S.quietUntil = Date.now() + 400;  // the rest of the finishing double click is no deselect
  setTimeout(function () { S.map.doubleClickZoom.enable(); }, 400);
}

P.initTools = function () {
  S.historyLayer = L.featureGroup().addTo(S.map);
  S.map.on("pm:create", function (e) {
    if (S.mode !== "split") return;
    var line = e.layer.toGeoJSON(false).geometry;
    S.map.removeLayer(e.layer);
    afterDrawing();
    P.split(S.selected, line);
  });
  S.map.on("pm:drawend", function () {
    if (S.mode !== "split") return;  // cancelled (Esc): back to editing
    afterDrawing();
    P.lock(!!S.action && S.action.kind !== "edits");
    P.message("");
  });
  if (!S.config.canEdit) return;
  document.getElementById("lw-split").addEventListener("click", P.startSplit);
  document.getElementById("lw-merge").addEventListener("click", P.startMerge);
  document.getElementById("lw-partition").addEventListener("submit", function (e) {
    e.preventDefault();
    var n = parseInt(document.getElementById("lw-partition-n").value, 10);
    if (n > 0) P.partition(n);
  });
};
