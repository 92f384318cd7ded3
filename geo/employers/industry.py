"""GB/T 4754-2017 industry sections (门类): a letter from what employer lists actually write."""
from __future__ import annotations

import re
import unicodedata

# Section letter, official Chinese name, first and last two-digit division (大类) code.
SECTIONS = (
    ("A", "农、林、牧、渔业", 1, 5),
    ("B", "采矿业", 6, 12),
    ("C", "制造业", 13, 43),
    ("D", "电力、热力、燃气及水生产和供应业", 44, 46),
    ("E", "建筑业", 47, 50),
    ("F", "批发和零售业", 51, 52),
    ("G", "交通运输、仓储和邮政业", 53, 60),
    ("H", "住宿和餐饮业", 61, 62),
    ("I", "信息传输、软件和信息技术服务业", 63, 65),
    ("J", "金融业", 66, 69),
    ("K", "房地产业", 70, 70),
    ("L", "租赁和商务服务业", 71, 72),
    ("M", "科学研究和技术服务业", 73, 75),
    ("N", "水利、环境和公共设施管理业", 76, 79),
    ("O", "居民服务、修理和其他服务业", 80, 82),
    ("P", "教育", 83, 83),
    ("Q", "卫生和社会工作", 84, 85),
    ("R", "文化、体育和娱乐业", 86, 90),
    ("S", "公共管理、社会保障和社会组织", 91, 96),
    ("T", "国际组织", 97, 97),
)
# Words seen in the 行业 column of real lists, checked in this order (specific before generic).
KEYWORDS = (
    ("房地产", "K"), ("物业", "K"), ("建筑", "E"), ("建设工程", "E"), ("施工", "E"),
    ("装饰", "E"), ("装修", "E"), ("路桥", "E"), ("采矿", "B"), ("煤炭开采", "B"), ("矿业", "B"),
    ("电力", "D"), ("热力", "D"), ("燃气", "D"), ("供水", "D"), ("自来水", "D"),
    ("制造", "C"), ("加工", "C"), ("机械", "C"), ("纺织", "C"), ("服装", "C"), ("化工", "C"),
    ("食品", "C"), ("电子商务", "F"), ("电子", "C"), ("工业", "C"),
    ("批发", "F"), ("零售", "F"), ("商贸", "F"), ("贸易", "F"), ("销售", "F"), ("超市", "F"),
    ("百货", "F"), ("交通", "G"), ("运输", "G"), ("物流", "G"), ("仓储", "G"), ("邮政", "G"),
    ("快递", "G"), ("住宿", "H"), ("餐饮", "H"), ("酒店", "H"), ("宾馆", "H"), ("饭店", "H"),
    ("软件", "I"), ("信息技术", "I"), ("互联网", "I"), ("通信", "I"), ("网络", "I"),
    ("金融", "J"), ("银行", "J"), ("保险", "J"), ("证券", "J"),
    ("劳务派遣", "L"), ("人力资源", "L"), ("租赁", "L"), ("商务服务", "L"), ("咨询", "L"),
    ("科学研究", "M"), ("技术服务", "M"), ("检测", "M"), ("科研", "M"),
    ("水利", "N"), ("环境", "N"), ("环卫", "N"), ("公共设施", "N"), ("园林", "N"),
    ("家政", "O"), ("修理", "O"), ("维修", "O"), ("美容", "O"), ("美发", "O"), ("居民服务", "O"),
    ("教育", "P"), ("学校", "P"), ("培训", "P"), ("幼儿园", "P"),
    ("卫生", "Q"), ("医院", "Q"), ("医疗", "Q"), ("诊所", "Q"), ("养老", "Q"), ("社会工作", "Q"),
    ("文化", "R"), ("体育", "R"), ("娱乐", "R"), ("传媒", "R"),
    ("公共管理", "S"), ("社会组织", "S"), ("社会保障", "S"), ("国际组织", "T"),
    ("农业", "A"), ("林业", "A"), ("畜牧", "A"), ("渔业", "A"), ("养殖", "A"), ("种植", "A"),
    ("manufactur", "C"), ("construction", "E"), ("wholesale", "F"), ("retail", "F"),
    ("transport", "G"), ("logistics", "G"), ("hotel", "H"), ("restaurant", "H"),
    ("software", "I"), ("finance", "J"), ("real estate", "K"), ("education", "P"),
    ("health", "Q"), ("agricultur", "A"), ("mining", "B"),
)
_BY_NAME = {re.sub(r"[、，,和及\s]", "", name): letter for letter, name, _, _ in SECTIONS}
_BY_DIVISION = {d: letter for letter, _, lo, hi in SECTIONS for d in range(lo, hi + 1)}
_CODE = re.compile(r"([A-T])?\s*(\d{2})\d{0,2}")  # C, C13, C1311, 13, 1311


def section(raw: str) -> str | None:
    """Section letter from a letter, division code, Chinese section name or keyword; else None."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    upper = text.upper()
    if len(upper) == 1 and "A" <= upper <= "T":
        return upper
    code = _CODE.fullmatch(upper)
    if code:
        letter = _BY_DIVISION.get(int(code.group(2)))
        if letter and (code.group(1) in (None, letter)):
            return letter
        return None
    compact = re.sub(r"[、，,和及\s]", "", text)
    if compact in _BY_NAME:
        return _BY_NAME[compact]
    lowered = text.lower()
    for word, letter in KEYWORDS:
        if word in lowered:
            return letter
    return None
