/* Building page content. Text from the database goes in with textContent, never as HTML. */

// An element with optional text (set as textContent) and class names.
export function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

// A two-column table of [label, value] rows; rows without a value are left out.
export function table(rows, cls) {
  const t = el("table", null, cls || "lw-popup");
  rows.forEach(function (r) {
    if (r[1] === undefined || r[1] === null || r[1] === "") return;
    const tr = el("tr");
    tr.appendChild(el("th", r[0]));
    tr.appendChild(el("td", r[1]));
    t.appendChild(tr);
  });
  return t;
}

export function link(text, href) {
  const a = el("a", text);
  a.setAttribute("href", href);
  return a;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
  });
}

// The page's status line (#lw-status).
export function status(text) {
  const box = document.getElementById("lw-status");
  if (box) box.textContent = text || "";
}

// The page's message box (#lw-message): a Bootstrap alert of `kind`, hidden when empty.
export function message(text, kind, spacing) {
  const box = document.getElementById("lw-message");
  if (!box) return;
  box.textContent = text || "";
  box.className = "alert small " + (spacing || "mt-2") + " " +
    (text ? "alert-" + (kind || "info") : "d-none");
}
