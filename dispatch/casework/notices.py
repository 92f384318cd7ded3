"""Written notices (文书) for complaint decisions, as Word documents (.docx).

Four kinds, one per decision of 部令第25号 Art. 18: 受理告知书 (accept), 不予受理告知书
(refuse), 补正通知书 (request_info) and 转办告知书 (redirect). The layout follows GB/T
9704-2012 loosely: A4, title in 方正小标宋 (Word falls back to 宋体), body in 仿宋 三号,
fixed 28 pt lines, bureau, seal mark and date at the bottom right. Every sentence comes
from the "notice.*" catalog keys; the documents are always Chinese, whoever asks.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from geo.core.clock import BEIJING
from geo.core.errors import InvalidInput
from geo.core.text import Text

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KINDS = ("accept", "refuse", "request_info", "redirect")
ACCEPT_MODES = ("inspect", "case")
LANGUAGE = "zh"  # a notice is an official Chinese document, whatever the reader's language

TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
TITLE_SIZE, BODY_SIZE = Pt(22), Pt(16)  # 二号, 三号
LINE = Pt(28)
INDENT = Pt(32)  # two characters of 三号
# GB/T 9704-2012 page: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28),
           "right_margin": Mm(26)}
# Fonts declared in the font table with the GB2312 character set, so that Word and WPS
# substitute a Chinese font (宋体) where the named one is not installed.
DECLARED_FONTS = {TITLE_FONT: TITLE_FALLBACK, BODY_FONT: "FangSong", TITLE_FALLBACK: "SimSun"}

# Characters XML 1.0 cannot carry (lxml refuses them); a pasted reason may contain some.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters a file name in Content-Disposition (or on Windows) must not contain.
_NOT_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f"*/:;<>?\\|]+')


@dataclass(frozen=True)
class NoticeData:
    """What one notice says; names are None when the reader may not see them."""

    kind: str            # accept | refuse | request_info | redirect
    number: str          # 文书编号, e.g. 中原人社监告〔2026〕12号
    bureau: str          # the issuing bureau
    complainant: str | None   # None: addressed to "投诉人", no identity anywhere
    employer: str | None      # None: not yet identified
    category_text: str        # the complaint category, already in Chinese
    received_on: date         # Beijing date the complaint was received
    decided_on: date          # Beijing date of the decision
    reason: str               # the clerk's reason for the decision
    accept_mode: str | None = None   # accept: inspect (检查) | case (立案)
    redirect_to: str | None = None   # redirect: the competent unit or department
    info_due: date | None = None     # request_info: by when
    case_due: date | None = None     # accept + case: the 60-working-day limit
    refuse_ground: str = "time_barred"  # refuse: time_barred (Art. 20) | not_labour_matter


def render(data: NoticeData) -> bytes:
    """The notice as a .docx document."""
    _check(data)
    document = docx.Document()
    _set_up(document, data)
    _paragraph(document, _say(f"notice.title.{data.kind}"), font=TITLE_FONT, size=TITLE_SIZE,
               align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(40))
    _paragraph(document, _clean(data.number), align=WD_ALIGN_PARAGRAPH.CENTER, after=LINE)
    name = _clean(data.complainant or "").strip()
    _paragraph(document, _say("notice.addressee.named", name=name) if name
               else _say("notice.addressee.anonymous"))
    for sentence in _body(data):
        _paragraph(document, sentence, indent=INDENT)
    _paragraph(document, "")
    _paragraph(document, "")
    for line in (_clean(data.bureau).strip(), _say("notice.seal"), _chinese_date(data.decided_on)):
        _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def filename(data: NoticeData) -> str:
    """受理告知书-中原人社监告〔2026〕12号.docx: no characters a file name or header can't hold."""
    stem = _say("notice.filename", title=Text(f"notice.title.{data.kind}"),
                number=_clean(data.number).strip())
    stem = _NOT_IN_FILENAME.sub("_", stem).strip(" ._")[:120]
    return f"{stem}.docx"


def ascii_filename(data: NoticeData) -> str:
    """An ASCII stand-in for `filename` (Content-Disposition filename=): accept-notice-2026-12.docx."""
    digits = "-".join(re.findall(r"[A-Za-z0-9]+", data.number))[:60]
    stem = f"{data.kind.replace('_', '-')}-notice"
    return f"{stem}-{digits}.docx" if digits else f"{stem}.docx"


def _check(data: NoticeData) -> None:
    if data.kind not in KINDS:
        raise InvalidInput(Text("notice.error.kind", choices=", ".join(KINDS)),
                           {"parameter": "kind"})
    for field in ("number", "bureau", "category_text", "reason"):
        if not _clean(getattr(data, field) or "").strip():
            raise InvalidInput(Text("notice.error.required", name=field), {"parameter": field})
    if data.kind == "accept" and data.accept_mode not in ACCEPT_MODES:
        raise InvalidInput(Text("notice.error.accept_mode"), {"parameter": "accept_mode"})
    if data.kind == "redirect" and not _clean(data.redirect_to or "").strip():
        raise InvalidInput(Text("notice.error.redirect_to"), {"parameter": "redirect_to"})
    for later, earlier in (("decided_on", "received_on"), ("info_due", "decided_on"),
                           ("case_due", "decided_on")):
        if getattr(data, later) is not None and getattr(data, later) < getattr(data, earlier):
            raise InvalidInput(Text("notice.error.date_order", name=later, earlier=earlier),
                               {"parameter": later})


