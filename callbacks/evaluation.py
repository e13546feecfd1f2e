"""考核评价's one callback: the monthly report's print button opens the browser's print dialog (the page's
print stylesheet, assets/evaluation.css, lays it out on A4). Everything else on the pages is links and GET forms."""

from __future__ import annotations

from dash import Input, Output

PRINT = "eval-print"  # pages/evaluation_report.py


def register(app) -> None:
    app.clientside_callback(
        "function (n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
        Output(PRINT, "title"),
        Input(PRINT, "n_clicks"),
        prevent_initial_call=True,
    )
