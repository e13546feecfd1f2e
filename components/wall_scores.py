"""A street centre's own evaluation on its wall's incident panel (issue 15): 按期处置率 and 综合指标值 of the
30 whole days before today, as data.wall.scores computes them from the evaluation page's reads."""

from __future__ import annotations

from dash import html

from components.i18n import t
from components.wall_readings import counted


def render_scores(scores: dict | None, lang: str) -> list:
    """A street centre's own evaluation (30 days): 按期处置率 and 综合指标值, as the evaluation page has them."""
    if not scores:
        return []
    rate, comp = scores["ontime"], scores["composite"]
    return [
        html.Div(
            className="inc-scores",
            children=[
                html.Span(t("scores_title", lang, days=scores["days"]), className="sub"),
                html.Span(  # a label and its figure never part at a wrap
                    [
                        html.Span(t("scores_ontime", lang), className="sub"),
                        " ",
                        html.Span(
                            "—" if rate is None else f"{rate:.1%}", className="num score", **counted("inc-ontime")
                        ),
                    ],
                    className="pair",
                ),
                html.Span(
                    [
                        html.Span(t("scores_composite", lang), className="sub"),
                        " ",
                        html.Span(
                            "—" if comp is None else f"{comp:.1f}", className="num score", **counted("inc-composite")
                        ),
                    ],
                    className="pair",
                ),
            ],
        )
    ]
