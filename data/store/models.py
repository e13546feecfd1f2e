"""SQLAlchemy 2 typed ORM models: areas, indicators, readings, incidents, projects, warnings, rollups.

Times are integer Unix seconds (see data.domain.timeutil). Area codes nest by prefix:
city 310000, district 6 digits, street/town 9 digits, grid 12 digits (street + 3).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Area(Base):
    """One node of the city -> district -> street -> grid tree, with its outline as GeoJSON."""

    __tablename__ = "area"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[str] = mapped_column(String(8), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    area_km2: Mapped[float] = mapped_column(Float)
    h3_cell: Mapped[int | None] = mapped_column(BigInteger)
    geometry: Mapped[dict] = mapped_column(JSON)


class Indicator(Base):
    """A city vital sign from the catalogue; bands are thresholds for blue/yellow/orange/red."""

    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(16), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))  # "up": higher is worse; "down": lower is worse
    bands: Mapped[dict] = mapped_column(JSON)
    interval_s: Mapped[int] = mapped_column(Integer)
    area_level: Mapped[str] = mapped_column(String(8))
    decimals: Mapped[int] = mapped_column(Integer, default=1)


class Reading(Base):
    __tablename__ = "reading"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str] = mapped_column(String(12))
    ts: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_reading_ind_area_ts", "indicator_code", "area_code", "ts", unique=True),)


class Incident(Base):
    """A reported problem and where it stands in the closed loop.

    An imported row that could not be placed is kept, unlocated: empty district/street/grid codes and no
    coordinates. Only the city's scope reads it (every narrower scope filters on a code)."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(12))  # the channel: hotline, patrol, iot, video, police
    origin: Mapped[str] = mapped_column(String(24), default="cityops", server_default="cityops")  # who sent it
    external_id: Mapped[str] = mapped_column(String(40))  # the origin's own id: (origin, external_id) is unique
    kind: Mapped[str] = mapped_column(String(10))  # "component" (部件) or "event" (事件)
    category: Mapped[str] = mapped_column(String(24))
    subcategory: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    district_code: Mapped[str] = mapped_column(String(6))
    street_code: Mapped[str] = mapped_column(String(9))
    grid_code: Mapped[str] = mapped_column(String(12))
    h3_cell: Mapped[int | None] = mapped_column(BigInteger)  # None, with lon/lat and empty area codes: unlocated
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(200))  # as the source wrote it (imports)
    reported_at: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))
    status_at: Mapped[int] = mapped_column(BigInteger)  # when the current step began
    due_at: Mapped[int | None] = mapped_column(BigInteger)  # deadline of the current step
    closed_at: Mapped[int | None] = mapped_column(BigInteger)
    priority: Mapped[int] = mapped_column(Integer)  # 1 urgent, 2 high, 3 normal
    assigned_unit: Mapped[str | None] = mapped_column(String(64))
    reporter_name: Mapped[str | None] = mapped_column(String(32))  # personal data: mask before display
    reporter_phone: Mapped[str | None] = mapped_column(String(20))  # personal data: mask before display
    version: Mapped[int] = mapped_column(Integer, default=1)
    # the loop as staff run it (issue 15; data.domain.stdcats, data.write.moves)
    std_code: Mapped[str | None] = mapped_column(String(5))  # standard category code; (kind, std_code) is the key
    stage: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # handling stage (私搭乱建: 3)
    disposition: Mapped[str | None] = mapped_column(String(12))  # closed other than 结案: invalid, merged, self
    merged_into: Mapped[int | None] = mapped_column(Integer)  # the survivor of a merge
    parked_at: Mapped[int | None] = mapped_column(BigInteger)  # 挂账 since: no deadline while parked
    supervised_at: Mapped[int | None] = mapped_column(BigInteger)  # 督办 since
    supervised_by: Mapped[str | None] = mapped_column(String(64))
    auto_dispatch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 1: by the rules
    history: Mapped[list[IncidentHistory]] = relationship(
        back_populates="incident", order_by="IncidentHistory.at", lazy="raise"
    )
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("origin", "external_id", name="uq_incident_origin_external"),
        Index("ix_incident_reported", "reported_at"),
        Index("ix_incident_street_reported", "street_code", "reported_at"),
        Index("ix_incident_grid_reported", "grid_code", "reported_at"),
        Index("ix_incident_status_due", "status", "due_at"),
        Index("ix_incident_status_reported", "status", "reported_at", "district_code", "street_code"),
        Index(  # 督办: the few flagged incidents, counted per street on every wall tick (migration 0015)
            "ix_incident_supervised",
            "district_code",
            "street_code",
            "status",
            sqlite_where=text("supervised_at IS NOT NULL"),
            postgresql_where=text("supervised_at IS NOT NULL"),
        ),
        Index(  # the duplicates merged into an incident, listed on its page (migration 0020)
            "ix_incident_merged",
            "merged_into",
            "reported_at",
            sqlite_where=text("merged_into IS NOT NULL"),
            postgresql_where=text("merged_into IS NOT NULL"),
        ),
        *(
            Index(f"ix_incident_{col}_reported", col, "reported_at")
            for col in ("priority", "due_at", "category", "source", "assigned_unit")
        ),
    )


