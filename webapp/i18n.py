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
