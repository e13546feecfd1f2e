"""The dark AG Grid look and AG Grid's own words, shared by every desk grid."""

from __future__ import annotations

from components.i18n import t

# sizes (font, row and header height) come from assets/desk.css in rem, so a 4K desk is not a 1080p grid shrunk
GRID_THEME = {
    "function": "themeQuartz.withPart(colorSchemeDarkBlue).withParams({fontFamily: 'inherit', "
    "backgroundColor: '#0c1f3d', headerBackgroundColor: '#10284d'})"
}


def grid_locale(lang: str) -> dict:
    """AG Grid's own words (empty table, loading) in the page's language."""
    return {"noRowsToShow": t("grid_empty", lang), "loadingOoo": t("grid_loading", lang)}
