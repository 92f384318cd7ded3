/* Liangwang: the paged lists of the list pages (cases, staff): the page's filters as a query,
 * rows of cells where the whole row opens the record, and the pager under the table. */
import {el} from "./dom.js";
import {drawPager} from "./pager.js";
import {t} from "./i18n.js";

/** The filters as a query string, with `page` for the page's own number; empty ones left out. */
export function listQuery(filters, page) {
  const params = new URLSearchParams();
  Object.keys(filters).forEach(function (k) {
    const v = k === "page" ? page : filters[k];
    if (v !== null && v !== undefined && v !== "") params.set(k, v);
  });
  return params.toString();
}

/** One row per item in `tbody` (the table's headers label each cell for the phone layout);
 *  a click anywhere but on a link opens `href(item)`; `emptyText` when there is none. */
export function drawRows({tbody, headers, items, columns, cell, rowClass, href, emptyText}) {
  const labels = Array.from(headers).map(function (th) { return th.textContent; });
  tbody.textContent = "";
  items.forEach(function (item) {
    const tr = el("tr", null, rowClass(item));
    tr.setAttribute("data-id", item.id);
    tr.addEventListener("click", function (event) {
      if (!event.target.closest("a") && !globalThis.getSelection().toString()) {
        globalThis.location.href = href(item);
      }
    });
    columns.forEach(function (column, i) {
      const td = el("td");
      td.setAttribute("data-label", labels[i]);
      const node = cell(column, item);
      if (node.textContent !== "") td.appendChild(node);  // empty cells fold away on a phone
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  });
  if (!items.length) {
    const tr = el("tr");
    const td = el("td", emptyText, "text-muted");
    td.colSpan = columns.length;
    tr.appendChild(td);
    tbody.appendChild(tr);
  }
}

/** The pager of a list answer ({page, total, per_page}) linking to `path` with the filters;
 *  texts from the catalog keys `<prefix>.prev`, `.next`, `.page_of`. */
export function listPager(nav, path, body, filters, prefix) {
  drawPager(nav, {
    page: body.page, total: body.total, perPage: body.per_page,
    pageHref: function (page) { return path + "?" + listQuery(filters, page); },
    texts: {prev: t(prefix + ".prev"), next: t(prefix + ".next"),
            pageOf: function (page, pages) { return t(prefix + ".page_of", {page: page, pages: pages}); }}
  });
}
