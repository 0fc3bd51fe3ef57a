"""Translations: Simplified Chinese is the source language (msgids), English comes from the
gettext catalog in council/locale (Babel). The language of a request lives in a context var."""

from __future__ import annotations

import contextvars
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = {"zh": "简体中文", "en": "English"}
HTML_LANG = {"zh": "zh-Hans", "en": "en"}
DEFAULT = "zh"

current_language: contextvars.ContextVar[str] = contextvars.ContextVar("lang", default=DEFAULT)


@cache
def translations(lang: str) -> NullTranslations:
    if lang == "zh":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def gettext(message: str, **params: Any) -> str:
    text = translations(current_language.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(current_language.get()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def pick_language(cookie: str | None, accept: str | None, default: str = DEFAULT) -> str:
    """The switcher's choice, else the browser's first Chinese or English preference."""
    if cookie in LANGUAGES:
        return cookie
    # Accept-Language only when it clearly prefers English over Chinese
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return default
