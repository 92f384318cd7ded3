/* The planner's grid files: a GeoJSON, GeoPackage or zipped Shapefile of the county's grids
 * (POST /api/v1/counties/<adcode>/grids/import) becomes a proposal drawn on the map and
 * previewed like any edit set; nothing is written until it is committed with a reason.
 * Export is plain links to GET …/grids/export (in the template). */
import {el} from "../core/dom.js";
import {errorText, postForm, postJSON} from "../core/http.js";
import {t} from "../core/i18n.js";
import {P, S} from "./state.js";

function draw(changes) {
  S.proposalLayer.clearLayers();
  changes.filter(function (c) { return c.geometry; }).forEach(function (c) {
    L.geoJSON(c.geometry, {pmIgnore: true, snapIgnore: true, interactive: false,
                           style: function () {
                             return {className: "lw-proposal", color: "#2c7fb8", weight: 2.5,
                                     fill: false, dashArray: "8 5"};
                           }}).addTo(S.proposalLayer);
  });
  if (S.proposalLayer.getLayers().length) S.map.fitBounds(S.proposalLayer.getBounds());
}

P.importFile = function (file) {
  const report = document.getElementById("lw-partition-report");
  const data = new FormData();
  data.append("file", file);
  report.textContent = t("loading");
  return postForm(S.config.urls.import, data).then(function (res) {
    report.textContent = "";
    if (res.status !== 200) { P.message(errorText(res), "danger"); return; }
    const proposal = res.body, sum = proposal.summary;
    P.clearAction();
    draw(proposal.changes);
    report.appendChild(el("div", t("plan_import_summary", sum), "lw-import-summary"));
    P.setAction({
      kind: "import", title: t("plan_action_import") + " · " + file.name,
      initial: proposal.preview || undefined,
      run: function (dryRun, reason) {
        return postJSON(S.config.urls.edits, {county: S.config.county.adcode, dry_run: dryRun,
                                              reason: reason, changes: proposal.changes});
      }});
  }).catch(function (err) { report.textContent = ""; P.message(err.message, "danger"); });
};

P.initFiles = function () {
  const input = document.getElementById("lw-import-file");
  if (!input || !S.config.canEdit) return;
  input.addEventListener("change", function () {
    if (input.files.length) P.importFile(input.files[0]).then(function () { input.value = ""; });
  });
};
