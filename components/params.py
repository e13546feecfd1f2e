"""One query-string model per page: parse the URL's values (each bad one falls back to its default and is
named, so the page can say so), validate them with pydantic, and give the URL back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from components.links import href
from data.domain.areas import is_area_code as _is_area_code


def is_area_code(v: str) -> bool:
    """A district (6), street (9) or grid (12) code in form; whether it exists is the page's question."""
    return len(v) in (6, 9, 12) and _is_area_code(v)


def one_of(allowed) -> AfterValidator:
    """A validator accepting only the values in `allowed` (read when checked, so vocabularies may grow)."""

    def check(v):
        if v not in allowed:
            raise ValueError("not an allowed value")
        return v

    return AfterValidator(check)


def checked(test: Callable[[Any], bool]) -> AfterValidator:
    def check(v):
        if not test(v):
            raise ValueError("not allowed")
        return v

    return AfterValidator(check)


def _flag(v) -> bool:
    """'1'/'true'/'yes' or '0'/'false'/'no', as a checkbox, a link or a wall's URL writes it."""
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text not in ("1", "0", "true", "false", "yes", "no"):
        raise ValueError("not a flag")
    return text in ("1", "true", "yes")


AreaCode = Annotated[str, checked(is_area_code)]
Flag = Annotated[bool, BeforeValidator(_flag)]


class PageQuery(BaseModel):
    """A page's query parameters. Subclasses declare fields (with defaults) and PATH."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)
    PATH: ClassVar[str] = "/"

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> tuple[PageQuery, list[str]]:
        """(the query, [names of the parameters whose values were refused]). Absent or empty values are
        neither: they take the default. Each value is checked on its own, so one bad one costs only itself."""
        good, bad = {}, []
        for name in cls.model_fields:
            raw = params.get(name)
            if isinstance(raw, (list, tuple)):
                raw = raw[-1] if raw else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                cls(**{name: raw})
            except ValidationError:
                bad.append(name)
            else:
                good[name] = raw
        return cls(**good), bad

    def replace(self, **changes) -> PageQuery:
        """The same query with some values changed (validated like the URL's)."""
        return type(self)(**{**self.model_dump(), **changes})

    def url(self, lang: str = "zh", **changes) -> str:
        """This query's URL: defaults left out, so links stay short and can be shared."""
        query = self.replace(**changes) if changes else self
        defaults = type(self)()
        params = {k: _text(v) for k, v in query.model_dump().items() if v != getattr(defaults, k) and v is not None}
        return href(self.PATH, lang, **params)


def _text(value) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)
