"""The evaluation's rollups (考核评价, docs/EVALUATION.md): the counted moves, the dispatches later sent
back and the time per stage by Shanghai day at a few grains, and the spans during which an incident was
超期待处置. Kept in the transaction of every write that adds history rows, rebuilt in bulk after a load.

Every figure is a sum over incidents of what one incident's history contributes, so a write recomputes
the contribution of the incidents it touched from their history in SQL (with and without the rows it
added) and adds the difference: the same statements as the full rebuild, limited to a few incidents."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data.domain.timeutil import DAY, OFFSET
from data.read.evaluation_sql import COUNTED, PENDING, STAGES
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import MOVE_COUNTS, STAGE_SUMS, OverdueSpan, RollupMove, RollupMoveReturn, RollupState

H, Inc = IncidentHistory, Incident
# grain -> the columns it keeps besides day and district_code (the others hold '')
GRAINS = {"du": ("unit",), "su": ("street_code", "unit"), "dc": ("category",), "s": ("street_code",)}
ALWAYS = ("day", "until", "district_code")  # key columns of every grain
NO_END = 253402300800  # 9999-12-31: the end of a span whose incident has not moved since
CHUNK = 2000  # incidents per statement (bound parameters stay far below every driver's limit)
AGGREGATES = (RollupMove, RollupMoveReturn)
TABLES = (*AGGREGATES, OverdueSpan)


def day_of(col):
    """The Shanghai day start of a Unix-seconds column."""
    return col - (col + literal_column(str(OFFSET))) % literal_column(str(DAY))  # no binds: GROUP BY repeats it


def _grains(fine, keys: tuple[str, ...], values: tuple[str, ...], sign: int):
    """SELECTs of each grain from a finest-grain CTE: (grain, *keys, *values), a column outside the grain
    as ''. `keys` are the key columns of the table, `values` the summed ones."""
    parts = []
    for grain in GRAINS:
        kept = [c for c in keys if c in ALWAYS or c in GRAINS[grain]]
        cols = [(fine.c[c] if c in kept else literal("")).label(c) for c in keys]
        sums = [(func.sum(fine.c[v]) * sign).label(v) for v in values]
        parts.append(select(literal(grain).label("grain"), *cols, *sums).group_by(*[fine.c[c] for c in kept]))
    return union_all(*parts)


ONE, ZERO = literal_column("1"), literal_column("0")


def _count(actions: tuple[str, ...], ontime: bool = False):
    """How many of a group's rows are these moves (ontime: and did not end their step late)."""
    cond = H.action.in_(actions) if len(actions) > 1 else H.action == actions[0]
    return func.sum(case((and_(cond, func.coalesce(H.late, ZERO) != ONE) if ontime else cond, ONE), else_=ZERO))


COUNTS = {  # rollup_move column -> its rows (as data.read.evaluation._tally counts them)
    "reports": _count(("report",)),
    "self_handled": _count(("self_handle",)),
    "registered": _count(("register",)),
    "registered_ontime": _count(("register",), True),
    "dispatched": _count(("dispatch",)),
    "handled": _count(("handled",)),
    "handled_ontime": _count(("handled",), True),
    "due_close": _count(("verify_pass", "verify_fail", "close")),
    "rework": _count(("verify_fail", "reopen")),
    "extensions": _count(("approve_extension",)),
    "closed": _count(("verify_pass", "close")),
    "closed_ontime": _count(("verify_pass", "close"), True),
}
assert tuple(COUNTS) == MOVE_COUNTS


