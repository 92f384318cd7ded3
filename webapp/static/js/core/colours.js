/* Colours every page uses for the same things: one officer-status map, one grade map… */

export const OFFICER_STATUS = {available: "#2ca02c", assigned: "#ff7f0e", en_route: "#1f77b4",
                               on_site: "#9467bd", unavailable: "#8c564b", off_duty: "#bbbbbb"};
export const OFFICER_STALE = "#9e9e9e";     // a position too old to trust
export const OFFICER_UNKNOWN = "#333333";
// The per-area badges of the map above county level (app.css .lw-summary-*).
export const SUMMARY = {officers: "#1d6b1d", jobs: "#0b4f8a", incidents: "#b3261e"};

export function officerColour(officer) {
  return officer.stale ? OFFICER_STALE : OFFICER_STATUS[officer.status] || OFFICER_UNKNOWN;
}

// Bootstrap contextual class of an inspection's priority.
export const PRIORITY_CLASS = {urgent: "danger", high: "warning", normal: "secondary"};

export const GRADE = {A: "#2ca02c", B: "#ff9f1c", C: "#d62728", unrated: "#6b7f99"};
export const RISK = {red: "#d62728", orange: "#ff7f0e", yellow: "#e6c300", low: "#2ca02c"};
export const OUTSIDE = "#c51b8a";          // employers outside any grid, coverage gaps
export const DISCLOSED = "#4a1486";        // ring: employer on a published disclosure list
export const NO_STAFF = "#37474f";         // grids without staff (not red: red is grade C)
export const NO_VALUE = "#e0e0e0";
export const SELECTED = "#0b5cad";         // outline of the grid the map is about
export const UNKNOWN = "#888888";

// Grid fills: light = good, dark/red = needs attention.
export const RAMP = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
export const WARM = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"];

// Gi* hot and cold spots by confidence level.
export const HOT = {99: "#b2182b", 95: "#ef8a62", 90: "#fddbc7"};
export const COLD = {99: "#2166ac", 95: "#67a9cf", 90: "#d1e5f0"};
