/* Cross-county requests (跨区调用) on the dispatcher page: the offer under a recommendation
 * that left out nearby inspectors of other counties, and the panel of requests involving the
 * user's territory (approve / refuse those addressed to it, withdraw its own). Refreshed with
 * the page's poll; redrawn only when the list changed. Text goes in with textContent. */
import {el} from "../core/dom.js";
import {errorText, getJSON, postJSON} from "../core/http.js";
import {formatDateTime, label, t} from "../core/i18n.js";

const BADGE = {requested: "bg-warning text-dark", approved: "bg-success",
               refused: "bg-secondary", withdrawn: "bg-light text-dark border"};
const SHOWN = 20;

// The city of a county adcode (济源 419001 is its own city).
function cityOf(county) {
  return county === "419001" ? county : county.slice(0, 4) + "00";
}

// A small alert in `box`, hidden when there is no text.
function note(box, text, kind) {
  box.textContent = text || "";
  box.className = text ? "alert small py-1 px-2 my-1 alert-" + (kind || "info") : "d-none";
}

function ok(res) {
  return res.status >= 200 && res.status < 300;
}

// config: canAssign, territory (county adcodes of the user's territory, null: all), user.
// onApproved: called when the set of approvals lent to the user's territory changes.
export function startLoans(config, onApproved) {
  const mine = config.territory;
  const names = {};   // county adcode -> name
  const cities = {};  // city adcode -> promise of its counties [{adcode, name}]
  const state = {items: [], key: null, approved: null, offerFor: null};
  const list = document.getElementById("lw-loans");
  const offerBox = document.getElementById("lw-loan-offer");
  const panelNote = document.getElementById("lw-loans-message");

  function covers(county) {
    return mine === null || mine === undefined || mine.indexOf(county) >= 0;
  }

  function name(adcode) {
    return names[adcode] || adcode;
  }

  function counties(city) {
    if (!cities[city]) {
      cities[city] = getJSON("/api/v1/areas?level=county&simplify=5000&parent=" + city)
        .then(function (fc) {
          return fc.features.map(function (f) {
            names[f.properties.adcode] = f.properties.name;
            return {adcode: f.properties.adcode, name: f.properties.name};
          });
        }, function (err) {
          delete cities[city];
          throw err;
        });
    }
    return cities[city];
  }

  function loadNames(items) {
    const wanted = {};
    items.forEach(function (loan) {
      [loan.requesting_county, loan.lending_county].forEach(function (c) {
        if (!names[c]) wanted[cityOf(c)] = true;
      });
    });
    return Promise.all(Object.keys(wanted).map(counties));
  }

  function expired(loan) {
    return loan.status === "approved" && !!loan.valid_until &&
      Date.parse(loan.valid_until) <= Date.now();
  }

  function addressed(loan) {  // waiting for this territory's decision
    return loan.status === "requested" && covers(loan.lending_county) &&
      loan.requested_by !== config.user;
  }

  function withdrawable(loan) {
    return covers(loan.requesting_county) &&
      (loan.status === "requested" || (loan.status === "approved" && !expired(loan)));
  }

  function act(url, body, buttons, done) {
    buttons.forEach(function (b) { b.disabled = true; });
    note(panelNote, "");
    return postJSON(url, body).then(function (res) {
      if (ok(res)) {
        note(panelNote, t(done), "success");
      } else {
        note(panelNote, errorText(res), res.status === 409 ? "warning" : "danger");
        buttons.forEach(function (b) { b.disabled = false; });
      }
      state.key = null;  // redraw even if nothing changed
      return refresh();
    });
  }

  function actions(li, loan) {
    if (addressed(loan)) {
      const row = el("div", null, "d-flex gap-1 mt-1 lw-loan-decide");
      const text = el("input", null, "form-control form-control-sm lw-loan-note");
      text.type = "text";
      text.placeholder = t("loans_ui.note_placeholder");
      text.setAttribute("aria-label", t("loans_ui.note_placeholder"));
      const yes = el("button", t("loans_ui.approve"), "btn btn-sm btn-success lw-loan-approve");
      const no = el("button", t("loans_ui.refuse"), "btn btn-sm btn-outline-danger lw-loan-refuse");
      [yes, no].forEach(function (b) {
        b.type = "button";
        b.classList.add("text-nowrap");
      });
      function decide(decision) {
        const body = {decision: decision};
        if (text.value.trim()) body.note = text.value.trim();
        act("/api/v1/officer-loans/" + loan.id + "/decision", body, [yes, no],
            "loans_ui.done." + decision);
      }
      yes.addEventListener("click", function () { decide("approve"); });
      no.addEventListener("click", function () { decide("refuse"); });
      row.appendChild(text);
      row.appendChild(yes);
      row.appendChild(no);
      li.appendChild(row);
    }
    if (withdrawable(loan)) {
      const back = el("button", t("loans_ui.withdraw"),
                      "btn btn-sm btn-outline-secondary mt-1 lw-loan-withdraw");
      back.type = "button";
      back.addEventListener("click", function () {
        if (!globalThis.confirm(t("loans_ui.withdraw_confirm"))) return;
        act("/api/v1/officer-loans/" + loan.id + "/withdraw", {}, [back],
            "loans_ui.done.withdraw");
      });
      li.appendChild(back);
    }
  }

  function loanItem(loan) {
    const li = el("li", null, "list-group-item lw-loan");
    li.setAttribute("data-id", loan.id);
    li.setAttribute("data-status", loan.status);
    const late = expired(loan);
    const head = el("div", null, "d-flex justify-content-between align-items-start gap-2");
    head.appendChild(el("strong", t("loans_ui.direction", {
      requesting: name(loan.requesting_county), lending: name(loan.lending_county)})));
    head.appendChild(el("span", late ? t("loans_ui.expired") : label("loans.status.", loan.status),
                        "badge lw-loan-status " + (late ? "bg-secondary" : BADGE[loan.status])));
    li.appendChild(head);
    li.appendChild(el("div", loan.reason, "lw-loan-reason text-break"));
    const facts = [t("loans_ui.hours_n", {hours: loan.hours})];
    if (loan.inspection_id) facts.push(t("loans_ui.inspection", {id: loan.inspection_id}));
    li.appendChild(el("div", facts.join(" · "), "text-muted"));
    li.appendChild(el("div", t("loans_ui.requested_by", {
      user: loan.requested_by || "", time: formatDateTime(loan.requested_at)}), "text-muted"));
    if (loan.decided_at) {
      li.appendChild(el("div", t("loans_ui.decided_by", {
        user: loan.decided_by || "", time: formatDateTime(loan.decided_at)}), "text-muted"));
    }
    if (loan.decision_note) {
      li.appendChild(el("div", t("loans_ui.note", {note: loan.decision_note}),
                        "text-muted text-break"));
    }
    if (loan.status === "approved" && loan.valid_until) {
      li.appendChild(el("div", t("loans_ui.valid_until", {time: formatDateTime(loan.valid_until)}),
                        "lw-loan-valid " + (late ? "text-muted" : "text-success")));
    }
    if (config.canAssign) actions(li, loan);
    return li;
  }

  function draw(items) {
    list.textContent = "";
    const sorted = items.slice().sort(function (a, b) {
      return (addressed(b) ? 1 : 0) - (addressed(a) ? 1 : 0) || b.id - a.id;
    });
    sorted.slice(0, SHOWN).forEach(function (loan) { list.appendChild(loanItem(loan)); });
    if (!items.length) list.appendChild(el("li", t("loans_ui.none"), "list-group-item text-muted"));
    if (items.length > SHOWN) {
      list.appendChild(el("li", t("loans_ui.more", {n: items.length - SHOWN}),
                          "list-group-item text-muted"));
    }
  }

  // Approvals lent to this territory now: when they change, the recommendation changes.
  function approvals(items) {
    return items.filter(function (loan) {
      return loan.status === "approved" && !expired(loan) && covers(loan.requesting_county);
    }).map(function (loan) { return loan.id; }).join(",");
  }

  function typing() {
    const a = document.activeElement;
    return !!a && a.tagName === "INPUT" && list.contains(a);
  }

  function refresh() {
    return getJSON("/api/v1/officer-loans").then(function (body) {
      const key = JSON.stringify(body.items);
      if (key === state.key || (state.key !== null && typing())) return undefined;
      return loadNames(body.items).then(function () {
        state.key = key;
        state.items = body.items;
        draw(body.items);
        const approved = approvals(body.items);
        if (state.approved !== null && approved !== state.approved && onApproved) onApproved();
        state.approved = approved;
      });
    }).catch(function (err) { note(panelNote, err.message, "danger"); });
  }

  function field(labelText, control) {
    const wrap = el("div", null, "mb-1");
    const lab = el("label", labelText, "form-label small mb-0");
    control.id = "lw-loan-" + control.name;
    lab.setAttribute("for", control.id);
    wrap.appendChild(lab);
    wrap.appendChild(control);
    return wrap;
  }

  function form(item, choices, box) {
    const f = el("form", null, "lw-loan-form mt-1");
    const lender = el("select", null, "form-select form-select-sm");
    lender.name = "lending_county";
    choices.forEach(function (c) {
      const o = el("option", c.name);
      o.value = c.adcode;
      lender.appendChild(o);
    });
    const reason = el("input", null, "form-control form-control-sm");
    reason.name = "reason";
    reason.type = "text";
    reason.placeholder = t("loans_ui.reason_placeholder");
    const hours = el("input", null, "form-control form-control-sm");
    hours.name = "hours";
    hours.type = "number";
    hours.min = "1";
    hours.max = "720";
    hours.value = "24";
    f.appendChild(field(t("loans_ui.lending_county"), lender));
    f.appendChild(field(t("loans_ui.reason"), reason));
    const row = el("div", null, "d-flex align-items-end gap-2");
    const hoursField = field(t("loans_ui.hours"), hours);
    hoursField.classList.add("flex-grow-1");
    row.appendChild(hoursField);
    const submit = el("button", t("loans_ui.submit"), "btn btn-sm btn-primary mb-1 text-nowrap");
    submit.type = "submit";
    row.appendChild(submit);
    f.appendChild(row);
    const result = el("div", null, "d-none");
    f.appendChild(result);
    f.noValidate = true;  // the server says what is missing, in the page's language
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      submit.disabled = true;
      note(result, "");
      const body = {requesting_county: item.county_adcode, lending_county: lender.value,
                    reason: reason.value, inspection_id: item.id};
      if (hours.value !== "") body.hours = Number(hours.value);
      postJSON("/api/v1/officer-loans", body).then(function (res) {
        submit.disabled = false;
        if (ok(res)) {
          note(result, t("loans_ui.sent", {county: name(res.body.lending_county)}), "success");
          reason.value = "";
        } else {
          note(result, errorText(res), "danger");
        }
        return refresh();
      });
    });
    box.appendChild(f);
  }

  // The offer under the recommendation of `item` (nothing when rec is not given or left
  // nobody of another county out).
  function offer(item, rec) {
    offerBox.textContent = "";
    state.offerFor = item ? item.id : null;
    if (!item || !rec || !(rec.outside_territory > 0) || !config.canAssign) return;
    const box = el("div", null, "border rounded p-2 mt-2 bg-white lw-loan-offer");
    box.appendChild(el("div", t("loans_ui.hint", {n: rec.outside_territory}),
                       "fw-semibold text-warning-emphasis lw-loan-hint"));
    offerBox.appendChild(box);
    counties(cityOf(item.county_adcode)).then(function (all) {
      if (state.offerFor !== item.id) return;
      state.items.filter(function (loan) {
        return loan.inspection_id === item.id && loan.status === "requested";
      }).forEach(function (loan) {
        box.appendChild(el("div", t("loans_ui.pending_for_job", {county: name(loan.lending_county)}),
                           "text-muted lw-loan-pending"));
      });
      const choices = all.filter(function (c) { return c.adcode !== item.county_adcode; });
      if (choices.length) form(item, choices, box);
    }).catch(function (err) {
      const failed = el("div");
      note(failed, err.message, "danger");
      box.appendChild(failed);
    });
  }

  return {refresh: refresh, offer: offer};
}