def _moves(where: list, sign: int):
    """rollup_move's rows from the counted moves and the status changes that `where` selects."""
    area = (Inc.district_code, Inc.street_code, Inc.category)
    counted = (
        select(day_of(H.at).label("day"), *area, func.coalesce(H.unit, "").label("unit"))
        .add_columns(*[c.label(k) for k, c in COUNTS.items()], *[ZERO.label(k) for k in STAGE_SUMS])
        .join(Inc, Inc.id == H.incident_id)
        .where(H.action.in_(COUNTED), *where)
        .group_by(day_of(H.at), *area, H.unit)
    )
    entered = func.lag(H.at).over(partition_by=H.incident_id, order_by=(H.at, H.id))
    status_changes = or_(H.from_status.is_(None), H.from_status != H.to_status)
    c = select(H.incident_id, H.unit, H.at, H.from_status, entered.label("entered")).where(status_changes, *where)
    c = c.subquery()
    sums = []
    for stage in STAGES:
        left = c.c.from_status == stage
        sums += [func.sum(case((left, c.c.at - c.c.entered), else_=ZERO)), func.sum(case((left, ONE), else_=ZERO))]
    stages = (
        select(day_of(c.c.at).label("day"), *area, func.coalesce(c.c.unit, "").label("unit"))
        .add_columns(*[ZERO.label(k) for k in COUNTS], *[v.label(k) for k, v in zip(STAGE_SUMS, sums, strict=True)])
        .join(Inc, Inc.id == c.c.incident_id)
        .where(c.c.from_status.in_(STAGES), c.c.entered.is_not(None))
        .group_by(day_of(c.c.at), *area, c.c.unit)
    )
    fine = union_all(counted, stages).cte("fine_moves")
    keys = ("district_code", "day", "street_code", "category", "unit")
    values = MOVE_COUNTS + STAGE_SUMS
    return RollupMove, keys, values, _grains(fine, keys, values, sign)


def _returns(where: list, sign: int):
    """rollup_move_return's rows: each dispatch `where` selects that a later 回退 sent back."""
    ret = func.min(case((H.action == "return", H.at))).over(
        partition_by=H.incident_id, order_by=(H.at, H.id), rows=(1, None)
    )
    d = select(H.incident_id, H.at, H.action, H.unit, ret.label("ret")).where(
        H.action.in_(("dispatch", "return")), *where
    )
    d = d.subquery()
    fine = (
        select(
            day_of(d.c.at).label("day"),
            day_of(d.c.ret).label("until"),
            Inc.district_code,
            Inc.street_code,
            Inc.category,
            func.coalesce(d.c.unit, "").label("unit"),
            func.count().label("n"),
        )
        .join(Inc, Inc.id == d.c.incident_id)
        .where(d.c.action == "dispatch", d.c.ret.is_not(None))
        .group_by(day_of(d.c.at), day_of(d.c.ret), Inc.district_code, Inc.street_code, Inc.category, d.c.unit)
        .cte("fine_returns")
    )
    keys = ("district_code", "day", "until", "street_code", "category", "unit")
    return RollupMoveReturn, keys, ("n",), _grains(fine, keys, ("n",), sign)


def _spans(where: list):
    """INSERT ... SELECT of the overdue spans of the history rows `where` selects."""
    nxt = func.lead(H.at).over(partition_by=H.incident_id, order_by=(H.at, H.id))
    s = select(H.id, H.incident_id, H.at, H.action, H.unit, H.to_status, H.due_at, nxt.label("nxt")).where(*where)
    s = s.subquery()
    start = case((s.c.due_at > s.c.at, s.c.due_at), else_=s.c.at)
    end = func.coalesce(s.c.nxt, NO_END)
    cols = ["history_id", "incident_id", "district_code", "street_code", "grid_code", "category", "unit"]
    cols += ["to_status", "due_at", "start_at", "end_at"]
    rows = (
        select(s.c.id, s.c.incident_id, Inc.district_code, Inc.street_code, Inc.grid_code, Inc.category, s.c.unit)
        .add_columns(s.c.to_status, s.c.due_at, start, end)
        .join(Inc, Inc.id == s.c.incident_id)
        .where(s.c.to_status.in_(PENDING), s.c.due_at.is_not(None), func.coalesce(s.c.action, "") != "park")
        .where(start < end)
    )
    return insert(OverdueSpan).from_select(cols, rows)


IDS = H.incident_id.in_(bindparam("ids", expanding=True))
WHERE = {"all": [], "ids": [IDS], "before": [IDS, H.id.not_in(bindparam("new_rows", expanding=True))]}


