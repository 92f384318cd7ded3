/* Tip rewards (/rewards): the territory's rewards from GET /api/v1/rewards, with approval
 * (amount within the bounds) or refusal for 指挥中心 and administrators, payment for
 * dispatchers, the tipster's name for those allowed (GET …/tipster, audited), and the form
 * proposing a reward for a case (its range from GET /api/v1/rewards/range). */
import {el, link, message} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {listQuery} from "../core/lists.js";
import {formatDateTime, label, t, useStrings} from "../core/i18n.js";
import {act, drawTable, formBody, note, whoWhen} from "../grading/common.js";
import {yuan} from "../projects/common.js";

function field(name, type, placeholder, value) {
  const input = el("input", null, "form-control form-control-sm");
  input.name = name;
  input.type = type;
  if (value !== undefined) input.value = value;
  input.placeholder = placeholder;
  input.setAttribute("aria-label", placeholder);
  return input;
}

function small(form, cls) {
  form.className = "d-flex flex-wrap gap-1 mb-1 " + cls;
  return form;
}

function actions(r, config, reload) {
  const box = el("div", null, "lw-actions");
  const say = el("span", null, "small d-block");
  say.setAttribute("role", "status");
  const send = function (b, path, body) {
    act(b, say, function () { return postJSON("/api/v1/rewards/" + r.id + path, body); }, reload);
  };
  if (r.status === "proposed" && config.can.decide) {
    const approve = small(el("form"), "lw-approve-form");
    const amount = field("amount", "number", t("rewards_ui.act.amount"), r.amount);
    amount.step = "0.01";
    const b = el("button", t("rewards_ui.act.approve"), "btn btn-sm btn-outline-success");
    b.type = "submit";
    approve.append(amount, b);
    approve.addEventListener("submit", function (event) {
      event.preventDefault();
      send(b, "/approve", {version: r.version, amount: Number(amount.value)});
    });
    box.appendChild(approve);
    const refuse = small(el("form"), "lw-refuse-form");
    const ground = el("select", null, "form-select form-select-sm w-auto");
    ground.name = "refusal";
    ground.setAttribute("aria-label", t("rewards_ui.act.refusal"));
    config.refusals.forEach(function (code) {
      const o = el("option", label("rewards.refusal.", code));
      o.value = code;
      ground.appendChild(o);
    });
    const noteBox = field("note", "text", t("rewards_ui.act.note"));
    const rb = el("button", t("rewards_ui.act.refuse"), "btn btn-sm btn-outline-danger");
    rb.type = "submit";
    refuse.append(ground, noteBox, rb);
    refuse.addEventListener("submit", function (event) {
      event.preventDefault();
      const body = {version: r.version, refusal: ground.value};
      if (noteBox.value.trim()) body.note = noteBox.value.trim();
      send(rb, "/refuse", body);
    });
    box.appendChild(refuse);
  }
  if (r.status === "approved" && config.can.pay) {
    const pay = small(el("form"), "lw-pay-form");
    const day = field("paid_on", "date", t("rewards_ui.act.paid_on"), config.today);
    day.max = config.today;
    const ref = field("reference", "text", t("rewards_ui.act.reference"));
    const b = el("button", t("rewards_ui.act.pay"), "btn btn-sm btn-outline-primary");
    b.type = "submit";
    pay.append(day, ref, b);
    pay.addEventListener("submit", function (event) {
      event.preventDefault();
      const body = {paid_on: day.value};
      if (ref.value.trim()) body.reference = ref.value.trim();
      send(b, "/payment", body);
    });
    box.appendChild(pay);
  }
  if (config.can.identity && r.status !== "refused") {
    const b = el("button", t("rewards_ui.act.tipster"), "btn btn-sm btn-link p-0 lw-tipster");
    b.type = "button";
    b.addEventListener("click", function () {
      getJSON("/api/v1/rewards/" + r.id + "/tipster").then(function (who) {
        b.replaceWith(el("span", t("rewards_ui.tipster", {name: who.name || "—",
                                                          phone: who.phone || "—"}),
                         "small d-block lw-tipster-shown"));
      }).catch(function (err) { note(say, err.message, false); });
    });
    box.appendChild(b);
  }
  box.appendChild(say);
  return box;
}

function statusCell(r) {
  const box = el("span", label("rewards.status.", r.status));
  if (r.refusal) box.appendChild(el("span", label("rewards.refusal.", r.refusal), "lw-sub"));
  if (r.status === "approved" && r.pay_due_on) {
    box.appendChild(el("span", t("rewards_ui.due", {date: r.pay_due_on}), "lw-sub"));
  }
  if (r.overdue) box.appendChild(el("span", t("rewards_ui.overdue"), "badge text-bg-danger ms-1"));
  return box;
}

function proposeForm(reload) {
  const form = document.getElementById("lw-propose-form");
  if (!form) return;
  const box = document.getElementById("lw-propose-message");
  const range = document.getElementById("lw-propose-range");
  form.elements.case_id.addEventListener("change", function () {
    range.textContent = "";
    const id = form.elements.case_id.value;
    if (!/^[0-9]+$/.test(id)) return;
    getJSON("/api/v1/cases/" + id).then(function (c) {
      if (!c.fine_amount) { range.textContent = t("rewards_ui.propose.no_fine"); return null; }
      return getJSON("/api/v1/rewards/range?fine=" + c.fine_amount).then(function (b) {
        range.textContent = t("rewards_ui.propose.range", {fine: yuan(c.fine_amount),
                                                           min: yuan(b.min), max: yuan(b.max)});
        if (!form.elements.amount.value) form.elements.amount.value = b.min;
      });
    }).catch(function (err) { range.textContent = err.message; });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const raw = formBody(form);
    const body = {case_id: Number(raw.case_id), amount: Number(raw.amount)};
    if (raw.reason) body.reason = raw.reason;
    act(form.querySelector("button[type=submit]"), box, function () {
      return postJSON("/api/v1/rewards", body);
    }, function () { form.reset(); range.textContent = ""; reload(); });
  });
}

export function start(config) {
  useStrings(config.strings);
  const root = document.getElementById("lw-rewards");
  const query = listQuery(config.filters, 1).replace(/(^|&)page=1/, "");

  function reload() {
    return getJSON("/api/v1/rewards?" + query).then(function (body) {
      document.getElementById("lw-total").textContent =
        t("rewards_ui.total", {total: body.items.length});
      drawTable(document.getElementById("lw-reward-rows"),
                document.querySelectorAll("#lw-reward-table thead th"), body.items,
                function (r) {
                  return [el("span", t("rewards_ui.no", {id: r.id})),
                          link(t("rewards_ui.case_no", {id: r.case_id}), "/cases/" + r.case_id),
                          el("span", yuan(r.fine_amount), "lw-num"),
                          el("span", yuan(r.amount), "lw-num"), statusCell(r),
                          whoWhen(r.proposed_by, r.proposed_at, formatDateTime),
                          whoWhen(r.decided_by, r.decided_at, formatDateTime),
                          el("span", r.paid_on ? r.paid_on + (r.payment_reference ? " · " +
                            r.payment_reference : "") : ""),
                          actions(r, config, reload)];
                }, function (r) { return "lw-reward-row" + (r.overdue ? " table-danger" : ""); },
                t("rewards_ui.empty"));
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      document.getElementById("lw-total").textContent = "";
      message(err.message || errorText({status: 0}), "danger", "mb-2");
      root.setAttribute("data-ready", "error");
    });
  }
  proposeForm(reload);
  reload();
}