def _body(data: NoticeData) -> list[str]:
    """The body paragraphs of a notice, in order."""
    employer = _clean(data.employer or "").strip()
    category = _clean(data.category_text).strip()
    received = _chinese_date(data.received_on)
    rules = Text("notice.rules_25")
    said = [_say("notice.received", received_on=received, employer=employer, category=category)
            if employer else
            _say("notice.received_unknown_employer", received_on=received, category=category),
            _say("notice.review", reason=_reason(data.reason))]
    if data.kind == "accept":
        said.append(_say("notice.accept.decision", rules=rules))
        if data.accept_mode == "case":
            decided = _chinese_date(data.decided_on)
            said.append(_say("notice.accept.case", decided_on=decided,
                             case_due=_chinese_date(data.case_due)) if data.case_due else
                        _say("notice.accept.case_no_due", decided_on=decided))
        else:
            said.append(_say("notice.accept.inspect",
                             employer=employer or Text("notice.employer_unknown")))
        said.append(_say("notice.accept.cooperate"))
    elif data.kind == "refuse" and data.refuse_ground == "not_labour_matter":
        said += [_say("notice.refuse.not_labour_matter"),
                 _say("notice.refuse.decision_not_labour_matter", rules=rules),
                 _say("notice.refuse.remedy")]
    elif data.kind == "refuse":  # out of time (Art. 20, Art. 18(2))
        said += [_say("notice.refuse.limitation"), _say("notice.refuse.decision", rules=rules),
                 _say("notice.refuse.remedy")]
    elif data.kind == "request_info":
        said += [_say("notice.request_info.decision", rules=rules,
                      info_due=_chinese_date(data.info_due)) if data.info_due else
                 _say("notice.request_info.decision_no_due", rules=rules),
                 _say("notice.request_info.restart")]
    else:
        said.append(_say("notice.redirect.decision", rules=rules,
                         redirect_to=_clean(data.redirect_to).strip()))
    said.append(_say("notice.closing.notify" if data.kind == "request_info"
                     else "notice.closing.inform"))
    return said


def _say(key: str, **values) -> str:
    return Text(key, **values).render(LANGUAGE)


def _chinese_date(day: date) -> str:
    """2026年10月9日 (no leading zeros, as official documents write it)."""
    return _say("notice.date", year=day.year, month=day.month, day=day.day)


def _clean(value: str) -> str:
    """`value` without characters XML cannot hold, line ends made \\n."""
    return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _reason(reason: str) -> str:
    """The clerk's reason fitted into "经审查，{reason}。": lines kept, no doubled words."""
    lines = [line.strip() for line in _clean(reason).split("\n")]
    text = "\n".join(line for line in lines if line)
    text = re.sub(r"^经审查[，,：:]\s*", "", text)
    return text.rstrip("。．.；;，, ")


def _set_up(document, data: NoticeData) -> None:
    """A4 page, Chinese defaults (fonts, language), font table, document properties."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side, length in MARGINS.items():
        setattr(section, side, length)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(r_pr, BODY_FONT)
    lang = r_pr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    _declare_fonts(document)
    package_rels = document.part.package.rels
    for r_id in [r for r, rel in package_rels.items() if rel.reltype.endswith("/thumbnail")]:
        del package_rels[r_id]  # the template's preview: a blank US Letter page
    props = document.core_properties
    title = _say(f"notice.title.{data.kind}")
    props.title = f"{title} {_clean(data.number).strip()}"
    props.subject = title
    props.author = props.last_modified_by = _clean(data.bureau).strip()
    props.comments = props.keywords = props.category = ""
    props.language = "zh-CN"
    props.revision = 1
    # python-docx writes the clock time with a "Z": give it UTC.
    props.created = props.modified = datetime.combine(data.decided_on, time(),
                                                      BEIJING).astimezone(UTC)


def _declare_fonts(document) -> None:
    """Add the Chinese fonts to word/fontTable.xml with GB2312 charset and alternate names."""
    part = next(rel.target_part for rel in document.part.rels.values()
                if rel.reltype.endswith("/fontTable"))
    fonts = etree.fromstring(part.blob)
    for name, alternate in DECLARED_FONTS.items():
        font = etree.SubElement(fonts, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): alternate})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "auto"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    # The font table is a plain (blob) part in python-docx; it has no public setter.
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _fonts(r_pr, east_asian: str) -> None:
    """Latin text in Times New Roman, Chinese text in `east_asian` (w:eastAsia)."""
    fonts = r_pr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(document, text: str, *, font: str = BODY_FONT, size=BODY_SIZE,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, line=LINE, indent=None, right=None,
               after=None) -> None:
    paragraph = document.add_paragraph()
    layout = paragraph.paragraph_format
    layout.alignment = align
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = line
    layout.space_before = Pt(0)
    layout.space_after = after or Pt(0)
    if indent is not None:
        layout.first_line_indent = indent
        # Two characters whatever the font size, as Word's "首行缩进 2 字符" does.
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if right is not None:
        layout.right_indent = right
    if text:
        run = paragraph.add_run(text)  # "\n" in text becomes a line break
        run.font.size = size
        _fonts(run._r.get_or_add_rPr(), font)
