/* Planner preview panel: every pending change (vertex edits, split, merge, revert, partition)
 * is an "action" whose run(dryRun, reason) calls the API. The panel previews it (dry run),
 * shows problems (drawn on the map), warnings and the impact, and commits it with a reason.
 * A 409 says someone else changed a grid, and reloads. Text goes in with textContent. */
import {el, table} from "../core/dom.js";
import {errorText, postJSON} from "../core/http.js";
import {label, t} from "../core/i18n.js";
import {P, S} from "./state.js";
var DEBOUNCE_MS = 250;
var timer = null;

function fmtNum(v, digits) {
  if (v === null || v === undefined) return "—";
  return typeof v === "number" && digits !== undefined ? v.toFixed(digits) : String(v);
}

function change(a, b, digits) { return fmtNum(a, digits) + " → " + fmtNum(b, digits); }

function codeOf(grid) {
  var g = S.grids[grid];
  return g ? g.props.code : String(grid);
}

function setState(state) {
  document.getElementById("lw-panel").setAttribute("data-state", state);
  S.panelState = state;
  updateCommit();
}

function updateCommit() {
  var button = document.getElementById("lw-commit"), reason = document.getElementById("lw-reason");
  if (!button) return;
  button.disabled = !(S.action && S.panelState === "valid" && reason.value.trim());
}

// ---- actions ----

P.setAction = function (action) {
  S.action = action;
  document.getElementById("lw-action").textContent = "· " + action.title;
  var box = document.getElementById("lw-commit-box");
  if (box) box.hidden = !S.config.canEdit;
  P.lock(action.kind !== "edits");
  if (action.initial) render(action.initial);
  else preview();
};

P.clearAction = function () {
  clearTimeout(timer);
  S.action = null;
  S.seq = (S.seq || 0) + 1;  // answers still on their way are ignored
  document.getElementById("lw-action").textContent = "";
  document.getElementById("lw-verdict").textContent = t("plan_no_changes");
  document.getElementById("lw-verdict").className = "small text-muted mb-2";
  document.getElementById("lw-preview").textContent = "";
  var box = document.getElementById("lw-commit-box");
  if (box) box.hidden = true;
  S.problemLayer.clearLayers();
  S.proposalLayer.clearLayers();
  if (P.onClear) P.onClear();
  P.lock(false);
  setState("empty");
};

// Called after every vertex edit, undo and discard: the pending set is previewed anew.
P.previewEdits = function () {
  if (!P.hasEdits()) {
    if (S.action && S.action.kind === "edits") P.clearAction();
    return;
  }
  if (!S.action || S.action.kind !== "edits") {
    S.action = {kind: "edits", title: t("plan_action_edits"), run: function (dryRun, reason) {
      return postJSON(S.config.urls.edits, {county: S.config.county.adcode, dry_run: dryRun,
                                              reason: reason, changes: P.pendingChanges()});
    }};
    document.getElementById("lw-action").textContent = "· " + S.action.title;
    var box = document.getElementById("lw-commit-box");
    if (box) box.hidden = false;
  }
  S.seq = (S.seq || 0) + 1;  // an answer for an older shape must not enable Commit
  setState("pending");
  clearTimeout(timer);
  timer = setTimeout(preview, DEBOUNCE_MS);
};

function preview() {
  var seq = S.seq = (S.seq || 0) + 1, action = S.action;
  setState("pending");
  verdict(t("plan_checking"), "text-muted");
  action.run(true).then(function (res) {
    if (seq === S.seq) answer(res, false);
  }).catch(function (err) {
    if (seq === S.seq) failed(err.message);
  });
}

function failed(text) {
  setState("error");
  verdict(t("error"), "text-danger");
  P.message(text, "danger");
}

function answer(res, committing) {
  var details = res.body && res.body.error && res.body.error.details;
  if (res.status === 200 && res.body.committed) {
    committed(res.body);
  } else if (res.status === 200) {
    render(res.body);
  } else if (res.status === 422 && details && details.problems) {
    render({valid: false, problems: details.problems, warnings: details.warnings || [],
            impact: details.impact});
    if (committing) P.message(errorText(res), "danger");
  } else if (res.status === 409) {
    P.message(t("plan_conflict") + " (" + errorText(res) + ")", "warning");
    P.clearAction();
    P.reload();
  } else {
    failed(errorText(res));
  }
}

