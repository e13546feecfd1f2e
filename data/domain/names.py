"""Bilingual names: one type and one way to read them in the reader's language (zh by default, en)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Names = tuple[str, str]  # (Simplified Chinese, English)


def lang_index(lang: str) -> int:
    """0 for Chinese, 1 for English: the position in a Names pair."""
    return 1 if lang == "en" else 0


def name(obj, lang: str, field: str = "name") -> str:
    """The name of obj in lang, whatever shape it comes in: a (zh, en) pair, a record with
    `{field}_zh`/`{field}_en` (name_zh, cause_zh ...), or a mapping with "zh"/"en" keys.

    English falls back to Chinese when a record has no English; None reads as ''."""
    if obj is None:
        return ""
    if isinstance(obj, Sequence) and not isinstance(obj, str):
        return str(obj[lang_index(lang)] or obj[0])
    if isinstance(obj, Mapping):
        if f"{field}_zh" in obj or f"{field}_en" in obj:
            return (lang == "en" and obj.get(f"{field}_en")) or obj.get(f"{field}_zh") or ""
        return (lang == "en" and obj.get("en")) or obj.get("zh") or ""
    return (lang == "en" and getattr(obj, f"{field}_en", None)) or getattr(obj, f"{field}_zh", "") or ""
