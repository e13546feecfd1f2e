"""The area tree and the models, on the real reference data."""

import pytest
from sqlalchemy import select

from data.read import areas
from data.store.models import Area, Incident
from data.synthetic.geo import build_area_tree, english_name


@pytest.fixture(scope="module")
def tree():
    return build_area_tree()


def test_tree_has_real_districts_and_every_nbs_street(tree):
    levels = {}
    for a in tree:
        levels.setdefault(a.level, []).append(a)
    assert len(levels["city"]) == 1 and len(levels["district"]) == 16 and len(levels["street"]) == 234
    assert {d.code for d in levels["district"]} >= {"310101", "310106", "310115", "310151"}
    jingan = [s for s in levels["street"] if s.parent_code == "310106"]
    assert len(jingan) == 14  # 13 subdistricts + 彭浦镇, per the NBS list


def test_codes_nest_by_prefix_and_derived_shapes_are_marked_approximate(tree):
    by_code = {a.code: a for a in tree}
    for a in tree:
        if a.level in ("street", "grid"):
            assert a.code.startswith(a.parent_code) and a.approximate
            assert not a.geom.is_empty and a.geom.is_valid
    grids = [a for a in tree if a.level == "grid"]
    assert all(len(g.code) == 12 for g in grids)
    assert {g.parent_code for g in grids} == {a.code for a in tree if a.level == "street"}
    assert not by_code["310106"].approximate


def test_streets_cover_their_district(tree):
    import shapely

    districts = {a.code: a for a in tree if a.level == "district"}
    for code, d in districts.items():
        parts = [s.geom for s in tree if s.level == "street" and s.parent_code == code]
        covered = shapely.union_all(parts).area / d.geom.area
        assert covered > 0.97, (code, covered)


def test_english_names_are_pinyin_with_a_suffix():
    assert english_name("外滩街道") == "Waitan Subdistrict"
    assert english_name("彭浦镇") == "Pengpu Town"


def test_seeded_incidents_carry_consistent_area_codes(small_city, app_for):
    app_for(small_city)
    from data.store.cache import current_engine

    with current_engine().connect() as conn:
        rows = conn.execute(select(Incident.district_code, Incident.street_code, Incident.grid_code).limit(500)).all()
        grid_codes = set(conn.scalars(select(Area.code).where(Area.level == "grid")))
    for d, s, g in rows:
        assert s.startswith(d) and g.startswith(s) and g in grid_codes
    assert areas.area("310106")["name_zh"] == "静安区"
    assert [a["code"] for a in areas.lineage(rows[0][2])] == ["310000", rows[0][0], rows[0][1], rows[0][2]]
