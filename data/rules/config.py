"""Load and validate the indicator catalogue and warning rules (data/rules/catalog.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CATEGORIES = ("weather", "environment", "traffic", "safety", "utilities", "flood", "crowds", "service")
COLOURS = ("blue", "yellow", "orange", "red")  # ascending severity; level = 4 - index
LEVEL_OF = {"red": 1, "orange": 2, "yellow": 3, "blue": 4}


def level_for(value: float, thresholds, higher_is_worse: bool = True) -> int:
    """1 red .. 4 blue, 5 when short of the blue threshold. thresholds are blue, yellow, orange, red."""
    level = 5
    for i, t in enumerate(thresholds):
        if (value >= t) if higher_is_worse else (value <= t):
            level = 4 - i
    return level


class ConfigError(ValueError):
    """The catalogue/rules file is invalid; the message names the file and the bad entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sim(_Strict):
    base: float
    amp: float
    peak: float = Field(ge=0, lt=24)
    noise: float = Field(ge=0)
    lo: float
    hi: float
    rain: float = 0
    rush: bool = False
    tide: bool = False
    weekend: float = 1.0
    stale_hours: float = 0
    cumulative: str | None = None
    open_hours: tuple[float, float] | None = None  # a service that closes at night (the metro)...
    night: float | None = None  # ...reads this value while closed

    @model_validator(mode="after")
    def _night_complete(self):
        if (self.open_hours is None) != (self.night is None):
            raise ValueError("sim.open_hours and sim.night go together")
        if self.open_hours is not None and not 0 <= self.open_hours[0] < self.open_hours[1] <= 24:
            raise ValueError(f"sim.open_hours {list(self.open_hours)} must be two hours 0-24, opening first")
        return self


class IndicatorDef(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    unit: str
    direction: Literal["up", "down"]
    bands: tuple[float, float, float, float] | None
    interval: int = Field(ge=60, le=86400)
    area_level: Literal["city", "district"]
    decimals: int = Field(ge=0, le=4)
    sim: Sim

    @model_validator(mode="after")
    def _bands_ordered(self):
        if self.bands is not None:
            b = list(self.bands)
            ok = b == sorted(b) if self.direction == "up" else b == sorted(b, reverse=True)
            if not ok or len(set(b)) != 4:
                order = "ascend" if self.direction == "up" else "descend"
                raise ValueError(
                    f"bands {b} must strictly {order} (blue, yellow, orange, red) for direction '{self.direction}'"
                )
        return self

    def level_of(self, value: float) -> int:
        """Warning level for a value: 1 red .. 4 blue, 5 green (normal)."""
        return 5 if self.bands is None else level_for(value, self.bands, self.direction == "up")


class Levels(_Strict):
    blue: float
    yellow: float
    orange: float
    red: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.blue, self.yellow, self.orange, self.red)


class _Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,47}$")
    name_zh: str
    name_en: str
    enabled: bool = True
    colours_area: bool = True  # its warnings set the area's five-colour safety level (false: management information)


class IndicatorRule(_Rule):
    kind: Literal["indicator"]


class SpikeRule(_Rule):
    kind: Literal["spike"]
    area_level: Literal["district", "street"] = "street"
    window_minutes: int = Field(ge=10, le=1440)
    baseline_days: int = Field(ge=1, le=28)
    min_count: int = Field(ge=1)
    levels: Levels

    @field_validator("levels")
    @classmethod
    def _ascending(cls, v: Levels):
        if list(v.as_tuple()) != sorted(v.as_tuple()) or v.blue <= 1:
            raise ValueError("spike ratios must ascend blue < yellow < orange < red and exceed 1")
        return v


class OverdueRule(_Rule):
    """Levels are shares of an area's open incidents that are overdue (scale-free), from min_count up."""

    kind: Literal["overdue"]
    area_level: Literal["district", "street"] = "street"
    min_count: int = Field(ge=1)
    levels: Levels

    @field_validator("levels")
    @classmethod
    def _ascending(cls, v: Levels):
        t = v.as_tuple()
        if list(t) != sorted(t) or not 0 < v.blue < v.red <= 1:
            raise ValueError("overdue shares must ascend blue < yellow < orange < red within (0, 1]")
        return v


