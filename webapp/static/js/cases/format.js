/* How a case's figures read: the time limit with its working days left, money, supervision.
 * Every code arrives with its *_text from the API; only the texts are shown. */
import {el} from "../core/dom.js";
import {locale, t} from "../core/i18n.js";

export function money(value) {
  if (value === null || value === undefined || value === "") return "";
  const amount = Number(value).toLocaleString(locale(), {minimumFractionDigits: 2,
                                                         maximumFractionDigits: 2});
  return t("cases.money", {amount: amount});
}

// "剩 12 个工作日" / "超期 3 个工作日" / "今日到期"; empty once the case is closed.
export function daysLeftText(c) {
  const n = c.working_days_left;
  if (c.closed_on || n === null || n === undefined) return "";
  if (n < 0) return t("cases.days_over", {n: -n});
  if (n === 0) return t("cases.due_today");
  return t("cases.days_left", {n: n});
}

// The time limit: the date, the days left under it (red when overdue), and badges.
export function deadlineCell(c) {
  const box = el("span");
  box.appendChild(el("span", c.due_on, c.overdue && !c.closed_on ? "lw-late" : null));
  if (c.extended) box.appendChild(el("span", t("cases.extended"), "badge text-bg-info ms-1"));
  if (c.suspended && !c.closed_on) {
    box.appendChild(el("span", t("cases.suspended"), "badge text-bg-secondary ms-1"));
  }
  if (c.closed_on) box.appendChild(el("span", t("cases.closed_sub", {day: c.closed_on}), "lw-sub"));
  const left = daysLeftText(c);
  if (left) box.appendChild(el("span", left, "lw-sub" + (c.overdue ? " lw-late" : "")));
  return box;
}

export function supervisionCell(c) {
  const s = c.supervision;
  if (!s) return el("span", "");
  const box = el("span");
  box.appendChild(el("span", t("cases.supervision_line", {level: s.level_text,
                                                         deadline: s.deadline}),
                     s.overdue ? "lw-late" : null));
  if (s.overdue) box.appendChild(el("span", t("cases.supervision_overdue"), "lw-sub lw-late"));
  return box;
}

// An instant as Beijing date and time, "2026-11-02 14:00".
export function instant(value) {
  if (!value) return "";
  const parts = {};
  new Intl.DateTimeFormat("en-CA", {timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
                                    day: "2-digit", hour: "2-digit", minute: "2-digit",
                                    hourCycle: "h23"})
    .formatToParts(new Date(value)).forEach(function (p) { parts[p.type] = p.value; });
  return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
}

export function handlerNames(c) {
  return (c.handlers || []).map(function (h) { return h.name; }).join("、");
}
