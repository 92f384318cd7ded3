/* The files kept beside a record (GET /api/v1/attachments?owner_kind=&owner_id=), each a
 * download link, and, for those who may, a file input that uploads one more
 * (POST /api/v1/attachments). Texts: attachments_ui.* from the catalogs. */
import {el, link} from "./dom.js";
import {errorText, getJSON, postForm} from "./http.js";
import {t} from "./i18n.js";

// Keeps `file` beside the record: resolves to {status, body} (201: the attachment).
export function upload(kind, id, file) {
  const data = new FormData();
  data.append("owner_kind", kind);
  data.append("owner_id", String(id));
  data.append("file", file);
  return postForm("/api/v1/attachments", data);
}

// As upload(), resolving to the attachment's id, or rejecting with the server's message.
export function uploadId(kind, id, file) {
  return upload(kind, id, file).then(function (res) {
    if (res.status === 201) return res.body.id;
    throw new Error(errorText(res));
  });
}

export function attachmentBox(kind, id, canUpload) {
  const box = el("div", null, "lw-attachments small");
  const list = el("ul", null, "list-unstyled mb-1");
  const say = el("span", null, "d-block");
  say.setAttribute("role", "status");
  box.appendChild(list);

  function draw() {
    getJSON("/api/v1/attachments?owner_kind=" + kind + "&owner_id=" + id).then(function (body) {
      list.textContent = "";
      body.items.forEach(function (a) {
        const li = el("li");
        li.appendChild(link(a.filename, a.url));
        list.appendChild(li);
      });
    }).catch(function (err) { say.textContent = err.message; });
  }

  if (canUpload) {
    const input = el("input", null, "form-control form-control-sm lw-attach");
    input.type = "file";
    input.accept = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx";
    input.setAttribute("aria-label", t("attachments_ui.add"));
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      say.textContent = t("attachments_ui.uploading");
      upload(kind, id, input.files[0]).then(function (res) {
        input.value = "";
        say.textContent = res.status === 201 ? t("attachments_ui.added") : errorText(res);
        draw();
      });
    });
    box.appendChild(input);
  }
  box.appendChild(say);
  draw();
  return box;
}