@functools.cache
def _statement(kind: str, rows: str, dialect: str):
    """One statement, built once (a move runs them with its own ids): kind "moves", "returns" or "spans";
    rows "all" (a rebuild: plain INSERT), "ids" (the incidents' rows, added) or "before" (the rows before
    this write, subtracted); both upserts add to the rows already there."""
    if kind == "spans":
        return _spans(WHERE[rows])
    model, keys, values, select_rows = (_moves if kind == "moves" else _returns)(
        WHERE[rows], -1 if rows == "before" else 1
    )
    cols = ["grain", *keys, *values]
    if rows == "all":
        return insert(model).from_select(cols, select_rows)
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(model).from_select(cols, select_rows)
    pk = [c.name for c in model.__table__.primary_key.columns]
    return stmt.on_conflict_do_update(index_elements=pk, set_={v: getattr(model, v) + stmt.excluded[v] for v in values})


def _run(conn, kinds: tuple[str, ...], rows: str, **params) -> None:
    for kind in kinds:
        conn.execute(_statement(kind, rows, conn.dialect.name), params)


def _cover(conn, top: int | None) -> None:
    """Record that the rollups include every history row up to id `top`."""
    if top is None:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(RollupState).values(name="covered", value=top)
    grown = case((stmt.excluded.value > RollupState.value, stmt.excluded.value), else_=RollupState.value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"value": grown}))


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


# ---- incremental ----------------------------------------------------------------------------------


def history_added(session: Session, new: Iterable[int] = (), moved: Iterable[int] = ()) -> None:
    """Count history rows just written in this transaction: every row of the `new` incidents, and the
    newest row (by id) of each `moved` incident (one move each)."""
    conn = session.connection()
    top = None
    for chunk in _chunks(sorted(set(new))):
        _run(conn, ("moves", "returns", "spans"), "ids", ids=chunk)
        top = max(top or 0, conn.scalar(select(func.max(H.id)).where(IDS), {"ids": chunk}) or 0)
    for chunk in _chunks(sorted(set(moved))):
        latest = list(conn.scalars(select(func.max(H.id)).where(IDS).group_by(H.incident_id), {"ids": chunk}))
        _run(conn, ("moves", "returns"), "ids", ids=chunk)
        _run(conn, ("moves", "returns"), "before", ids=chunk, new_rows=latest)
        conn.execute(delete(OverdueSpan).where(OverdueSpan.incident_id.in_(chunk)))
        _run(conn, ("spans",), "ids", ids=chunk)
        top = max([top or 0, *latest])
    _cover(conn, top)


# ---- full rebuild ---------------------------------------------------------------------------------


def rebuild(session: Session) -> None:
    """Recompute the evaluation rollups from the whole history (after a bulk load; the oracle in tests)."""
    conn = session.connection()
    for model in TABLES:
        conn.execute(delete(model))
    _run(conn, ("moves", "returns", "spans"), "all")
    conn.execute(delete(RollupState).where(RollupState.name == "covered"))
    conn.execute(insert(RollupState).values(name="covered", value=conn.scalar(select(func.max(H.id))) or 0))


def snapshot(session: Session) -> dict[str, set[tuple]]:
    """Every rollup row that counts something, as sets (rows added up to zero are left out)."""
    out = {}
    for model in TABLES:
        rows = session.execute(select(*model.__table__.columns)).all()
        if model in AGGREGATES:
            keys = len(model.__table__.primary_key.columns)
            rows = [r for r in rows if any(r[keys:])]
        out[model.__tablename__] = set(map(tuple, rows))
    return out


def drift(engine: Engine) -> dict[str, int]:
    """Rows that differ between the kept rollups and a rebuild from history, per table ({} = exact). The
    rebuild runs in a transaction that is rolled back."""
    with engine.connect() as conn, Session(bind=conn) as session:
        session.begin()
        kept = snapshot(session)
        rebuild(session)
        fresh = snapshot(session)
        session.rollback()
    return {t: len(kept[t] ^ fresh[t]) for t in fresh if kept[t] != fresh[t]}
