"""Written notices (文书) for complaint decisions: content, legal basis, privacy, safety."""
from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from dispatch.casework import notices
from dispatch.casework.notices import NoticeData
from geo.core.errors import InvalidInput
from geo.core.text import catalog

RULES_25 = "《关于实施〈劳动保障监察条例〉若干规定》（劳动和社会保障部令第25号）第十八条"
NAME = "张三丰"
BASE = NoticeData(
    kind="accept", number="中原人社监告〔2026〕12号", bureau="郑州市中原区人力资源和社会保障局",
    complainant=NAME, employer="郑州豫中建筑劳务有限公司", category_text="拖欠工资",
    received_on=date(2026, 9, 30), decided_on=date(2026, 10, 9),
    reason="被投诉单位拖欠12名劳动者2026年8月至9月工资，有工资条和考勤记录为证",
    accept_mode="case", case_due=date(2027, 1, 8))
KINDS = {
    "accept": BASE,
    "refuse": dataclasses.replace(
        BASE, kind="refuse", accept_mode=None, case_due=None,
        reason="你反映的欠薪行为发生于2023年5月，距投诉之日已超过2年"),
    "request_info": dataclasses.replace(
        BASE, kind="request_info", accept_mode=None, case_due=None, employer=None,
        reason="你的投诉未能明确被投诉用人单位的名称和地址", info_due=date(2026, 10, 16)),
    "redirect": dataclasses.replace(
        BASE, kind="redirect", accept_mode=None, case_due=None,
        redirect_to="郑州市金水区人力资源和社会保障局",
        reason="被投诉单位的用工所在地位于郑州市金水区"),
}
TITLES = {"accept": "受理告知书", "refuse": "不予受理告知书", "request_info": "补正通知书",
          "redirect": "转办告知书"}


def opened(data: NoticeData) -> docx.document.Document:
    return docx.Document(io.BytesIO(notices.render(data)))


def text_of(data: NoticeData) -> str:
    return "\n".join(p.text for p in opened(data).paragraphs)


def everything_in(data: NoticeData) -> str:
    """Every XML part of the package as text (body, properties, styles...)."""
    with zipfile.ZipFile(io.BytesIO(notices.render(data))) as package:
        return "\n".join(package.read(n).decode("utf-8", "replace") for n in package.namelist()
                         if n.endswith(".xml") or n.endswith(".rels"))


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_notice_names_its_title_number_bureau_dates_and_reason(kind):
    data = KINDS[kind]
    document = opened(data)
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == TITLES[kind]
    assert paragraphs[1] == data.number
    assert paragraphs[2] == f"{NAME}："
    assert document.paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert "2026年9月30日" in text  # received, Chinese style, no leading zeros
    assert paragraphs[-1] == "2026年10月9日"  # decided, bottom right
    assert paragraphs[-3] == data.bureau and paragraphs[-2] == "（印章）"
    assert document.paragraphs[-1].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert data.reason in text
    assert data.category_text in text
    assert RULES_25 in text
    if data.employer:
        assert data.employer in text
    else:
        assert "被投诉单位尚待查明" in text


def test_acceptance_with_a_case_states_the_sixty_working_day_limit():
    text = text_of(KINDS["accept"])
    assert "第十八条第一款" in text and "本局决定予以受理" in text
    assert "立案查处" in text and "《劳动保障监察条例》第十七条" in text
    assert "2027年1月8日" in text


def test_acceptance_for_inspection_promises_an_inspection_of_the_employer():
    text = text_of(dataclasses.replace(BASE, accept_mode="inspect", case_due=None))
    assert "本局将依法对郑州豫中建筑劳务有限公司开展劳动保障监察检查" in text
    assert "立案" not in text


def test_refusal_cites_the_limitation_and_states_the_remedies():
    text = text_of(KINDS["refuse"])
    assert "第十八条第二款" in text and "不予受理" in text
    assert "《劳动保障监察条例》第二十条" in text
    assert "六十日内依法申请行政复议" in text and "六个月内依法向人民法院提起行政诉讼" in text


def test_request_for_information_gives_the_due_date_and_pauses_the_period():
    text = text_of(KINDS["request_info"])
    assert "第十八条第三款" in text
    assert "请你于2026年10月16日前向本局补正投诉材料" in text
    assert "中止计算" in text and "收到你的补正材料之日起继续计算" in text
    assert "特此通知。" in text


def test_redirect_names_the_competent_unit():
    text = text_of(KINDS["redirect"])
    assert "第十八条第四款" in text
    assert "转郑州市金水区人力资源和社会保障局办理" in text


@pytest.mark.parametrize("kind", list(KINDS))
def test_without_a_complainant_the_notice_is_addressed_to_the_complainant_and_names_no_one(kind):
    data = dataclasses.replace(KINDS[kind], complainant=None)
    assert opened(data).paragraphs[2].text == "投诉人："
    assert NAME not in everything_in(data)
    assert NAME in everything_in(KINDS[kind])


def test_markup_characters_in_the_reason_survive_and_control_characters_are_dropped():
    reason = 'a<b & c>d "引号" \'x\'\x00\x0b，第二行\r\n第三行'
    text = text_of(dataclasses.replace(BASE, reason=reason))
    assert 'a<b & c>d "引号" \'x\'，第二行\n第三行' in text


def test_a_reason_written_as_a_full_sentence_is_not_doubled():
    text = text_of(dataclasses.replace(BASE, reason="经审查，符合受理条件。"))
    assert "经审查，符合受理条件。" in text
    assert "经审查，经审查" not in text and "。。" not in text


def test_the_page_is_a4_with_chinese_fonts_set_for_east_asian_text():
    document = opened(BASE)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    title_fonts = document.paragraphs[0].runs[0]._r.rPr.rFonts
    body_fonts = document.paragraphs[3].runs[0]._r.rPr.rFonts
    assert title_fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert body_fonts.get(qn("w:eastAsia")) == "仿宋"
    assert document.core_properties.author == BASE.bureau
    assert "python-docx" not in (document.core_properties.comments or "")


def test_file_names_are_safe_for_a_download_header():
    assert notices.filename(BASE) == "受理告知书-中原人社监告〔2026〕12号.docx"
    assert notices.ascii_filename(BASE) == "accept-notice-2026-12.docx"
    odd = dataclasses.replace(BASE, kind="request_info", number='a/b\\c"d;\r\ne')
    assert notices.filename(odd) == "补正通知书-a_b_c_d_e.docx"
    assert notices.ascii_filename(odd).isascii()
    assert notices.ascii_filename(odd) == "request-info-notice-a-b-c-d-e.docx"


@pytest.mark.parametrize("change, parameter", [
    ({"kind": "reject"}, "kind"),
    ({"reason": "  "}, "reason"),
    ({"accept_mode": None}, "accept_mode"),
    ({"kind": "redirect", "redirect_to": None}, "redirect_to"),
    ({"decided_on": date(2026, 9, 1)}, "decided_on"),
])
def test_incomplete_notices_are_refused_with_a_catalog_message(change, parameter):
    with pytest.raises(InvalidInput) as error:
        notices.render(dataclasses.replace(BASE, **change))
    assert error.value.details == {"parameter": parameter}
    assert error.value.message.key in catalog("zh") and error.value.message.key in catalog("en")


def test_every_notice_sentence_has_an_english_translation():
    zh = {k for k in catalog("zh") if k.startswith("notice.")}
    assert zh == {k for k in catalog("en") if k.startswith("notice.")}
    assert notices.DOCX_MIME.endswith("wordprocessingml.document")