function committed(body) {
  var n = Object.keys(body.versions || {}).length;
  P.clearAction();
  document.getElementById("lw-reason").value = "";
  var moved = body.staff_moved || [];
  var text = t("plan_committed", {n: n});
  if (moved.length) {  // the planner is told who followed their grid, and where
    text += " — " + t("plan_staff_moved", {n: moved.length, names: moved.map(function (m) {
      return m.name + " → " + (m.to_code || "—");
    }).join("、")});
  }
  P.message(text, "success");
  setState("committed");
  P.reload().then(function () { setState("committed"); });
}

P.commit = function () {
  var reason = document.getElementById("lw-reason").value.trim();
  if (!S.action || !reason) return;
  var seq = S.seq = (S.seq || 0) + 1;
  setState("committing");
  P.message("");
  S.action.run(false, reason).then(function (res) {
    if (seq === S.seq) answer(res, true);
  }).catch(function (err) { failed(err.message); });
};

// ---- rendering a preview ----

function verdict(text, cls) {
  var box = document.getElementById("lw-verdict");
  box.textContent = text;
  box.className = "small mb-2 fw-bold " + cls;
}

function render(result) {
  var box = document.getElementById("lw-preview");
  box.textContent = "";
  S.problemLayer.clearLayers();
  var problems = result.problems || [], warnings = result.warnings || [];
  if (result.valid) verdict("✓ " + t("plan_valid"), "text-success");
  else verdict(t("plan_invalid", {n: problems.length}), "text-danger");
  if (problems.length) box.appendChild(problemList(t("plan_problems"), problems, "lw-problem"));
  if (warnings.length) box.appendChild(problemList(t("plan_warnings"), warnings, "lw-warning"));
  if (result.impact) box.appendChild(impact(result.impact));
  setState(result.valid ? "valid" : "invalid");
}

function problemList(title, items, cls) {
  var wrap = el("div", null, "mb-2");
  wrap.appendChild(el("h3", title + " (" + items.length + ")", "h6 mt-2"));
  var list = el("ul", null, "list-unstyled mb-0");
  items.forEach(function (p) {
    var li = el("li", null, cls + " mb-1");
    li.setAttribute("data-kind", p.kind);
    li.appendChild(el("strong", codeOf(p.grid) + " · " + label("plan_kind_", p.kind) + ": "));
    li.appendChild(el("span", p.message));
    var shape = drawProblem(p, cls === "lw-problem");
    if (shape) {
      li.classList.add("lw-clickable");
      li.addEventListener("click", function () {
        S.map.fitBounds(shape.getBounds(), {maxZoom: 16, padding: [40, 40]});
      });
    }
    list.appendChild(li);
  });
  wrap.appendChild(list);
  return wrap;
}

function drawProblem(p, error) {
  if (!p.geometry) return null;
  var shape = L.geoJSON(p.geometry, {
    pmIgnore: true, snapIgnore: true, interactive: false,
    style: function () {
      return {className: error ? "lw-problem-shape" : "lw-warning-shape",
              color: error ? "#d62728" : "#ff7f0e", weight: 3, fillOpacity: 0.45,
              dashArray: error ? null : "4 3"};
    },
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 9, color: "#d62728", weight: 3, pmIgnore: true,
                                     snapIgnore: true, className: "lw-problem-shape"});
    }
  });
  shape.addTo(S.problemLayer);
  return shape;
}

