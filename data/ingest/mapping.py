"""Mapping files: YAML that says how a source's columns become our incidents or readings.

The shape is a contract other tools write (issue 14): keys only grow. Validation happens before a file is
read, and every refusal is one sentence naming the key, so a city's data officer can fix it alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from data.domain.vocab import CATEGORIES, SOURCES, STATUSES

SourceName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,23}$")]
Column = str | None
CRS = Literal["WGS84", "GCJ02", "BD09"]
INCIDENT_FIELDS = (
    "id",
    "reported_at",
    "closed_at",
    "updated_at",
    "status",
    "category",
    "title",
    "description",
    "lat",
    "lon",
    "address",
    "area",
    "district",
    "street",
    "channel",
    "priority",
    "unit",
    "std_code",
)


class MappingError(ValueError):
    """The mapping cannot be used; the message names the key and says what is wrong."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("missing", mode="before", check_fields=False)
    @classmethod
    def _sentinels_as_text(cls, v):
        """`missing: [-999, NA]` reads -999 as a number; the file's cells are text."""
        return [str(x) if x is not None else "" for x in v] if isinstance(v, list) else v


class IncidentColumns(_Strict):
    """Which source column holds each of our fields (any may be null: the source has no such column)."""

    id: str
    reported_at: str
    closed_at: Column = None
    updated_at: Column = None  # when the source last changed the row: a closed row's close time if it has no closed_at
    status: Column = None
    category: Column = None
    title: Column = None
    description: Column = None
    lat: Column = None
    lon: Column = None
    address: Column = None
    area: Column = None  # an area code (6, 9 or 12 digits) or a district or street/town name
    district: Column = None  # a district name or code, to tell apart streets of the same name
    street: Column = None
    channel: Column = None  # hotline, patrol, iot, video, police (through channel_map)
    priority: Column = None  # 1 urgent, 2 high, 3 normal (through priority_map)
    unit: Column = None  # the handling unit the source assigned
    std_code: Column = None  # the standard 5-digit category code (小类代码); known codes set the category


class IncidentMapping(_Strict):
    source: SourceName
    timezone: str = "Asia/Shanghai"
    time_format: str | None = None  # strptime format tried before ISO 8601 and 2024/1/5 13:45
    crs: CRS = "GCJ02"
    columns: IncidentColumns
    status_map: dict[str, Literal[STATUSES]] = Field(default_factory=dict)  # type: ignore[valid-type]
    categories: dict[str, str] = Field(default_factory=dict)
    default_category: str = "other"
    channel: Literal[SOURCES] = "hotline"  # type: ignore[valid-type]  # when no column says
    channel_map: dict[str, Literal[SOURCES]] = Field(default_factory=dict)  # type: ignore[valid-type]
    priority_map: dict[str, Literal[1, 2, 3]] = Field(default_factory=dict)
    default_priority: Literal[1, 2, 3] = 3
    missing: list[str] = Field(default_factory=lambda: ["", "NA", "N/A", "null", "NULL", "None"])

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, v: dict[str, str]) -> dict[str, str]:
        bad = sorted({c for c in v.values() if c not in CATEGORIES})
        if bad:
            raise ValueError(f"unknown categories {bad}; ours are {sorted(CATEGORIES)}")
        return v

    @field_validator("default_category")
    @classmethod
    def _known_default(cls, v: str) -> str:
        if v not in CATEGORIES:
            raise ValueError(f"unknown category {v!r}; ours are {sorted(CATEGORIES)}")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        return _zone(v)

    def source_columns(self) -> dict[str, str]:
        """Our field -> the source column, for the fields this source has."""
        return {k: v for k, v in self.columns.model_dump().items() if v}


class Series(_Strict):
    column: str | None = None  # wide layout: the source column of this series
    key: str | None = None  # long layout: the series column's value for this series
    indicator: str
    area: str


class TimeColumns(_Strict):
    column: str | None = None
    year: str | None = None
    month: str | None = None
    day: str | None = None
    hour: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> TimeColumns:
        parts = (self.year, self.month, self.day, self.hour)
        if bool(self.column) == any(parts) or (any(parts) and not all(parts)):
            raise ValueError("give either `column`, or all of `year`, `month`, `day` and `hour`")
        return self


class LongColumns(_Strict):
    series: str
    value: str
    time: str | None = None


class ReadingMapping(_Strict):
    """Sensor series: wide (one column per series) or long (series, time, value columns)."""

    source: SourceName
    timezone: str = "Asia/Shanghai"
    time_format: str | None = None
    series: list[Series]
    time: TimeColumns | None = None
    columns: LongColumns | None = None
    units: dict[str, str] = Field(default_factory=dict)  # indicator -> the unit the source measures it in
    missing: list[str] = Field(default_factory=lambda: ["", "NA", "N/A", "null", "NULL", "None"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        return _zone(v)

    @model_validator(mode="after")
    def _layout(self) -> ReadingMapping:
        if self.columns is None and any(not s.column for s in self.series):
            raise ValueError("wide layout: every series needs its `column`")
        if self.columns is not None and any(not s.key for s in self.series):
            raise ValueError("long layout (`columns`): every series needs its `key`, the value of the series column")
        if self.time is None and (self.columns is None or not self.columns.time):
            raise ValueError("say where the time is: `time: {column: ...}` or `columns: {time: ...}`")
        return self


def _zone(v: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {v!r} (an IANA name such as Asia/Shanghai)") from None
    return v


def _sentence(err: ValidationError, path: Path) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "is not a key this mapping knows"
    elif first["type"] == "missing":
        msg = "is required"
    return f"{path.name}: `{where}` {msg}"


def load(path: str | Path, kind: Literal["incidents", "readings"]) -> IncidentMapping | ReadingMapping:
    """Read and validate a mapping file; MappingError with one sentence when it cannot be used."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"cannot read the mapping {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path.name} is not valid YAML: {str(exc).splitlines()[0]}") from None
    return parse(raw, kind, path)


def parse(raw: object, kind: str, path: Path = Path("mapping")) -> IncidentMapping | ReadingMapping:
    if not isinstance(raw, dict):
        raise MappingError(f"{path.name}: a mapping is a YAML object of keys (source, columns, ...)")
    model = IncidentMapping if kind == "incidents" else ReadingMapping
    try:
        return model.model_validate(_keys_as_text(raw))
    except ValidationError as exc:
        raise MappingError(_sentence(exc, path)) from None


def _keys_as_text(v):
    """YAML reads `1: x` and `yes: x` as int and bool keys; a source's values are text."""
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else str(k)): _keys_as_text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_keys_as_text(x) for x in v]
    return v
