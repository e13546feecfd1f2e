"""Who may do what: the five roles, the account a request acts as, and which pages each role opens.

Moves of the incident loop carry their roles in vocab.ACTIONS (the allowed-moves table), and
acknowledging a warning in vocab.ACK_ROLES; the write path checks both in the write's transaction.
No Flask, no SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass

from data.domain.vocab import ACK_ROLES, ACTIONS, CITY_CODE

ROLES = ("leader", "operator", "dispatcher", "unit", "admin")
SYSTEM = "system"  # built-in accounts (simulator, importers, rules): every move, never a login
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")  # ASCII, stable: it is the id history rows keep

READ_PAGES = frozenset({"/", "/wall", "/area/<code>", "/indicators", "/indicators/<code>", "/projects"})
READ_PAGES |= {"/projects/<pid>", "/warnings", "/incidents", "/incidents/<iid>", "/levels"}
READ_PAGES |= {"/evaluation", "/evaluation/report"}
READ_PAGES |= {"/m"}  # the phone view of the wall: every role that opens /wall (issue 17)
READ_PAGES |= {"/handover"}  # the shift handover (issue 16)
ADMIN_PAGES = frozenset({"/admin", "/admin/imports"})
PAGE_ROLES: dict[str, frozenset[str]] = {  # a page's path template -> the roles that may open it
    **{page: frozenset({"leader", "operator", "dispatcher", "admin"}) for page in READ_PAGES},
    "/incidents": frozenset({"leader", "operator", "dispatcher", "unit", "admin"}),
    "/incidents/<iid>": frozenset({"leader", "operator", "dispatcher", "unit", "admin"}),
    "/tasks": frozenset({"leader", "operator", "dispatcher", "unit", "admin"}),  # open work by deadline (issue 17)
    **{page: frozenset({"admin"}) for page in ADMIN_PAGES},
    "/404": frozenset({*ROLES, "wall"}),
}
LANDING = {"unit": "/tasks", "wall": "/wall"}  # where "/" takes a role that does not see the overview


@dataclass(frozen=True)
class Account:
    """The account a request acts as. `area` is the widest area it may see; `unit` (role unit only)
    the handling unit whose dispatched incidents it sees. A wall's display token is an account too,
    with role 'wall', read-only."""

    id: str
    role: str
    area: str = CITY_CODE
    name_zh: str = ""
    name_en: str = ""
    unit: str | None = None
    token_id: int | None = None

    # flask-login's user interface
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"token:{self.token_id}" if self.token_id is not None else self.id


def may_open(role: str, page: str) -> bool:
    """True when `role` may open the page with this path template (unknown pages: nobody)."""
    if role == "wall":  # a display token's session opens the wall (and its phone view) and nothing else
        return page in ("/wall", "/m", "/404")
    return role in PAGE_ROLES.get(page, ())


def may_move(role: str, action: str) -> bool:
    return role == SYSTEM or (action in ACTIONS and role in ACTIONS[action].roles)


def may_ack(role: str) -> bool:
    return role == SYSTEM or role in ACK_ROLES


def moves_for(role: str) -> list[str]:
    """The loop's actions this role may make, in the table's order."""
    return [a for a in ACTIONS if may_move(role, a)]
