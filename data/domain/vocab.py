"""The domain vocabulary: levels, statuses, sources, warning levels and kinds, categories (部件/事件),
responsible units and the loop's allowed moves. No SQLAlchemy, no Flask."""

from __future__ import annotations

from typing import NamedTuple

CITY_CODE = "310000"
LEVELS = ("city", "district", "street", "grid")
STATUSES = ("reported", "registered", "dispatched", "handling", "verifying", "closed")
OPEN_STATUSES = STATUSES[:-1]
SOURCES = ("hotline", "patrol", "iot", "video", "police")
WARNING_LEVELS = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}  # 5 = green, never stored
WARNING_KINDS = ("indicator", "spike", "overdue", "project")

SOURCE_NAMES = {
    "hotline": ("12345热线", "12345 hotline"),
    "patrol": ("网格巡查", "Grid patrol"),
    "iot": ("物联感知", "IoT sensor"),
    "video": ("视频智能识别", "Video AI"),
    "police": ("110联动", "110 police"),
}

STATUS_NAMES = {
    "reported": ("发现受理", "Reported"),
    "registered": ("立案", "Registered"),
    "dispatched": ("派遣", "Dispatched"),
    "handling": ("处置", "Handling"),
    "verifying": ("核查", "Verifying"),
    "closed": ("结案", "Closed"),
}

# responsible units: the stored name is Chinese; English for display
UNIT_NAMES_EN = {
    "区水务局": "District Water Authority",
    "市电力公司": "City Power Company",
    "区消防救援支队": "District Fire and Rescue",
    "区建管委": "District Construction Commission",
    "区路政所": "District Roads Office",
    "交警支队": "Traffic Police",
    "区绿化市容局": "District Greening and Sanitation",
    "区排水管理所": "District Drainage Office",
    "街镇环卫所": "Street Sanitation Station",
    "城管执法中队": "Urban Management Squad",
    "街镇城运中心": "Street Operations Centre",
    "区规划资源局": "District Planning and Resources",
    "区防汛办": "District Flood Control Office",
    "燃气公司": "Gas Company",
    "区应急管理局": "District Emergency Management",
    "区生态环境局": "District Ecology and Environment",
    "派出所": "Police Station",
    "区房管局": "District Housing Bureau",
}


def unit_name(unit: str | None, lang: str = "zh") -> str:
    if not unit:
        return "—"
    return UNIT_NAMES_EN.get(unit, unit) if lang == "en" else unit


