"""The dark AG Grid look and AG Grid's own words, shared by every desk grid."""

from __future__ import annotations

from components.i18n import t

# sizes (font, row and header height) come from assets/desk.css in rem, so a 4K desk is not a 1080p grid shrunk
GRID_THEME = {
    "function": "themeQuartz.withPart(colorSchemeDarkBlue).withParams({fontFamily: 'inherit', "
    "backgroundColor: '#0c1f3d', headerBackgroundColor: '#10284d'})"
}


# AG Grid's localeText keys for what a desk grid can show: overlays, pagination, loading rows, sort hints
GRID_WORDS = {
    "noRowsToShow": "grid_empty",
    "loadingOoo": "grid_loading",
    "noMatchingRows": "ag_no_matching",
    "loadingError": "ag_error",
    "page": "ag_page",
    "of": "ag_of",
    "to": "ag_to",
    "more": "ag_more",
    "pageSizeSelectorLabel": "ag_page_size",
    "ariaPageSizeSelectorLabel": "ag_page_size_aria",
    "firstPage": "ag_first_page",
    "previousPage": "ag_previous_page",
    "nextPage": "ag_next_page",
    "lastPage": "ag_last_page",
    "ariaSkeletonCellLoading": "ag_row_loading",
    "ariaSkeletonCellLoadingFailed": "ag_row_failed",
    "ariaSortableColumn": "ag_sortable",
}


def grid_locale(lang: str) -> dict:
    """AG Grid's own words (empty table, loading, pager, screen-reader hints) in the page's language."""
    return {key: t(word, lang) for key, word in GRID_WORDS.items()}
