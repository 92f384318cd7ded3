/* Written-review campaigns (/reviews): the territory's campaigns from GET
 * /api/v1/review-campaigns with their progress, the form starting one (POST), and for a
 * campaign past its due date the button scheduling the non-submitters for inspection. */
import {el, link, message} from "../core/dom.js";
import {getJSON, postJSON} from "../core/http.js";
import {formatNumber, t, useStrings} from "../core/i18n.js";
import {act, drawTable, note} from "../grading/common.js";

function number(value) { return el("span", formatNumber(value || 0), "lw-num"); }

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-reviews");

  function actions(c, refresh) {
    const box = el("div");
    box.appendChild(link(t("annual_ui.reviews.open"), "/reviews/" + c.id));
    if (config.can.campaign && c.past_due && c.progress.pending > 0) {
      const b = el("button", t("annual_ui.reviews.schedule"),
                   "btn btn-sm btn-outline-primary d-block mt-1 lw-schedule");
      b.type = "button";
      const say = el("span", null, "small d-block");
      b.addEventListener("click", function () {
        act(b, say, function () {
          return postJSON("/api/v1/review-campaigns/" + c.id + "/schedule-missing", {});
        }, function (res) {
          note(say, t("annual_ui.reviews.scheduled", {count: res.body.inspections}), true);
          refresh();
        });
      });
      box.append(b, say);
    }
    return box;
  }

  function reload() {
    return getJSON("/api/v1/review-campaigns").then(function (body) {
      document.getElementById("lw-total").textContent =
        t("annual_ui.reviews.total", {total: body.items.length});
      drawTable(document.getElementById("lw-campaign-rows"),
                document.querySelectorAll("#lw-campaign-table thead th"), body.items,
                function (c) {
                  const p = c.progress;
                  return [el("span", t("annual_ui.reviews.year_n", {year: c.year})),
                          el("span", config.areas[c.area] || c.area), el("span", c.due_on),
                          number(c.employers), number(p.pending), number(p.submitted),
                          number(p.reviewed), number(p.problems), number(p.inspections),
                          actions(c, reload)];
                }, function () { return "lw-campaign-row"; }, t("annual_ui.reviews.empty"));
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      message(err.message, "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
  }

  const form = document.getElementById("lw-new-form");
  if (form) {
    const box = document.getElementById("lw-new-message");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const grades = Array.from(form.querySelectorAll("input[name=grades]:checked"))
        .map(function (i) { return i.value; });
      const body = {area: form.elements.area.value, year: Number(form.elements.year.value),
                    due_on: form.elements.due_on.value,
                    min_employees: Number(form.elements.min_employees.value || 0)};
      if (grades.length) body.grades = grades;
      act(form.querySelector("button[type=submit]"), box, function () {
        return postJSON("/api/v1/review-campaigns", body);
      }, function (res) { globalThis.location.href = "/reviews/" + res.body.id; });
    });
  }
  reload();
}