class IncidentHistory(Base):
    """One status change of an incident: who moved it, when, from what to what, and why."""

    __tablename__ = "incident_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    at: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(20))  # the move (vocab.ACTIONS; "report" for the first row)
    due_at: Mapped[int | None] = mapped_column(BigInteger)  # deadline of the step this row starts
    late: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 1: ended a step past its deadline
    unit: Mapped[str | None] = mapped_column(String(64))  # the unit assigned after this move
    incident: Mapped[Incident] = relationship(back_populates="history")
    __table_args__ = (Index("ix_incident_history_at_action", "at", "action"),)  # and models_replay's state index


class IncidentAudit(Base):
    """Every accepted action on an incident, with the full request: who, when, which action, which unit,
    what comment, and the versions it moved between (written in the same transaction as the change)."""

    __tablename__ = "incident_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[int] = mapped_column(BigInteger, index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    from_version: Mapped[int] = mapped_column(Integer)
    to_version: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)


class Project(Base):
    """A city IT/engineering project; KPIs are derived in data.queries from dates, progress and spend."""

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(64), index=True)
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(24))
    phase: Mapped[str] = mapped_column(String(12))
    budget: Mapped[float] = mapped_column(Float)  # 万元 (10k CNY)
    spend: Mapped[float] = mapped_column(Float)
    planned_start: Mapped[int] = mapped_column(BigInteger)
    planned_end: Mapped[int] = mapped_column(BigInteger)
    actual_start: Mapped[int | None] = mapped_column(BigInteger)
    actual_end: Mapped[int | None] = mapped_column(BigInteger)
    progress: Mapped[float] = mapped_column(Float)  # 0..1
    updated_at: Mapped[int] = mapped_column(BigInteger)
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by="Milestone.planned_date", lazy="raise"
    )


class Milestone(Base):
    __tablename__ = "milestone"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    planned_date: Mapped[int] = mapped_column(BigInteger)
    actual_date: Mapped[int | None] = mapped_column(BigInteger)
    project: Mapped[Project] = relationship(back_populates="milestones")


class Warning(Base):
    """A five-colour warning raised by a rule; active while ended_at is NULL."""

    __tablename__ = "warning"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[int] = mapped_column(Integer)  # 1 red .. 4 blue
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(64))  # indicator code, category, project id
    rule_id: Mapped[str] = mapped_column(String(48))
    value: Mapped[float | None] = mapped_column(Float)
    cause_zh: Mapped[str] = mapped_column(String(256))
    cause_en: Mapped[str] = mapped_column(String(256))
    started_at: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_at: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    colours_area: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")  # its rule's catalogue say
    __table_args__ = (
        Index("ix_warning_active", "ended_at", "level"),
        Index("ix_warning_started", "started_at"),
    )


# ---- rollups: kept current on every write by data.rollups ------------------------------


class RollupIncidentHour(Base):
    """Incidents reported and closed per street x category x source x hour. The district is part of the key:
    imported incidents placed only by their district share the empty street with unlocated ones."""

    __tablename__ = "rollup_incident_hour"
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    source: Mapped[str] = mapped_column(String(12), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    reported: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        Index("ix_rih_street_hour", "street_code", "hour"),
        Index("ix_rih_district_hour", "district_code", "hour"),
    )


class RollupIncidentDay(Base):
    """Incidents reported and closed per Shanghai day x district x category x source: whole days of
    the city or a district in ~1k rows instead of ~50k hourly street rows."""

    __tablename__ = "rollup_incident_day"
    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    source: Mapped[str] = mapped_column(String(12), primary_key=True)
    reported: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)


class RollupGridDay(Base):
    """Incidents reported per grid cell per Shanghai calendar day (the heat layer's bins)."""

    __tablename__ = "rollup_grid_day"
    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    reported: Mapped[int] = mapped_column(Integer, default=0)


class RollupOpen(Base):
    """Open incidents per grid x status x hour of the current step's deadline.

    Overdue at time t = rows with due_hour < hour(t), plus the few raw incidents whose
    deadline falls inside the current hour, so the count is exact without a scan.
    """

    __tablename__ = "rollup_open"
    grid_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    due_hour: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(9), primary_key=True, index=True)  # key: imports placed no deeper
    district_code: Mapped[str] = mapped_column(String(6), primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class LatestReading(Base):
    """The newest reading per indicator x area."""

    __tablename__ = "latest_reading"
    indicator_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    ts: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float] = mapped_column(Float)


class DataVersion(Base):
    """A counter per data domain, bumped in the same transaction as every write; part of cache keys."""

    __tablename__ = "data_version"
    domain: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=0)