# category -> kind, names, subcategories {code: (zh, en)}, responsible units
CATEGORIES: dict[str, dict] = {
    "public_facility": {
        "kind": "component",
        "zh": "公用设施",
        "en": "Public facilities",
        "sub": {
            "manhole_cover": ("井盖破损", "Damaged manhole cover"),
            "hydrant": ("消防栓损坏", "Broken hydrant"),
            "power_box": ("电力设施损坏", "Damaged power box"),
        },
        "units": ("区水务局", "市电力公司", "区消防救援支队"),
    },
    "road_facility": {
        "kind": "component",
        "zh": "道路交通设施",
        "en": "Road facilities",
        "sub": {
            "streetlight": ("路灯不亮", "Streetlight out"),
            "road_damage": ("道路破损", "Road damage"),
            "traffic_sign": ("交通标志损坏", "Damaged traffic sign"),
        },
        "units": ("区建管委", "区路政所", "交警支队"),
    },
    "greenery": {
        "kind": "component",
        "zh": "园林绿化",
        "en": "Greenery",
        "sub": {"fallen_tree": ("树木倒伏", "Fallen tree"), "green_damage": ("绿地损坏", "Damaged green space")},
        "units": ("区绿化市容局",),
    },
    "drainage": {
        "kind": "component",
        "zh": "排水设施",
        "en": "Drainage",
        "sub": {
            "drain_blocked": ("雨水口堵塞", "Blocked storm drain"),
            "sewer_overflow": ("污水冒溢", "Sewer overflow"),
        },
        "units": ("区排水管理所", "区水务局"),
    },
    "sanitation": {
        "kind": "event",
        "zh": "市容环境",
        "en": "Sanitation",
        "sub": {
            "garbage": ("暴露垃圾", "Exposed garbage"),
            "construction_waste": ("建筑垃圾乱倒", "Dumped construction waste"),
            "littering": ("道路不洁", "Dirty road"),
        },
        "units": ("区绿化市容局", "街镇环卫所"),
    },
    "street_order": {
        "kind": "event",
        "zh": "街面秩序",
        "en": "Street order",
        "sub": {
            "vending": ("占道经营", "Street vending"),
            "shop_overflow": ("跨门营业", "Shop spilling onto pavement"),
            "illegal_ad": ("非法小广告", "Illegal flyers"),
        },
        "units": ("城管执法中队", "街镇城运中心"),
    },
    "illegal_building": {
        "kind": "event",
        "zh": "违法建筑",
        "en": "Illegal building",
        "sub": {"illegal_structure": ("违法搭建", "Illegal structure")},
        "units": ("城管执法中队", "区规划资源局"),
    },
    "traffic_order": {
        "kind": "event",
        "zh": "交通秩序",
        "en": "Traffic order",
        "sub": {
            "illegal_parking": ("违法停车", "Illegal parking"),
            "bike_clutter": ("非机动车乱停放", "Bicycle clutter"),
        },
        "units": ("交警支队", "街镇城运中心"),
    },
    "waterlogging": {
        "kind": "event",
        "zh": "道路积水",
        "en": "Waterlogging",
        "sub": {"road_flooding": ("道路积水", "Flooded road"), "tunnel_flooding": ("下立交积水", "Flooded underpass")},
        "units": ("区排水管理所", "区防汛办"),
    },
    "safety_hazard": {
        "kind": "event",
        "zh": "安全隐患",
        "en": "Safety hazard",
        "sub": {
            "fire_hazard": ("消防通道堵塞", "Blocked fire lane"),
            "gas_smell": ("燃气异味", "Smell of gas"),
            "falling_object": ("高空坠物隐患", "Falling-object risk"),
        },
        "units": ("区消防救援支队", "燃气公司", "区应急管理局"),
    },
    "noise_nuisance": {
        "kind": "event",
        "zh": "噪声扰民",
        "en": "Noise nuisance",
        "sub": {
            "construction_noise": ("施工噪声", "Construction noise"),
            "social_noise": ("社会生活噪声", "Neighbourhood noise"),
        },
        "units": ("区生态环境局", "派出所"),
    },
    "community": {
        "kind": "event",
        "zh": "住宅小区",
        "en": "Residential estates",
        "sub": {"property": ("物业服务", "Property management"), "elevator": ("电梯故障", "Elevator fault")},
        "units": ("区房管局", "街镇城运中心"),
    },
    "other": {  # never generated: where an import's unmapped categories land (and are counted in its report)
        "kind": "event",
        "zh": "其他",
        "en": "Other",
        "sub": {"other": ("其他问题", "Other matter")},
        "units": ("街镇城运中心",),
    },
}

FLOOD_CATEGORIES = ("waterlogging", "drainage")

# share of each category per source (rows need not sum to 1; they are normalised)
SOURCE_MIX: dict[str, dict[str, float]] = {
    "hotline": {
        "noise_nuisance": 14,
        "community": 16,
        "street_order": 10,
        "sanitation": 10,
        "traffic_order": 8,
        "road_facility": 8,
        "public_facility": 5,
        "greenery": 4,
        "drainage": 5,
        "waterlogging": 3,
        "safety_hazard": 6,
        "illegal_building": 6,
    },
    "patrol": {
        "street_order": 24,
        "sanitation": 22,
        "traffic_order": 14,
        "road_facility": 10,
        "public_facility": 9,
        "greenery": 7,
        "illegal_building": 5,
        "drainage": 4,
        "safety_hazard": 3,
        "waterlogging": 2,
    },
    "iot": {"public_facility": 40, "drainage": 25, "waterlogging": 15, "safety_hazard": 12, "road_facility": 8},
    "video": {"street_order": 35, "traffic_order": 35, "sanitation": 20, "safety_hazard": 5, "waterlogging": 5},
    "police": {"safety_hazard": 30, "noise_nuisance": 30, "traffic_order": 25, "street_order": 15},
}
SOURCE_SHARE = {"hotline": 0.36, "patrol": 0.34, "iot": 0.10, "video": 0.14, "police": 0.06}


