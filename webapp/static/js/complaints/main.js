/* Liangwang complaints page: intake form (dispatchers, admins), the list with its acceptance
 * deadlines, decisions and their notices, a complaint's detail. Text goes in with textContent. */
import {useStrings} from "../core/i18n.js";
import {getJSON} from "../core/http.js";
import {decisionDialog, notify} from "./decisions.js";
import {detailDialog} from "./detail.js";
import {intakeForm} from "./intake.js";
import {listView, proposalText} from "./list.js";

const PHONE = "(max-width: 900px)";

function outlines(map, url) {
  getJSON(url).then(function (fc) {
    L.geoJSON(fc, {interactive: false, style: function () {
      return {className: "lw-boundary", color: "#555", weight: 1, fill: false};
    }}).addTo(map).bringToBack();
  }).catch(function (err) { notify(err.message, "danger"); });
}

// On a phone the form starts folded above the list; the map is measured when it unfolds.
function foldable(map, config) {
  const intake = document.getElementById("lw-c-intake");
  if (window.matchMedia(PHONE).matches) intake.open = false;
  intake.addEventListener("toggle", function () {
    if (!intake.open) return;
    map.invalidateSize();
    if (config.bounds) map.fitBounds(config.bounds);
  });
}

export function start(map, config) {
  useStrings(config.strings);
  const detail = detailDialog(config);
  let decisions = null;
  const list = listView(config, {
    onOpen: function (id) { detail.open(id); },
    onDecide: function (complaint, action, button) { decisions.open(complaint, action, button); }
  });
  if (config.canDecide && map) {
    decisions = decisionDialog({onDone: function (view) { if (view) list.update(view); }});
    intakeForm(map, config, {
      proposalText: proposalText,
      onCreated: function (view) { list.update(view); }
    });
    foldable(map, config);
    outlines(map, config.boundaries);
  }
  document.getElementById("lw-area").addEventListener("change", function (ev) {
    const q = list.query();
    q.set("area", ev.target.value);
    q.delete("page");
    window.location.search = q.toString();
  });
  list.load();
}
