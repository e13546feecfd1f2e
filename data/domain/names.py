"""Bilingual names: one type and one way to read them in the reader's language (zh by default, en), and
the English name of a Shanghai street or town (its own, else readable pinyin) for whoever names places."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Names = tuple[str, str]  # (Simplified Chinese, English)
UNLOCATED: Names = ("未定位", "Unlocated")  # the place of an imported incident no area holds


def lang_index(lang: str) -> int:
    """0 for Chinese, 1 for English: the position in a Names pair."""
    return 1 if lang == "en" else 0


def name(obj, lang: str, field: str = "name") -> str:
    """The name of obj in lang, whatever shape it comes in: a (zh, en) pair, a record with
    `{field}_zh`/`{field}_en` (name_zh, cause_zh ...), or a mapping with "zh"/"en" keys.

    English falls back to Chinese when a record has no English; None reads as ''. English shows no
    full-width bracket, even from a name stored with one."""
    text = _name(obj, lang, field)
    return ascii_brackets(text) if lang == "en" else text


def _name(obj, lang: str, field: str) -> str:
    if obj is None:
        return ""
    if isinstance(obj, Sequence) and not isinstance(obj, str):
        return str(obj[lang_index(lang)] or obj[0])
    if isinstance(obj, Mapping):
        if f"{field}_zh" in obj or f"{field}_en" in obj:
            return (lang == "en" and obj.get(f"{field}_en")) or obj.get(f"{field}_zh") or ""
        return (lang == "en" and obj.get("en")) or obj.get("zh") or ""
    return (lang == "en" and getattr(obj, f"{field}_en", None)) or getattr(obj, f"{field}_zh", "") or ""


# streets and zones known by an English name of their own (the rest read as pinyin)
OWN_EN = {
    "中国（上海）自由贸易试验区（保税片区）": "China (Shanghai) Pilot Free Trade Zone (Bonded Area)",
    "张江高科技园区": "Zhangjiang Hi-Tech Park",
    "金桥经济技术开发区": "Jinqiao Economic and Technological Development Zone",
    "漕河泾新兴技术开发区": "Caohejing Hi-Tech Park",
    "上海湾区高新技术产业开发区": "Shanghai Bay Area Hi-Tech Industrial Development Zone",
    "上海松江出口加工区": "Shanghai Songjiang Export Processing Zone",
    "上实现代农业园区": "SIIC Modern Agriculture Park",
}
# generic words of a place name, from its end: (Chinese, English); the proper name before them stays one word
_KINDS = (
    ("街道", "Subdistrict"),
    ("工业园区", "Industrial Park"),
    ("工业区", "Industrial Zone"),
    ("旅游区", "Tourist Area"),
    ("度假区", "Resort"),
    ("新区", "New Area"),
    ("新镇", "New Town"),
    ("林场", "Forest Farm"),
    ("农场", "Farm"),
    ("镇", "Town"),
    ("乡", "Township"),
    ("新村", "Xincun"),
)
_ROAD = {
    "东": "East",
    "西": "West",
    "南": "South",
    "北": "North",
    "中": "Middle",
    "一": "1st",
    "二": "2nd",
    "三": "3rd",
}


def ascii_brackets(text: str) -> str:
    """Full-width brackets as ASCII ones, spaced as English writes them: 'A（B）C' -> 'A (B) C'."""
    if "（" not in text and "）" not in text:
        return text
    return " ".join(text.replace("（", " (").replace("）", ") ").split()).replace(" )", ")")


# characters whose reading in Shanghai's place names is not the one pypinyin guesses (长桥 Changqiao, 杨行 Yanghang)
_READING = {"长": "chang", "行": "hang", "重": "chong"}


def _pinyin(zh: str) -> str:
    """One capitalised word of pinyin, with an apostrophe where a syllable opening with a vowel would run
    into the one before it (Jing'an), and ü written as such (Lüxiang)."""
    from pypinyin import lazy_pinyin  # imported on use: only seeding names places

    syllables = lazy_pinyin(zh)
    if len(syllables) == len(zh):
        syllables = [_READING.get(c, s) for c, s in zip(zh, syllables)]
    word = "".join(("'" if i and s[:1] in "aoe" else "") + s for i, s in enumerate(syllables))
    return word.replace("v", "ü").capitalize()


def english_place_name(name_zh: str) -> str:
    """A street's or town's English name: its own where it has one, else the proper name in pinyin, one
    word, then its generic words in English ('康健新村街道' -> 'Kangjian Xincun Subdistrict',
    '淮海中路街道' -> 'Huaihai Middle Road Subdistrict', '真如镇街道' -> 'Zhenru Town Subdistrict')."""
    if name_zh in OWN_EN:
        return OWN_EN[name_zh]
    rest, words = name_zh, []
    while True:
        kind = next((k for k in _KINDS if rest.endswith(k[0]) and len(rest) > len(k[0])), None)
        if kind is None:
            break
        rest, words = rest[: -len(kind[0])], [kind[1], *words]
        if len(rest) == 1:  # a one-syllable name keeps its generic word in pinyin: 唐镇 -> Tangzhen Town
            rest += kind[0]
            break
    if words[:1] == ["Subdistrict"] and rest.endswith("路") and len(rest) > 2:  # 'Nanjing East Road Subdistrict'
        rest, words = rest[:-1], ["Road", *words]
        if rest[-1] in _ROAD and len(rest) > 2:
            rest, words = rest[:-1], [_ROAD[rest[-1]], *words]
    return ascii_brackets(" ".join([_pinyin(rest), *words]))
