/* The decision dialog: 受理(检查/立案), 不予受理, 补正, 转办 with a reason, and 补正材料已收到.
 * Every decision is a written notice: on success the page links to its .docx. */
import {el} from "../core/dom.js";
import {errorText, postJSON} from "../core/http.js";
import {t} from "../core/i18n.js";

// action -> the request body's fixed part; "information" posts to its own route.
const DECISION = {
  accept_inspect: {decision: "accept", mode: "inspect"},
  accept_case: {decision: "accept", mode: "case"},
  refuse: {decision: "refuse"},
  request_info: {decision: "request_info"},
  redirect: {decision: "redirect"}
};

// The page's message box (#lw-message) with a sentence and, when given, a download link.
export function notify(text, kind, notice) {
  const box = document.getElementById("lw-message");
  box.textContent = "";
  box.className = "alert small mt-2 " + (text ? "alert-" + (kind || "info") : "d-none");
  if (!text) return;
  box.appendChild(el("span", text));
  if (notice) {
    const a = el("a", t("complaints.notice"), "ms-2 lw-c-notice alert-link");
    a.href = notice;
    a.setAttribute("download", "");
    box.appendChild(a);
  }
}

export function decisionDialog(handlers) {
  const dialog = document.getElementById("lw-c-decision");
  const form = document.getElementById("lw-c-decision-form");
  const reason = document.getElementById("lw-c-reason");
  const reasonLabel = document.getElementById("lw-c-reason-label");
  const redirect = document.getElementById("lw-c-redirect-fields");
  const redirectTo = document.getElementById("lw-c-redirect-to");
  const redirectKind = document.getElementById("lw-c-redirect-kind");
  const grounds = document.getElementById("lw-c-ground-fields");
  const ground = document.getElementById("lw-c-ground");
  const error = document.getElementById("lw-c-decision-error");
  const submit = document.getElementById("lw-c-decision-submit");
  let current = null;  // {complaint, action, button}

  function showError(text) {
    error.textContent = text || "";
    error.classList.toggle("d-none", !text);
  }

  function open(complaint, action, button) {
    current = {complaint: complaint, action: action, button: button};
    document.getElementById("lw-c-decision-title").textContent =
      t("complaints.dialog_title", {action: t("complaints.action." + action), id: complaint.id});
    const info = action === "information";
    reasonLabel.textContent = t(info ? "complaints.note" : action === "request_info"
      ? "complaints.reason_info" : "complaints.reason");
    reason.required = !info;
    reason.setAttribute("aria-required", info ? "false" : "true");
    // A proposal (e.g. time-barred) fills in its reason; the person still reads and confirms.
    const p = complaint.proposal;
    reason.value = p && DECISION[action] && p.decision === DECISION[action].decision
      ? p.reason_text || "" : "";
    redirect.hidden = action !== "redirect";
    grounds.hidden = action !== "refuse";
    // A proposal to refuse comes from the limitation check (条例 Art. 20).
    ground.value = p && p.decision === "refuse" ? "time_barred" : ground.options[0].value;
    redirectTo.value = "";
    submit.disabled = false;
    submit.textContent = t("complaints.confirm");
    showError("");
    dialog.showModal();
    (action === "redirect" ? redirectKind : action === "refuse" ? ground : reason).focus();
  }

  function close() {
    dialog.close();
  }

  dialog.addEventListener("close", function () {
    if (current && current.button && document.body.contains(current.button)) current.button.focus();
  });
  document.getElementById("lw-c-decision-cancel").addEventListener("click", close);
  [reason, redirectTo].forEach(function (input) {
    input.addEventListener("input", function () { showError(""); });
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    const c = current.complaint;
    const text = reason.value.trim();
    let url = "/api/v1/complaints/" + c.id + "/decision";
    let body;
    if (current.action === "information") {
      url = "/api/v1/complaints/" + c.id + "/information";
      body = {note: text};
    } else {
      if (!text) {
        showError(t("complaints.reason_required"));
        reason.focus();
        return;
      }
      body = Object.assign({reason: text}, DECISION[current.action]);
      if (current.action === "refuse") body.ground = ground.value;
      if (current.action === "redirect") {
        if (!redirectTo.value.trim()) {
          showError(t("complaints.redirect_to_required"));
          redirectTo.focus();
          return;
        }
        body.redirect_to = redirectTo.value.trim();
        body.redirect_kind = redirectKind.value;
      }
    }
    submit.disabled = true;
    submit.textContent = t("complaints.sending");
    postJSON(url, body).then(function (res) {
      submit.disabled = false;
      submit.textContent = t("complaints.confirm");
      if (res.status !== 200) {
        showError(errorText(res));
        return;
      }
      const action = current.action;
      current.button = null;
      close();
      if (action === "information") {
        handlers.onDone(res.body, null);
        notify(t("complaints.info_received", {id: c.id}), "success");
      } else {
        handlers.onDone(res.body.complaint, res.body.notice_url);
        notify(t("complaints.decided", {id: c.id, status: res.body.status_text}), "success",
               res.body.notice_url);
      }
      const link = document.querySelector("#lw-message .lw-c-notice");
      if (link) link.focus();
    }).catch(function (err) {
      submit.disabled = false;
      submit.textContent = t("complaints.confirm");
      showError(err.message);
    });
  });

  return {open: open};
}
