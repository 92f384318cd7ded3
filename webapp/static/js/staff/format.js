/* Shared cells of the staff pages: the 执法证 status in colour and words. */
import {el} from "../core/dom.js";
import {t} from "../core/i18n.js";

// The certificate: number, its status (coloured, and always in words) and expiry date.
export function certificateCell(o) {
  const box = el("span");
  if (o.certificate_no) box.appendChild(el("span", o.certificate_no + " "));
  const status = o.certificate_status || "none";
  box.appendChild(el("span", t("staff.cert." + status), "lw-cert lw-cert-" + status));
  if (o.certificate_expires_on) {
    box.appendChild(el("span", t("staff.cert.expires", {date: o.certificate_expires_on}),
                       "lw-sub"));
  }
  return box;
}

export function kindText(kind) {
  return kind ? t("staff.kind." + kind) : "";
}

export function activeText(o) {
  return t(o.active ? "staff.active.yes" : "staff.active.no");
}
