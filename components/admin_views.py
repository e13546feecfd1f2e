"""The administrator's tables: accounts, walls' display tokens (which walls are alive), the access log."""

from __future__ import annotations

from dash import dcc, html

from components.i18n import format_age, t
from components.ids import ADMIN
from data.domain.timeutil import to_dt
from data.domain.vocab import unit_name

ALIVE_S = 120  # a wall that asked for data within two minutes is alive (it refreshes every 10 s)


def _when(ts: int | None, now: int, lang: str) -> str:
    if not ts:
        return "—"
    return f"{to_dt(ts):%m-%d %H:%M} ({format_age(max(0, now - ts), lang)})"


def _table(headers: list[str], rows: list[list], table_id: str, empty: str) -> html.Div:
    if not rows:
        return html.Div(empty, className="empty", id=table_id)
    return html.Div(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h) for h in headers])),
                html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows]),
            ],
            className="admin-table",
        ),
        className="admin-table-wrap",
        id=table_id,
    )


def token_state(token: dict, now: int) -> str:
    if token["revoked_at"]:
        return "revoked"
    if token["expires_at"] is not None and token["expires_at"] <= now:
        return "expired"
    seen = token["last_seen_at"]
    return "alive" if seen and now - seen <= ALIVE_S else "silent"


def tokens_table(tokens: list[dict], names: dict, now: int, lang: str) -> html.Div:
    rows = [
        [
            tok["name"],
            (names.get(tok["area_code"]) or (tok["area_code"],) * 2)[0 if lang == "zh" else 1],
            html.Span(t(f"tok_{token_state(tok, now)}", lang), className=f"token-state {token_state(tok, now)}"),
            _when(tok["last_seen_at"], now, lang),
            tok["last_seen_addr"] or "—",
            _when(tok["expires_at"], now, lang) if tok["expires_at"] else t("token_no_expiry", lang),
        ]
        for tok in tokens
    ]
    headers = [t(k, lang) for k in ("adm_name", "col_area", "adm_state", "adm_seen", "adm_addr", "adm_expires")]
    return _table(headers, rows, "admin-tokens", t("adm_no_tokens", lang))


def people_table(people: list[dict], names: dict, now: int, lang: str) -> html.Div:
    rows = [
        [
            p["id"],
            p["name_zh"] if lang == "zh" else p["name_en"],
            t(f"role_{p['role']}", lang) + (f" · {unit_name(p['unit'], lang)}" if p["unit"] else ""),
            (names.get(p["area_code"]) or (p["area_code"],) * 2)[0 if lang == "zh" else 1],
            t("adm_active" if p["active"] else "adm_disabled", lang),
            _when(p["last_login_at"], now, lang),
        ]
        for p in people
    ]
    headers = [t(k, lang) for k in ("adm_username", "adm_name", "adm_role", "col_area", "adm_state", "adm_last_login")]
    return _table(headers, rows, "admin-people", t("adm_no_people", lang))


def access_table(rows: list[dict], now: int, lang: str) -> html.Div:
    body = [
        [
            _when(r["at"], now, lang),
            t(f"ev_{r['event']}", lang),
            r["user_id"] or "—",
            r["addr"] or "—",
            r["target"] or "",
        ]
        for r in rows
    ]
    headers = [t(k, lang) for k in ("adm_time", "adm_event", "adm_username", "adm_addr", "adm_target")]
    return _table(headers, body, "admin-access", t("adm_no_access", lang))


def active_tokens(tokens: list[dict], now: int) -> list[str]:
    return [tok["name"] for tok in tokens if token_state(tok, now) in ("alive", "silent")]


def token_forms(area_options: list[dict], active: list[str], lang: str) -> html.Div:
    """Create a wall's display token (shown once) or revoke one: the same as `cityops tokens add|revoke`."""
    return html.Div(
        className="admin-forms",
        children=[
            html.Div(
                className="admin-form",
                children=[
                    html.Label(
                        [t("adm_token_name", lang), dcc.Input(id=ADMIN["token_name"], maxLength=32, debounce=True)]
                    ),
                    html.Label(
                        [
                            t("adm_token_area", lang),
                            dcc.Dropdown(
                                id=ADMIN["token_area"], options=area_options, searchable=True, className="f-drop"
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            t("adm_token_days", lang),
                            dcc.Input(id=ADMIN["token_days"], type="number", min=1, max=3650, step=1, debounce=True),
                        ]
                    ),
                    html.Button(t("adm_create_btn", lang), id=ADMIN["token_create"], className="range-link active"),
                ],
            ),
            html.Div(
                className="admin-form",
                children=[
                    html.Label(
                        [
                            t("adm_revoke_name", lang),
                            dcc.Dropdown(id=ADMIN["revoke_name"], options=active, className="f-drop"),
                        ]
                    ),
                    html.Button(t("adm_revoke_btn", lang), id=ADMIN["revoke"], className="range-link"),
                ],
            ),
            html.Div(id=ADMIN["token_result"], className="admin-result", role="status"),
        ],
    )


def token_shown(token: str, base_url: str, lang: str) -> html.Div:
    """The new token, once: the administrator copies the address onto the wall's browser."""
    return html.Div(
        [
            html.P(t("adm_token_once", lang)),
            html.Code(f"{base_url}wall?token={token}", className="admin-token"),
        ]
    )
