/* Planner vertex editing: Leaflet-Geoman moves the selected grid's vertices and snaps
 * them to other grids and the county border; this module moves every neighbour's
 * identical vertex with it (a shared boundary is shared), inserts and removes shared
 * vertices on both sides, and keeps undo and redo stacks of the unsaved edits (and the
 * new names), which panel.js previews as one edit set. */
import {t} from "../core/i18n.js";
import {P, S} from "./state.js";
var EDIT = {snappable: true, snapDistance: 14, allowSelfIntersection: true, draggable: false,
            removeLayerBelowMinVertexCount: false, removeVertexOn: "contextmenu"};
var MANY_VERTICES = 1000;

// ---- coordinates: exact doubles, compared with ===, never rounded ----

function rings(latlngs, out) {
  out = out || [];
  if (latlngs.length && latlngs[0] instanceof L.LatLng) out.push(latlngs);
  else latlngs.forEach(function (r) { rings(r, out); });
  return out;
}

function same(a, b) { return a.lat === b.lat && a.lng === b.lng; }

function at(latlngs, path) {
  return path.reduce(function (node, i) { return node[i]; }, latlngs);
}

P.geometry = function (g) { return g.layer.toGeoJSON(false).geometry; };

function setGeometry(g, geometry) {
  g.layer.setLatLngs(L.GeoJSON.coordsToLatLngs(geometry.coordinates,
                                               geometry.type === "MultiPolygon" ? 2 : 1));
}

function snapshot(g) { return JSON.stringify(P.geometry(g)); }

// A grid with thousands of vertices (a long county border) shows only the markers near
// the cursor: thousands of draggable markers make the page crawl.
function editOptions(g) {
  var n = rings(g.layer.getLatLngs()).reduce(function (sum, r) { return sum + r.length; }, 0);
  return Object.assign({}, EDIT, {limitMarkersToCount: n > MANY_VERTICES ? MANY_VERTICES / 2 : -1});
}

// Every vertex of the other grids identical to `latlng`: they move together.
function sharers(exceptId, latlng) {
  var found = [];
  S.order.forEach(function (id) {
    if (id === exceptId) return;
    rings(S.grids[id].layer.getLatLngs()).forEach(function (ring) {
      for (var i = 0; i < ring.length; i++) {
        if (same(ring[i], latlng)) found.push({grid: S.grids[id], ring: ring, index: i});
      }
    });
  });
  return found;
}

function moveShared(shared, latlng) {
  var redraw = {};
  shared.forEach(function (s) {
    s.ring[s.index] = L.latLng(latlng.lat, latlng.lng);
    redraw[s.grid.id] = s.grid;
  });
  Object.keys(redraw).forEach(function (id) {
    redraw[id].layer.redraw();
    S.touched[id] = true;
  });
}

// A vertex inserted between a and b goes into every neighbour ring that has the edge a–b.
function insertShared(exceptId, a, b, latlng) {
  S.order.forEach(function (id) {
    if (id === exceptId) return;
    var hit = false;
    rings(S.grids[id].layer.getLatLngs()).forEach(function (ring) {
      var n = ring.length;
      for (var j = 0; j < n; j++) {
        var k = (j + 1) % n;
        if ((same(ring[j], a) && same(ring[k], b)) || (same(ring[j], b) && same(ring[k], a))) {
          ring.splice(j + 1, 0, L.latLng(latlng.lat, latlng.lng));
          hit = true;
          break;
        }
      }
    });
    if (hit) {
      S.grids[id].layer.redraw();
      S.touched[id] = true;
    }
  });
}

function removeShared(exceptId, latlng) {
  sharers(exceptId, latlng).reverse().forEach(function (s) {
    if (s.ring.length > 3) {
      s.ring.splice(s.index, 1);
      s.grid.layer.redraw();
      S.touched[s.grid.id] = true;
    }
  });
}

// ---- Geoman events of the grid being edited ----

function onDragStart(e) {
  var g = e.layer.lwGrid;
  S.drag = {grid: g, shared: sharers(g.id, at(e.layer.getLatLngs(), e.indexPath))};
  // The shared copies follow the cursor: snapping to them would pin the vertex in place.
  S.drag.shared.forEach(function (s) { s.grid.layer.options.snapIgnore = true; });
  S.touched[g.id] = true;
}

function onDrag(e) {
  if (S.drag) moveShared(S.drag.shared, e.markerEvent.target.getLatLng());
}

function onDragEnd(e) {
  if (!S.drag) return;
  moveShared(S.drag.shared, at(e.layer.getLatLngs(), e.indexPath));
  S.drag.shared.forEach(function (s) { delete s.grid.layer.options.snapIgnore; });
  S.drag = null;
  settle();
}

function onVertexAdded(e) {
  var g = e.layer.lwGrid, path = e.indexPath, i = path[path.length - 1];
  var ring = at(e.layer.getLatLngs(), path.slice(0, -1)), n = ring.length;
  insertShared(g.id, ring[(i - 1 + n) % n], ring[(i + 1) % n], ring[i]);
  S.touched[g.id] = true;
  if (!(e.marker && e.marker._dragging)) settle();  // a dragged midpoint settles on dragend
}