function impact(imp) {
  var wrap = el("div", null, "lw-impact");
  if (imp.grids && imp.grids.length) {
    wrap.appendChild(el("h3", t("plan_changed_grids"), "h6 mt-2"));
    var grid = el("table", null, "table table-sm lw-impact-grids mb-2");
    var head = el("tr");
    [t("grid_code"), t("employers"), t("staff"), t("plan_per_staff"), t("plan_area_km2"), t("plan_compactness")]
      .forEach(function (h) { head.appendChild(el("th", h)); });
    grid.appendChild(head);
    imp.grids.forEach(function (g) {
      var tr = el("tr");
      tr.setAttribute("data-grid", g.grid);
      [g.code, change(g.employers_before, g.employers_after), g.staff,
       change(g.employers_per_staff_before, g.employers_per_staff_after),
       change(g.area_km2_before, g.area_km2_after, 2),
       change(g.compactness_before, g.compactness_after, 2)]
        .forEach(function (v) { tr.appendChild(el("td", v)); });
      grid.appendChild(tr);
    });
    wrap.appendChild(grid);
  }
  var moved = imp.employers_moved;
  if (moved) {
    var m = el("div", null, "lw-moved mb-2");
    m.setAttribute("data-count", moved.count);
    m.appendChild(el("h3", t("plan_employers_moved", {n: moved.count}), "h6 mt-2"));
    var list = el("ul", null, "ps-3 mb-0 lw-moved-list");
    moved.items.slice(0, 30).forEach(function (e) {
      list.appendChild(el("li", e.name + ": " + (e.from_code || "—") + " → " + (e.to_code || "—")));
    });
    if (moved.count > 30) list.appendChild(el("li", t("plan_more", {n: moved.count - 30}), "text-muted"));
    m.appendChild(list);
    wrap.appendChild(m);
  }
  if (imp.county) wrap.appendChild(county(imp.county));
  return wrap;
}

function county(c) {
  var wrap = el("div");
  wrap.appendChild(el("h3", t("plan_county_impact"), "h6 mt-2"));
  var cb = c.coverage_before || {}, ca = c.coverage_after || {};
  wrap.appendChild(table([
    [t("plan_grids_count"), change(c.grids_before, c.grids_after)],
    [t("plan_mean"), change(c.mean_employers_before, c.mean_employers_after, 1)],
    [t("plan_max_deviation"), change(c.max_abs_deviation_pct_before, c.max_abs_deviation_pct_after, 1) + " %"],
    [t("plan_coverage_pct"), P.pct(cb.covered_pct) + " → " + P.pct(ca.covered_pct) + " %"],
    [t("plan_employers_outside"), change(c.employers_outside_grids_before, c.employers_outside_grids_after)],
    [t("plan_staff_losing"), c.staff_losing_grid || null]]));
  if (c.balance && c.balance.length) {
    wrap.appendChild(el("h3", t("plan_balance"), "h6 mt-2"));
    var grid = el("table", null, "table table-sm lw-balance mb-0"), head = el("tr");
    [t("grid_code"), t("employers"), t("plan_deviation")].forEach(function (h) { head.appendChild(el("th", h)); });
    grid.appendChild(head);
    c.balance.forEach(function (b) {
      if (b.employers_after === null) return;  // deleted
      var tr = el("tr"), dev = b.deviation_pct_after;
      if (dev !== null && Math.abs(dev) > 15) tr.className = "lw-unbalanced";
      [b.code, change(b.employers_before, b.employers_after),
       dev === null ? "—" : (dev > 0 ? "+" : "") + dev.toFixed(1) + " %"]
        .forEach(function (v) { tr.appendChild(el("td", v)); });
      grid.appendChild(tr);
    });
    wrap.appendChild(grid);
  }
  return wrap;
}

P.initPanel = function () {
  S.problemLayer = L.featureGroup().addTo(S.map);
  S.proposalLayer = L.featureGroup().addTo(S.map);
  var reason = document.getElementById("lw-reason");
  if (!reason) return;
  reason.addEventListener("input", updateCommit);
  document.getElementById("lw-commit").addEventListener("click", P.commit);
  document.getElementById("lw-cancel").addEventListener("click", function () {
    if (S.action && S.action.kind === "edits") P.discard();
    P.clearAction();
    P.message("");
  });
  document.getElementById("lw-undo").addEventListener("click", P.undo);
  document.getElementById("lw-redo").addEventListener("click", P.redo);
  // Ctrl+Z / Ctrl+Y (or Ctrl+Shift+Z) outside text fields, as in every editor
  document.addEventListener("keydown", function (e) {
    if (!(e.ctrlKey || e.metaKey) || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    var key = e.key.toLowerCase();
    if (key === "z" && !e.shiftKey) { e.preventDefault(); P.undo(); }
    else if (key === "y" || (key === "z" && e.shiftKey)) { e.preventDefault(); P.redo(); }
  });
  document.getElementById("lw-discard").addEventListener("click", function () {
    P.discard();
    P.message("");
  });
};
