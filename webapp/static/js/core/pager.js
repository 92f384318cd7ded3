/* Liangwang: the pager under a list (previous · page k of n · next), as links to the same page
 * with another `page`. `pageHref(page)` builds the address; texts come from the catalogs. */
import {el, link} from "./dom.js";

export function drawPager(nav, {page, total, perPage, pageHref, texts}) {
  nav.textContent = "";
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return;
  const list = el("ul", null, "pagination pagination-sm flex-wrap");
  function item(text, target, current) {
    const off = target < 1 || target > pages;
    const li = el("li", null, "page-item" + (current ? " active" : "") + (off ? " disabled" : ""));
    if (off || current) {
      const span = el("span", text, "page-link");
      if (current) span.setAttribute("aria-current", "page");
      li.appendChild(span);
    } else {
      const a = link(text, pageHref(target));
      a.className = "page-link";
      li.appendChild(a);
    }
    list.appendChild(li);
  }
  item(texts.prev, page - 1, false);
  item(texts.pageOf(page, pages), page, true);
  item(texts.next, page + 1, false);
  nav.appendChild(list);
}
