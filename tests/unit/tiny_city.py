"""A hand-made city small enough to compute every answer by hand."""

from sqlalchemy import insert

from data.domain.timeutil import parse_local
from data.store.db import bump_versions, get_engine, write_session
from data.store.models import Area, Indicator, Project
from data.write import writes

NOW = parse_local("2026-11-20 10:30")
H = 3600


def square(x, y, d=0.01):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


AREAS = [
    ("310000", "city", None),
    ("310106", "district", "310000"),
    ("310101", "district", "310000"),
    ("310106013", "street", "310106"),
    ("310106019", "street", "310106"),
    ("310101002", "street", "310101"),
    ("310106013001", "grid", "310106013"),
    ("310106013002", "grid", "310106013"),
    ("310106019001", "grid", "310106019"),
    ("310101002001", "grid", "310101002"),
]


def incident(grid: str, reported_at: int, source="hotline", category="sanitation", priority=3, **kw):
    row = {
        "source": source,
        "external_id": f"T{grid}{reported_at}{source}",
        "kind": "event",
        "category": category,
        "subcategory": "garbage",
        "title": "t",
        "description": "d",
        "district_code": grid[:6],
        "street_code": grid[:9],
        "grid_code": grid,
        "h3_cell": 0,
        "lon": 121.45,
        "lat": 31.23,
        "reported_at": reported_at,
        "status": "reported",
        "status_at": reported_at,
        "due_at": reported_at + (2 * H if priority == 3 else H // 2),
        "closed_at": None,
        "priority": priority,
        "assigned_unit": None,
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
    }
    row.update(kw)
    return row


def build(url: str) -> dict:
    """Load the tiny city; returns the incident ids by name."""
    engine = get_engine(url)
    with write_session(engine) as s:
        s.execute(
            insert(Area),
            [
                {
                    "code": c,
                    "level": lv,
                    "parent_code": p,
                    "name_zh": f"区{c}",
                    "name_en": f"A{c}",
                    "approximate": lv in ("street", "grid"),
                    "lon": 121.4,
                    "lat": 31.2,
                    "area_km2": 1.0,
                    "h3_cell": None,
                    "geometry": square(121.4, 31.2),
                }
                for c, lv, p in AREAS
            ],
        )
        s.execute(
            insert(Indicator),
            [
                {
                    "code": "aqi",
                    "name_zh": "空气质量指数",
                    "name_en": "AQI",
                    "category": "environment",
                    "unit": "AQI",
                    "direction": "up",
                    "bands": [100, 150, 200, 300],
                    "interval_s": 3600,
                    "area_level": "district",
                    "decimals": 0,
                }
            ],
        )
        s.execute(
            insert(Project),
            [
                {
                    "id": 1,
                    "name_zh": "项目一",
                    "name_en": "Project one",
                    "department": "市大数据中心",
                    "district_code": "310106",
                    "category": "cloud",
                    "phase": "build",
                    "budget": 1000.0,
                    "spend": 600.0,
                    "planned_start": NOW - 100 * 86400,
                    "planned_end": NOW + 100 * 86400,
                    "actual_start": NOW - 100 * 86400,
                    "actual_end": None,
                    "progress": 0.3,
                    "updated_at": NOW,
                }
            ],
        )
        bump_versions(s, "areas", "projects", now=NOW)
    ids = {}
    today = parse_local("2026-11-20 00:00")
    plan = {
        # name: (grid, reported_at, source, category, priority)
        "a": ("310106013001", today + 1 * H + 600, "hotline", "sanitation", 3),
        "b": ("310106013001", today + 9 * H + 1200, "patrol", "street_order", 3),
        "c": ("310106013002", today + 10 * H + 300, "patrol", "sanitation", 1),  # inside the current hour
        "d": ("310106019001", today - 14 * H, "iot", "drainage", 3),  # yesterday 10:00
        "e": ("310101002001", today - 20 * H, "hotline", "sanitation", 3),  # yesterday 04:00
        "f": ("310101002001", today + 8 * H, "video", "traffic_order", 2),
    }
    for name, (grid, at, src, cat, prio) in plan.items():
        ids[name] = writes.add_incidents(engine, [incident(grid, at, src, cat, prio)], now=at)[0]
    # a: registered at 02:00, dispatched 03:00, handling 04:00 (handling due 04:00 + 72 h)
    for action, at, unit in (("register", 2, None), ("dispatch", 3, "区绿化市容局"), ("start", 4, None)):
        writes.apply_action(
            engine,
            ids["a"],
            action,
            actor="duty-officer",
            expected_version={"register": 1, "dispatch": 2, "start": 3}[action],
            unit=unit,
            now=today + at * H,
        )
    # e: closed as invalid yesterday 05:30 (register 04:30 then close)
    writes.apply_action(
        engine, ids["e"], "register", actor="duty-officer", expected_version=1, now=today - 19 * H - 1800
    )
    writes.apply_action(
        engine,
        ids["e"],
        "close",
        actor="duty-officer",
        expected_version=2,
        comment="重复工单",
        now=today - 18 * H - 1800,
    )
    return ids
