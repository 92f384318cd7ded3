/* Calls to the app's own API: same-origin credentials, the CSRF token on writes, and one
 * ETag cache (a 304 answers with the body read before, the same object). */
import {t} from "./i18n.js";

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// The reader's text of a failed answer: the server's message (in the page's language)
// or the HTTP status.
export function errorText(res) {
  return res.body && res.body.error && res.body.error.message ? res.body.error.message
    : t("http_error", {status: res.status});
}

function failure(url, status, body) {
  const err = new Error(errorText({status: status, body: body}));
  err.status = status;
  err.url = url;
  return err;
}

const etags = new Map();  // url -> {tag, body}

// GET the JSON body, or reject with err.status set (404 = the route is not there).
// With {etag: true} the request revalidates what was read before: on 304 the promise
// resolves to the very same object, so callers can skip redrawing when `body === last`.
export function getJSON(url, options) {
  const opts = options || {};
  const headers = {Accept: "application/json, application/geo+json"};
  const known = opts.etag ? etags.get(url) : undefined;
  if (known) headers["If-None-Match"] = known.tag;
  const init = {credentials: "same-origin", headers: headers};
  if (opts.etag || opts.cache) init.cache = opts.etag ? "no-store" : opts.cache;
  return fetch(url, init).then(function (r) {
    if (r.status === 304 && known) return known.body;
    if (!r.ok) {
      return r.json().catch(function () { return null; })
        .then(function (body) { throw failure(url, r.status, body); });
    }
    return r.json().then(function (body) {
      const tag = r.headers.get("ETag");
      if (opts.etag && tag) etags.set(url, {tag: tag, body: body});
      return body;
    });
  });
}

// A write (POST, PATCH…) with a JSON body; resolves to {status, body}: the caller decides
// what a 409 or a 422 means.
export function send(method, url, body) {
  return fetch(url, {
    method: method, credentials: "same-origin",
    headers: {"Content-Type": "application/json", Accept: "application/json",
              "X-CSRFToken": csrfToken()},
    body: JSON.stringify(body)
  }).then(function (r) {
    return r.json().catch(function () { return {}; })
      .then(function (data) { return {status: r.status, body: data}; });
  });
}

export function postJSON(url, body) {
  return send("POST", url, body);
}

// A multipart POST (files) with the CSRF token; resolves to {status, body} like send().
export function postForm(url, data) {
  return fetch(url, {method: "POST", credentials: "same-origin", body: data,
                     headers: {Accept: "application/json", "X-CSRFToken": csrfToken()}})
    .then(function (r) {
      return r.json().catch(function () { return {}; })
        .then(function (body) { return {status: r.status, body: body}; });
    });
}