function onVertexRemoved(e) {
  var g = e.layer.lwGrid;
  removeShared(g.id, e.marker.getLatLng());
  S.touched[g.id] = true;
  settle();
}

// ---- unsaved edits: an undo stack of shapes before each edit ----

// Unsaved: a shape other than the stored one, or a new name.
function dirty(g) { return g.saved !== g.original || Boolean(g.newName); }

function settle() {
  var entry = {}, changed = false;
  Object.keys(S.touched).forEach(function (id) {
    var g = S.grids[id], now = snapshot(g);
    if (now !== g.saved) {
      entry[id] = g.saved;
      g.saved = now;
      changed = true;
    }
    g.dirty = dirty(g);
  });
  S.touched = {};
  if (changed) {
    S.undo.push(entry);
    S.redo = [];  // a new edit ends the line of undone ones
    edited();
  }
}

function edited() {
  P.restyle();
  updateEditBar();
  if (P.previewEdits) P.previewEdits();
}

function refreshMarkers() {
  var g = S.grids[S.selected];
  if (g && g.layer.pm.enabled()) {
    g.layer.pm.disable();
    g.layer.pm.enable(editOptions(g));
  }
}

// Put back the shapes of `entry`; returns the shapes they replace (the way back).
function restore(entry) {
  var back = {};
  Object.keys(entry).forEach(function (id) {
    var g = S.grids[id];
    back[id] = g.saved;
    setGeometry(g, JSON.parse(entry[id]));
    g.saved = entry[id];
    g.dirty = dirty(g);
  });
  refreshMarkers();
  return back;
}

P.undo = function () {
  var entry = S.undo.pop();
  if (!entry) return;
  S.redo.push(restore(entry));
  edited();
};

P.redo = function () {
  var entry = S.redo.pop();
  if (!entry) return;
  S.undo.push(restore(entry));
  edited();
};

// A new name for grid g (unsaved, like a shape: previewed and committed with the set);
// the stored name again, or nothing, takes it back.
P.rename = function (g, name) {
  var wanted = (name || "").trim();
  g.newName = wanted && wanted !== g.props.name ? wanted : null;
  g.dirty = dirty(g);
  edited();
};

P.discard = function () {
  S.order.forEach(function (id) {
    var g = S.grids[id];
    if (g.saved !== g.original) setGeometry(g, JSON.parse(g.original));
    g.saved = g.original;
    g.newName = null;
    g.dirty = false;
  });
  S.undo = [];
  S.redo = [];
  refreshMarkers();
  edited();
};

P.hasEdits = function () {
  return S.order.some(function (id) { return S.grids[id].dirty; });
};

P.pendingChanges = function () {
  return S.order.filter(function (id) { return S.grids[id].dirty; }).map(function (id) {
    var g = S.grids[id], change = {op: "update", id: g.id, version: g.props.version,
                                   geometry: P.geometry(g)};
    if (g.newName) change.name = g.newName;
    return change;
  });
};

// The edit a vertex drag makes, without the mouse: move one vertex (and its shared copies).
P.moveVertex = function (gridId, from, to) {
  var g = S.grids[gridId], found = null;
  rings(g.layer.getLatLngs()).forEach(function (ring) {
    for (var i = 0; i < ring.length && !found; i++) {
      if (same(ring[i], L.latLng(from[1], from[0]))) found = {ring: ring, index: i};
    }
  });
  if (!found) throw new Error("grid " + gridId + " has no vertex at " + from);
  var shared = sharers(g.id, found.ring[found.index]);
  found.ring[found.index] = L.latLng(to[1], to[0]);
  g.layer.redraw();
  S.touched[g.id] = true;
  moveShared(shared, L.latLng(to[1], to[0]));
  refreshMarkers();
  settle();
};

// Vertices (as [lng, lat]) that two grids share, for tests and for the merge hint.
P.sharedVertices = function (a, b) {
  var out = [];
  rings(S.grids[a].layer.getLatLngs()).forEach(function (ring) {
    ring.forEach(function (ll) {
      if (sharers(a, ll).some(function (s) { return s.grid.id === b; })) out.push([ll.lng, ll.lat]);
    });
  });
  return out;
};

function updateEditBar() {
  var n = S.order.filter(function (id) { return S.grids[id].dirty; }).length;
  var undo = document.getElementById("lw-undo"), discard = document.getElementById("lw-discard");
  var redo = document.getElementById("lw-redo");
  if (undo) undo.disabled = !S.undo.length;
  if (redo) redo.disabled = !S.redo.length;
  if (discard) discard.disabled = !n;
  var pending = document.getElementById("lw-pending");
  if (pending) pending.textContent = n ? t("plan_pending", {n: n}) : "";
  S.map.getContainer().setAttribute("data-dirty", String(n));
}

P.attachEditing = function (layer) {
  layer.on("pm:markerdragstart", onDragStart);
  layer.on("pm:markerdrag", onDrag);
  layer.on("pm:markerdragend", onDragEnd);
  layer.on("pm:vertexadded", onVertexAdded);
  layer.on("pm:vertexremoved", onVertexRemoved);
};
P.snapshot = snapshot;
P.editOptions = editOptions;
P.updateEditBar = updateEditBar;
