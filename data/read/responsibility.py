"""Dispatch by responsibility (依责承接): which unit a dispatcher is offered first for an incident, then
the others that handle its category, each with its open load in the incident's district.

The responsibility table (data.store.models_loop.Responsibility, loaded from a city's file by
`cityops responsibility load`) names the unit for a category, or one standard code of it, in an area;
the most specific row wins: a standard code over the whole category, then the longest area prefix,
then the lowest rank. With no row, the category's own list of units (vocab.CATEGORIES) is the order."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from data.domain.vocab import CATEGORIES
from data.store.cache import current_engine
from data.store.models import Incident
from data.store.models_loop import Responsibility

WITH_UNIT = ("dispatched", "handling", "verifying")


def responsible_unit(conn, incident: dict) -> str | None:
    """The unit the table names for this incident, or None when no row applies."""
    place = incident.get("grid_code") or incident.get("street_code") or incident.get("district_code") or ""
    rows = conn.execute(
        select(Responsibility.unit, Responsibility.std_code, Responsibility.area_code, Responsibility.rank).where(
            Responsibility.category == incident["category"],
            or_(Responsibility.std_code == "", Responsibility.std_code == (incident.get("std_code") or "")),
        )
    ).all()
    units = CATEGORIES[incident["category"]]["units"]
    fits = [r for r in rows if place.startswith(r.area_code) and r.unit in units]
    if not fits:
        return None
    best = max(fits, key=lambda r: (r.std_code != "", len(r.area_code), -r.rank))
    return best.unit


def proposed_units(engine, incident: dict) -> list[tuple[str, int, int]]:
    """(unit, rank, open load) for every unit that handles the incident's category: the responsible unit
    first (rank 0), then the others in the category's order (rank 1, 2, ...); ranks start at 1 when no
    row of the table applies. The open load counts the
    incidents dispatched to the unit and not yet closed in the incident's district (all districts for an
    incident placed nowhere)."""
    units = list(CATEGORIES[incident["category"]]["units"])
    with (engine or current_engine()).connect() as conn:
        first = responsible_unit(conn, incident)
        where = [Incident.assigned_unit.in_(units), Incident.status.in_(WITH_UNIT)]
        if incident.get("district_code"):
            where.append(Incident.district_code == incident["district_code"])
        load = dict(
            conn.execute(
                select(Incident.assigned_unit, func.count()).where(*where).group_by(Incident.assigned_unit)
            ).all()
        )
    if first is None:  # no row of the table applies: nobody is "the responsible unit"
        return [(u, rank, int(load.get(u, 0))) for rank, u in enumerate(units, start=1)]
    units.remove(first)
    units.insert(0, first)
    return [(u, rank, int(load.get(u, 0))) for rank, u in enumerate(units)]


def table(engine) -> list[dict]:
    """The whole table in file order (for `cityops responsibility show`)."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(Responsibility.__table__).order_by(Responsibility.id)).mappings()]
