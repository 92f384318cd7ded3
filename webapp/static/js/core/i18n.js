/* The page's catalog strings (geo/core/messages/<lang>/ui.json, chosen by the server) and
 * formatting in the page's language. Dates and times are shown in Beijing time. */

let strings = {};

export function useStrings(table) {
  strings = Object.assign({}, strings, table || {});
}

// The text of a catalog key, its {fields} filled from `values`. A key the page was not
// given is shown as is (and logged), so a missing string is easy to spot.
export function t(key, values) {
  let text = strings[key];
  if (text === undefined) {
    if (globalThis.console) console.warn("no catalog text for", key);
    return key;
  }
  if (values) {
    text = text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] === undefined || values[name] === null ? whole : String(values[name]);
    });
  }
  return text;
}

// The text of `prefix + code` (a status, kind, priority…), or the code if there is none.
export function label(prefix, code) {
  return strings[prefix + code] !== undefined ? strings[prefix + code] : code;
}

export function language() {
  return document.documentElement.lang === "en" ? "en" : "zh";
}

export function locale() {
  return language() === "en" ? "en-GB" : "zh-CN";
}

const ZONE = "Asia/Shanghai";

export function formatTime(value) {
  return new Date(value).toLocaleTimeString(locale(), {timeZone: ZONE, hour12: false});
}

export function formatDateTime(value) {
  return new Date(value).toLocaleString(locale(), {timeZone: ZONE, hour12: false});
}

export function formatNumber(value) {
  return typeof value === "number" ? value.toLocaleString(locale()) : value;
}
