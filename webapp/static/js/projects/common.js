/* Shared pieces of the project pages: money in yuan, the warning chip with its reasons, and
 * writes that are not JSON (the file import). Text from the database goes in with
 * textContent. */
import {el} from "../core/dom.js";
import {label, locale, t} from "../core/i18n.js";

// An amount of yuan with two decimals in the page's language ("12,345.60").
export function yuan(value) {
  if (value === null || value === undefined) return "";
  return Number(value).toLocaleString(locale(), {minimumFractionDigits: 2,
                                                 maximumFractionDigits: 2});
}

// The warning level as a coloured chip (红色预警 / 橙色 / 黄色 / 无预警).
export function levelChip(level) {
  const code = level || "none";
  const chip = el("span", label("project.level.", code), "lw-level lw-level-" + code);
  chip.setAttribute("data-level", code);
  return chip;
}

// The chip with the reasons under it, each the server's sentence.
export function warningCell(level, reasons) {
  const box = el("div");
  box.appendChild(levelChip(level));
  if (reasons && reasons.length) {
    const list = el("ul", null, "lw-reasons");
    reasons.forEach(function (r) {
      list.appendChild(el("li", r.text, "lw-reason lw-reason-" + r.level));
    });
    box.appendChild(list);
  }
  return box;
}

// The label of the project's place: county · grid code.
export function place(item) {
  return [item.county_name || item.county_adcode, item.grid_code].filter(Boolean).join(" · ");
}

export function yuanText(value) {
  return t("projects_ui.yuan", {amount: yuan(value)});
}

