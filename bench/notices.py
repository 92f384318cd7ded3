"""Complaint-decision notices (文书) rendered as .docx, against bare python-docx.

Ours: notices.render for each of the four kinds (A4 page, Chinese fonts and font table,
catalog sentences, document properties). Peer: python-docx writing the same paragraphs
into its default template with no layout at all: the floor for any .docx we could write.
Target: p95 ≤ 300 ms per notice.
Run: .venv/bin/python -m bench.notices [renders per kind]
"""
from __future__ import annotations

import dataclasses
import io
import sys
from datetime import date

import docx

from bench.common import p50_p95, timed
from dispatch.casework import notices
from dispatch.casework.notices import NoticeData

BASE = NoticeData(
    kind="accept", number="中原人社监告〔2026〕12号", bureau="郑州市中原区人力资源和社会保障局",
    complainant="张三", employer="郑州豫中建筑劳务有限公司", category_text="拖欠工资",
    received_on=date(2026, 9, 30), decided_on=date(2026, 10, 9),
    reason="被投诉单位拖欠12名劳动者2026年8月至9月工资，有工资条和考勤记录为证",
    accept_mode="case", case_due=date(2027, 1, 8))
KINDS = [BASE,
         dataclasses.replace(BASE, kind="refuse", accept_mode=None, case_due=None),
         dataclasses.replace(BASE, kind="request_info", accept_mode=None, case_due=None,
                             employer=None, info_due=date(2026, 10, 16)),
         dataclasses.replace(BASE, kind="redirect", accept_mode=None, case_due=None,
                             redirect_to="郑州市金水区人力资源和社会保障局")]


def plain(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for line in paragraphs:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main(repeat: int = 50) -> None:
    ours_all, peer_all = [], []
    for data in KINDS:
        paragraphs = [p.text for p in docx.Document(io.BytesIO(notices.render(data))).paragraphs]
        ours = timed(lambda data=data: notices.render(data), repeat)
        peer = timed(lambda paragraphs=paragraphs: plain(paragraphs), repeat)
        ours_all += ours
        peer_all += peer
        (o50, o95), (p50, p95) = p50_p95(ours), p50_p95(peer)
        print(f"{data.kind}: ours p50 {o50:.1f} ms, p95 {o95:.1f} ms, "
              f"{len(notices.render(data)) / 1000:.1f} kB; plain python-docx p50 {p50:.1f} ms, "
              f"p95 {p95:.1f} ms")
    (o50, o95), (p50, _) = p50_p95(ours_all), p50_p95(peer_all)
    print(f"notices: p50 ours {o50:.1f} ms (p95 {o95:.1f} ms, target ≤ 300 ms), plain python-docx "
          f"{p50:.1f} ms, ratio {o50 / p50:.2f} (lower is better)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