class ProjectRule(_Rule):
    kind: Literal["project"]
    min_days_in: int = Field(ge=0)
    levels: Levels

    @field_validator("levels")
    @classmethod
    def _descending(cls, v: Levels):
        t = v.as_tuple()
        if list(t) != sorted(t, reverse=True) or not 0 < v.red < v.blue <= 1:
            raise ValueError("schedule-performance levels must descend blue > yellow > orange > red within (0, 1]")
        return v


Rule = Annotated[IndicatorRule | SpikeRule | OverdueRule | ProjectRule, Field(discriminator="kind")]


class WallConfig(_Strict):
    """What the command wall shows: 8-12 vital-sign tiles and the header's weather line."""

    tiles: tuple[str, ...] = Field(min_length=8, max_length=12)
    weather: tuple[str, ...] = Field(min_length=1, max_length=5)


class LevelMeaning(_Strict):
    """What a colour means and who must respond how fast: configuration, shown on the wall's legend and
    on /levels (DOMAIN.md: the national scale fixes the colours, not a city's response rules)."""

    level: int = Field(ge=1, le=5)
    meaning_zh: str = Field(min_length=1, max_length=8)  # short enough for the wall's legend
    meaning_en: str = Field(min_length=1, max_length=20)
    respond_zh: str = Field(min_length=1)
    respond_en: str = Field(min_length=1)


class Catalog(_Strict):
    indicators: tuple[IndicatorDef, ...]
    rules: tuple[Rule, ...]
    wall: WallConfig
    levels: tuple[LevelMeaning, ...] = Field(min_length=5, max_length=5)

    @model_validator(mode="after")
    def _every_level_once(self):
        if sorted(lv.level for lv in self.levels) != [1, 2, 3, 4, 5]:
            raise ValueError("levels must describe each of 1 (red) .. 5 (green) once")
        return self

    def meaning(self, level: int) -> LevelMeaning:
        return next(lv for lv in self.levels if lv.level == level)

    @model_validator(mode="after")
    def _unique(self):
        for what, items in (("indicator code", self.indicators), ("rule id", self.rules)):
            seen = set()
            for item in items:
                key = item.code if what == "indicator code" else item.id
                if key in seen:
                    raise ValueError(f"duplicate {what} '{key}'")
                seen.add(key)
        codes = {i.code for i in self.indicators}
        for ind in self.indicators:
            if ind.sim.cumulative and ind.sim.cumulative not in codes:
                raise ValueError(
                    f"indicator '{ind.code}': sim.cumulative names unknown indicator '{ind.sim.cumulative}'"
                )
        for where, listed in (("wall.tiles", self.wall.tiles), ("wall.weather", self.wall.weather)):
            unknown = [c for c in listed if c not in codes]
            if unknown:
                raise ValueError(f"{where} names unknown indicator(s) {unknown}")
            if len(set(listed)) != len(listed):
                raise ValueError(f"{where} lists an indicator twice")
        return self

    def indicator(self, code: str) -> IndicatorDef:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def rules_of(self, kind: str) -> list:
        return [r for r in self.rules if r.kind == kind and r.enabled]


def _describe(raw: dict, loc: tuple) -> str:
    """Turn a pydantic location like ('indicators', 3, 'bands') into "indicators[3] (code 'x').bands"."""
    parts: list[str] = []
    node = raw
    for i, key in enumerate(loc):
        if isinstance(key, int):
            parts[-1] += f"[{key}]"
            try:
                node = node[key]
                ident = node.get("code") or node.get("id") if isinstance(node, dict) else None
                if ident:
                    parts[-1] += f" ('{ident}')"
            except (IndexError, KeyError, TypeError, AttributeError):
                node = None
        else:
            if i > 0 and loc[i - 1] == "rules" or key in ("indicator", "spike", "overdue", "project"):
                continue  # pydantic inserts the discriminator tag into the path
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def parse_catalog(text: str, source: str = "catalog") -> Catalog:
    """Validate catalogue text; raise ConfigError naming the first bad entries."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping with 'indicators' and 'rules'")
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{source}: {_describe(raw, tuple(e['loc']))}: {e['msg']}" for e in exc.errors()[:5]]
        raise ConfigError("invalid configuration\n  " + "\n  ".join(lines)) from None


@lru_cache(maxsize=8)
def load_catalog(path: str) -> Catalog:
    """Read and validate the catalogue file (cached per path: it does not change while running)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the rules file: {exc.strerror}") from exc
    return parse_catalog(text, p.name)