class Move(NamedTuple):
    """One move of the closed loop: from which statuses, to which, whether a reason is required, and
    which roles may make it (the write path checks the actor's role in the move's own transaction)."""

    allowed_from: tuple[str, ...]
    to_status: str | None
    needs_comment: bool
    roles: frozenset[str]


_DESK = frozenset({"dispatcher"})
_FIELD = frozenset({"dispatcher", "unit"})
_FLAG = frozenset({"leader", "dispatcher"})
_FLOW = ("registered", "dispatched", "handling")
_OUT = ("dispatched", "handling")  # with a unit

# the closed loop: action -> Move. to_status None: the move keeps the status (a flag, a deadline, a stage).
# Deadlines come from data.domain.limits; the moves' own conditions are checked in data.write.moves.
ACTIONS: dict[str, Move] = {
    "register": Move(("reported",), "registered", False, _DESK),
    "dispatch": Move(("registered",), "dispatched", False, _DESK),
    "start": Move(("dispatched",), "handling", False, _FIELD),
    "handled": Move(("handling",), "verifying", False, _FIELD),
    "verify_pass": Move(("verifying",), "closed", False, _DESK),
    "verify_fail": Move(("verifying",), "handling", True, _DESK),
    "close": Move(_FLOW, "closed", True, _DESK),
    "reopen": Move(("closed",), "handling", True, _DESK),
    # triage at intake
    "reject": Move(("reported",), "closed", True, _DESK),  # 不予受理/作废: an invalid report, with the reason
    "merge": Move(("reported", "registered"), "closed", False, _DESK),  # 合并 into an open incident
    "self_handle": Move(("reported",), "closed", True, _DESK),  # 自行处置: fixed on the spot, with a note
    # in flight
    "return": Move(_OUT, "registered", True, _FIELD),  # 回退: not this unit's; back to dispatch
    "request_extension": Move(_OUT, None, True, _FIELD),  # 延期 asked, with a reason and a new deadline
    "approve_extension": Move(_OUT, None, False, _DESK),
    "refuse_extension": Move(_OUT, None, True, _DESK),
    "park": Move(_FLOW, None, True, _DESK),  # 挂账: seasonal or engineering work; no deadline while parked
    "unpark": Move(_FLOW, None, False, _DESK),
    "supervise": Move(OPEN_STATUSES, None, False, _FLAG),  # 督办: a leader's flag, shown on the wall
    "stage_done": Move(("handling",), None, False, _FIELD),  # a stage of a category handled in stages
}
ACK_ROLES = frozenset({"operator", "dispatcher"})  # who may acknowledge a warning
MAX_COMMENT = 2000  # characters in a reason or comment on a move; the write path refuses longer ones

UNITS = tuple(sorted({u for c in CATEGORIES.values() for u in c["units"]}))  # every responsible unit
assert set(UNITS) == set(UNIT_NAMES_EN)


def category_name(code: str, lang: str = "zh") -> str:
    c = CATEGORIES.get(code)
    return code if c is None else c[lang]


# indicator units as English readers write them (the catalogue's units are Chinese where Chinese has its own)
UNIT_EN = {
    "万人": "×10k people",
    "万人次/h": "×10k entries/h",
    "起/h": "/h",
    "件/h": "/h",
    "人/m²": "people/m²",
    "座": "stations",
    "个": "points",
}


def unit_text(unit: str | None, lang: str) -> str:
    """A unit in the reader's language (international units are the same in both)."""
    unit = unit or ""
    return UNIT_EN.get(unit, unit) if lang == "en" else unit
