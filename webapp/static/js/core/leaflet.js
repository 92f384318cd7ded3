/* Leaflet helpers shared by the map pages (Leaflet itself is the vendored global `L`). */
import {escapeHtml} from "./dom.js";

// Leaflet's layers control writes overlay names with innerHTML; ours are plain text.
export function layersControl() {
  const control = L.control.layers(null, {}, {collapsed: false});
  const addOverlay = control.addOverlay;
  control.addOverlay = function (layer, name) {
    return addOverlay.call(this, layer, escapeHtml(name));
  };
  return control;
}
