/* One written-review campaign (/reviews/<id>): its employers from GET
 * /api/v1/review-campaigns/<id>/submissions (by status), the materials recorded for one that
 * has not submitted (POST …/submit, a statement per item) and the review of one that has
 * (POST …/review, in order or a problem per item; a problem opens an inspection). */
import {attachmentBox} from "../core/attachments.js";
import {el, message} from "../core/dom.js";
import {getJSON, postJSON} from "../core/http.js";
import {formatNumber, label, t, useStrings} from "../core/i18n.js";
import {act, drawTable} from "../grading/common.js";

function itemsForm(s, config, reload) {
  const details = el("details", null, "lw-submit");
  details.appendChild(el("summary", t("annual_ui.subs.submit"), "small"));
  const form = el("form", null, "mt-1");
  config.items.forEach(function (item) {
    const input = el("input", null, "form-control form-control-sm mb-1");
    input.name = item;
    input.maxLength = 2000;
    input.placeholder = label("review.item.", item);
    input.setAttribute("aria-label", label("review.item.", item));
    form.appendChild(input);
  });
  const b = el("button", t("annual_ui.subs.submit"), "btn btn-sm btn-outline-primary");
  b.type = "submit";
  const say = el("span", null, "small d-block");
  form.append(b, say);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const items = {};
    config.items.forEach(function (item) { items[item] = form.elements[item].value.trim(); });
    act(b, say, function () {
      return postJSON("/api/v1/review-submissions/" + s.id + "/submit", {items: items});
    }, reload);
  });
  details.appendChild(form);
  details.appendChild(attachmentBox("review", s.id, true));
  return details;
}

function reviewForm(s, config, reload) {
  const form = el("form", null, "lw-review-form");
  config.items.forEach(function (item) {
    const row = el("label", null, "d-flex justify-content-between gap-2 small");
    row.appendChild(el("span", label("review.item.", item) + "：" + ((s.items || {})[item] || "")));
    const select = el("select", null, "form-select form-select-sm w-auto");
    select.name = item;
    [["ok", "annual_ui.subs.ok"], ["problem", "annual_ui.subs.problem"]].forEach(function (o) {
      const option = el("option", t(o[1]));
      option.value = o[0];
      select.appendChild(option);
    });
    row.appendChild(select);
    form.appendChild(row);
  });
  const b = el("button", t("annual_ui.subs.review"), "btn btn-sm btn-outline-primary mt-1");
  b.type = "submit";
  const say = el("span", null, "small d-block");
  form.append(b, say);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const findings = config.items.map(function (item) {
      return {item: item, ok: form.elements[item].value === "ok"};
    });
    act(b, say, function () {
      return postJSON("/api/v1/review-submissions/" + s.id + "/review", {findings: findings});
    }, reload);
  });
  return form;
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-review");
  const status = document.getElementById("lw-state");
  const c = config.campaign;

  function progress(campaign) {
    const p = campaign.progress;
    document.getElementById("lw-progress").textContent = [
      ["employers", campaign.employers], ["pending", p.pending], ["submitted", p.submitted],
      ["reviewed", p.reviewed], ["problems", p.problems], ["inspections", p.inspections]
    ].map(function (x) {
      return t("annual_ui.reviews.col." + x[0]) + " " + formatNumber(x[1]);
    }).join(" · ");
  }
  progress(c);

  let loads = 0;  // only the newest answer is drawn: two reloads may cross on the wire
  function reload() {
    const seq = ++loads;
    root.setAttribute("data-ready", "0");
    const q = "per_page=200" + (status.value ? "&status=" + status.value : "");
    getJSON("/api/v1/review-campaigns/" + c.id).then(progress)
      .catch(function () { /* the list below says what went wrong */ });
    return getJSON("/api/v1/review-campaigns/" + c.id + "/submissions?" + q).then(function (body) {
      if (seq !== loads) {
        return;
      }
      document.getElementById("lw-total").textContent =
        t("annual_ui.subs.total", {total: formatNumber(body.total)});
      drawTable(document.getElementById("lw-sub-rows"),
                document.querySelectorAll("#lw-sub-table thead th"), body.items, function (s) {
                  const outcome = s.outcome === "problems"
                    ? t("annual_ui.subs.outcome.problems", {id: s.inspection_id})
                    : s.outcome ? t("annual_ui.subs.outcome.ok") : "";
                  const can = config.can.review;
                  return [el("span", s.employer), el("span", config.areas[s.county_adcode] ||
                                                   s.county_adcode),
                          el("span", label("review.status.", s.status)), el("span", outcome),
                          can && s.status === "pending" ? itemsForm(s, config, reload)
                            : can && s.status === "submitted" ? reviewForm(s, config, reload)
                              : el("span", "")];
                }, function () { return "lw-sub-row"; }, t("annual_ui.subs.empty"));
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      message(err.message, "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
  }
  status.addEventListener("change", reload);
  reload();
}
