/* Changes made without signal, kept in the browser (localStorage, per account) and sent in
 * order when the signal returns (the `online` event, page load, every 30 s, or "send now").
 *
 * The API's conflict rules decide, not the phone: a correction carries the `updated_at` it was
 * made from (someone else's change since → 409), a GPS fix carries `surveyed_at`, when it was
 * taken (a newer location → 409). A refused change (4xx) leaves the outbox and is shown with
 * the server's reason; a network failure or a 5xx keeps it for the next try; a 401 (signed
 * out) keeps everything and asks to sign in again. Two edits of one employer's details made
 * offline are merged into one request, made from the version first read. */
import {send} from "../core/http.js";

const RETRY_MS = 30000;

// A request failed for want of a network (not an answer from the server).
export function offline(err) {
  return err instanceof TypeError || !navigator.onLine;
}

export function startOutbox(key, hooks) {
  let sending = null;
  let signedOut = false;

  function read() {
    try {
      return JSON.parse(localStorage.getItem(key) || "[]");
    } catch {
      return [];
    }
  }

  function write(entries) {
    localStorage.setItem(key, JSON.stringify(entries));
    hooks.changed(entries, {signedOut: signedOut});
  }

  // entry: {employer_id, name, kind: "details" | "location", method, url, body}
  function add(entry) {
    const entries = read();
    const same = entries.findIndex(function (e) {
      return e.employer_id === entry.employer_id && e.kind === entry.kind;
    });
    if (same >= 0 && entry.kind === "details") {
      // one request made from the version first read, with every change since
      Object.assign(entries[same].body.changes, entry.body.changes);
    } else if (same >= 0) {
      entries[same] = entry;  // a newer fix of the same employer replaces the older one
    } else {
      entries.push(entry);
    }
    write(entries);
  }

  function has(employerId) {
    return read().some(function (e) { return e.employer_id === employerId; });
  }

  function flush() {
    if (sending) return sending;
    if (!read().length || !navigator.onLine) { hooks.changed(read(), {signedOut: signedOut}); return Promise.resolve(); }
    sending = next().then(function () { sending = null; }, function () { sending = null; });
    return sending;
  }

  function next() {
    const entries = read();
    if (!entries.length) return Promise.resolve();
    const entry = entries[0];
    return send(entry.method, entry.url, entry.body).then(function (res) {
      if (res.status === 401) { signedOut = true; write(read()); return null; }
      if (res.status >= 500) return null;  // the server's trouble: try again later
      signedOut = false;
      write(read().filter(function (e) { return e.id !== entry.id; }));
      if (res.status >= 200 && res.status < 300) hooks.sent(entry, res.body);
      else hooks.refused(entry, res);
      return next();
    }, function () { return null; });  // still no network
  }

  function queue(entry) {
    add(Object.assign({id: Date.now() + "-" + Math.random().toString(36).slice(2),
                       queued_at: new Date().toISOString()}, entry));
  }

  globalThis.addEventListener("online", flush);
  globalThis.addEventListener("offline", function () { hooks.changed(read(), {signedOut: signedOut}); });
  setInterval(flush, RETRY_MS);
  return {queue: queue, flush: flush, has: has, entries: read};
}
