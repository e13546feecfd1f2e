"""Who acts: history, audit and acknowledgements store a user id; names come from the user record.

Besides people, the loop has built-in accounts: the reporting platforms (a report's first step),
the handling units, the centre's staff roles that the synthetic city uses, the simulator and the
system. Their ids are ASCII and stable; a migration created them with these names."""

from __future__ import annotations

import re

from data.domain.names import lang_index
from data.domain.vocab import UNIT_NAMES_EN

PLATFORMS = {  # source -> (id, zh, en)
    "hotline": ("platform-hotline", "12345热线平台", "12345 hotline platform"),
    "patrol": ("platform-patrol", "网格巡查", "Grid patrol"),
    "iot": ("platform-iot", "物联感知平台", "IoT sensing platform"),
    "video": ("platform-video", "视频智能识别平台", "Video AI platform"),
    "police": ("platform-police", "110联动平台", "110 police link platform"),
}
STAFF = {  # the loop step a centre role takes -> (id, zh, en)
    "registered": ("intake-clerk", "城运中心受理员", "Intake clerk"),
    "dispatched": ("dispatcher", "城运中心派遣员", "Dispatcher"),
    "closed": ("verifier", "城运中心核查员", "Verifier"),
}
OTHERS = (
    ("duty-officer", "市城运中心值班员", "City operations duty officer"),
    ("simulator", "模拟值班员", "Simulated duty officer"),
    ("system", "系统", "System"),
    ("unit-any", "处置单位", "Handling unit"),
)


def unit_actor(unit: str | None) -> str:
    """The account id of a handling unit (by its stored Chinese name); 'unit-any' when unknown."""
    english = UNIT_NAMES_EN.get(unit or "")
    return "unit-" + re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-") if english else "unit-any"


def builtin_accounts() -> list[tuple[str, str, str, str]]:
    """(id, name_zh, name_en, kind) of every built-in account."""
    out = [(i, zh, en, "platform") for i, zh, en in PLATFORMS.values()]
    out += [(i, zh, en, "staff") for i, zh, en in STAFF.values()]
    out += [(unit_actor(zh), zh, en, "unit") for zh, en in UNIT_NAMES_EN.items()]
    out += [(i, zh, en, "unit" if i == "unit-any" else "system" if i == "system" else "staff") for i, zh, en in OTHERS]
    return out


def display_name(names: dict[str, tuple[str, str]], actor: str | None, lang: str) -> str:
    """An actor's name in the reader's language; an id with no record shows as itself."""
    if not actor:
        return "—"
    pair = names.get(actor)
    return actor if pair is None else pair[lang_index(lang)]
