"""UI strings in Simplified Chinese (default) and English."""
from __future__ import annotations

from flask import Flask, request

from webapp.context import settings

LANGUAGES = ("zh", "en")
STRINGS = {
    "app_name": {"zh": "两网 · 劳动保障监察指挥平台", "en": "Liangwang · Labour Inspection Command"},
    "login": {"zh": "登录", "en": "Sign in"},
    "logout": {"zh": "退出", "en": "Sign out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "wrong_credentials": {"zh": "用户名或密码错误", "en": "Wrong username or password"},
    "too_many": {"zh": "失败次数过多，请稍后再试", "en": "Too many failed attempts; try again later"},
    "map": {"zh": "指挥地图", "en": "Command map"},
    "cities": {"zh": "地市边界", "en": "City boundaries"},
    "counties": {"zh": "县区边界", "en": "County boundaries"},
    "grids": {"zh": "网格", "en": "Grids"},
    "employers": {"zh": "用人单位", "en": "Employers"},
    "staff": {"zh": "网格人员", "en": "Staff"},
    "grid_code": {"zh": "网格编码", "en": "Grid code"},
    "province": {"zh": "河南省", "en": "Henan"},
    "role": {"zh": "角色", "en": "Role"},
    "loading": {"zh": "加载中…", "en": "Loading…"},
    "error": {"zh": "出错了", "en": "Error"},
    "back": {"zh": "返回", "en": "Back"},
    "dispatch": {"zh": "调度", "en": "Dispatch"},
    "queue": {"zh": "待派任务", "en": "Pending inspections"},
    "area": {"zh": "区域", "en": "Area"},
    "pick_inspection": {"zh": "请在左侧选择任务", "en": "Pick an inspection on the left"},
    "teams": {"zh": "推荐执法组（至少两名持证监察员）", "en": "Recommended teams (2+ certified inspectors)"},
    "excluded": {"zh": "未入选人员及原因", "en": "Left out, and why"},
    "assign": {"zh": "派遣", "en": "Assign"},
    "cancel": {"zh": "撤销任务", "en": "Cancel inspection"},
    "cancel_reason": {"zh": "撤销原因：", "en": "Reason for cancelling:"},
    "cancelled": {"zh": "已撤销", "en": "Cancelled"},
    "assigned": {"zh": "已派遣", "en": "Assigned"},
    "empty": {"zh": "暂无待派任务", "en": "Nothing pending"},
    "no_team": {"zh": "没有可用的两人执法组", "en": "No available team of two"},
    "updated": {"zh": "更新于", "en": "Updated"},
    "status_off_duty": {"zh": "下班", "en": "off duty"},
    "status_available": {"zh": "空闲", "en": "available"},
    "status_assigned": {"zh": "已派遣", "en": "assigned"},
    "status_en_route": {"zh": "在途", "en": "en route"},
    "status_on_site": {"zh": "在现场", "en": "on site"},
    "status_unavailable": {"zh": "不可用", "en": "unavailable"},
    "priority_urgent": {"zh": "紧急", "en": "urgent"},
    "priority_high": {"zh": "高", "en": "high"},
    "priority_normal": {"zh": "普通", "en": "normal"},
    "kind_complaint": {"zh": "投诉", "en": "complaint"},
    "kind_scheduled": {"zh": "日常", "en": "scheduled"},
    "kind_random": {"zh": "双随机", "en": "random"},
    "kind_incident": {"zh": "突发事件", "en": "incident"},
    "field_title": {"zh": "网格采集", "en": "Field updates"},
    "use_gps": {"zh": "用手机定位更新位置", "en": "Set position from GPS"},
    "save": {"zh": "保存", "en": "Save"},
    "stale": {"zh": "超过半年未更新", "en": "stale"},
    "needs_visit": {"zh": "需实地核实位置", "en": "needs a visit"},
    "no_grid": {"zh": "账号未关联网格", "en": "No grid linked to your account"},
    "saved": {"zh": "已保存", "en": "Saved"},
    "employees": {"zh": "从业人数", "en": "Employees"},
    "migrant_workers": {"zh": "农民工人数", "en": "Migrant workers"},
    "contact_person": {"zh": "联系人", "en": "Contact"},
    "contact_phone": {"zh": "联系电话", "en": "Phone"},
    "locating": {"zh": "定位中…", "en": "Locating…"},
    # command map (issue 4, map side)
    "officers": {"zh": "执法人员（实时）", "en": "Officers (live)"},
    "inspections": {"zh": "在办任务与突发事件", "en": "Open inspections and incidents"},
    "hotspots": {"zh": "风险热点", "en": "Risk hotspots"},
    "coverage": {"zh": "覆盖缺口", "en": "Coverage gaps"},
    "kpis": {"zh": "关键指标", "en": "Key figures"},
    "unavailable": {"zh": "暂不可用", "en": "unavailable"},
    "search": {"zh": "搜索", "en": "Search"},
    "search_placeholder": {"zh": "单位名称、信用代码或网格编码", "en": "Employer, credit code or grid code"},
    "no_results": {"zh": "无结果", "en": "No results"},
    "metric": {"zh": "网格着色", "en": "Grid colour"},
    "colour_by": {"zh": "单位着色", "en": "Employer colour"},
    "grade": {"zh": "信用等级", "en": "Grade"},
    "risk": {"zh": "风险", "en": "Risk"},
    "risk_class": {"zh": "风险等级", "en": "Risk class"},
    "open_complaints": {"zh": "未结投诉", "en": "Open complaints"},
    "on_time_share": {"zh": "按期检查率", "en": "Inspected on time"},
    "mean_risk": {"zh": "平均风险", "en": "Mean risk"},
    "employers_per_staff": {"zh": "人均单位数", "en": "Employers per staff"},
    "no_staff": {"zh": "无网格人员", "en": "No staff"},
    "outside_grid": {"zh": "网格外单位", "en": "Outside any grid"},
    "count": {"zh": "数量", "en": "Count"},
    "credit_code": {"zh": "统一社会信用代码", "en": "Credit code"},
    "address": {"zh": "地址", "en": "Address"},
    "county": {"zh": "县区", "en": "County"},
    "badge": {"zh": "警号", "en": "Badge"},
    "status": {"zh": "状态", "en": "Status"},
    "position_stale": {"zh": "位置过期", "en": "position stale"},
    "priority": {"zh": "优先级", "en": "Priority"},
    "kind": {"zh": "类型", "en": "Kind"},
    "details": {"zh": "详情", "en": "Details"},
    "drill_down": {"zh": "下钻", "en": "Drill down"},
    "zoom_in": {"zh": "放大查看", "en": "Zoom in"},
    "incident": {"zh": "群体性事件", "en": "Mass incident"},
    "province_level": {"zh": "全省", "en": "Province"},
    "choose": {"zh": "选择下级…", "en": "Go to…"},
    "legend": {"zh": "图例", "en": "Legend"},
    "level_province": {"zh": "省", "en": "province"},
    "level_city": {"zh": "市", "en": "city"},
    "level_county": {"zh": "县区", "en": "county"},
    "level_grid": {"zh": "网格", "en": "grid"},
}


def language() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang") or settings().language
    return lang if lang in LANGUAGES else "zh"


def t(key: str) -> str:
    return STRINGS[key][language()]


def register(app: Flask) -> None:
    @app.context_processor
    def inject():
        return {"t": t, "lang": language()}

    @app.after_request
    def remember_language(resp):
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            resp.set_cookie("lang", lang, samesite="Lax", httponly=True)
        return resp
