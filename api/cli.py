"""`cityops`: the operators' command line (installed with the package). Stable for scripts: commands,
arguments and exit codes (0 done, 1 refused with a sentence on stderr, 2 bad usage) only grow.

    cityops users add USERNAME --role ROLE --area CODE [--unit UNIT] [--name-zh ..] [--name-en ..] [--password-stdin]
    cityops users passwd USERNAME [--password-stdin]
    cityops users disable USERNAME
    cityops users list
    cityops tokens add NAME --area CODE [--expires-days N]
    cityops tokens revoke NAME
    cityops tokens list
    cityops demo-users          (make run: one demo account per role, once, passwords printed once)
    cityops seed ...            (the same arguments as python -m data.seed)
    cityops worker [--simulate | --no-simulate]   (beside gunicorn: wall ticks, rules, the simulator)
    cityops import incidents FILE --mapping MAPPING.yaml [--dry-run] [--encoding ENC] [--report-json FILE]
    cityops keys add SOURCE | keys revoke PREFIX_OR_ID | keys list   (the ingest API's keys, docs/API.md)

Every command takes --url DATABASE_URL (default: the app's)."""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime

import click

from api.auth import hash_password, new_token
from api.cli_common import URL, fail, open_engine
from data.domain.roles import ROLES
from data.domain.timeutil import now_ts
from data.domain.vocab import CITY_CODE, UNIT_NAMES_EN
from data.read import areas, users
from data.store.cache import bound
from data.write import accounts
from data.write.writes import WriteError

_engine, _fail = open_engine, fail  # the names this module's commands use


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group(help=__doc__.split("\n\n")[0])
def main() -> None:
    pass


@main.group(help="Accounts of people: leaders, centre staff, duty officers, handling units, administrators.")
def users_cmd() -> None:
    pass


main.add_command(users_cmd, "users")


@users_cmd.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--area", required=True, help="area code of the widest area the user sees (310000: the city)")
@click.option("--unit", default=None, help="role unit: the handling unit's name, e.g. 区水务局")
@click.option("--name-zh", default=None)
@click.option("--name-en", default=None)
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@URL
def users_add(username, role, area, unit, name_zh, name_en, password_stdin, url):
    engine = _engine(url)
    try:
        digest = hash_password(_password(password_stdin))
        accounts.add_user(
            engine, username, role=role, area=area, unit=unit, password_hash=digest, name_zh=name_zh, name_en=name_en
        )
    except (WriteError, ValueError) as exc:
        _fail(exc)
    click.echo(f"added {username} ({role}, area {area}{f', unit {unit}' if unit else ''})")


@users_cmd.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@URL
def users_passwd(username, password_stdin, url):
    engine = _engine(url)
    try:
        accounts.set_password(engine, username, hash_password(_password(password_stdin)))
    except (WriteError, ValueError) as exc:
        _fail(exc)
    click.echo(f"password of {username} changed; the account is active")


@users_cmd.command("disable")
@click.argument("username")
@URL
def users_disable(username, url):
    try:
        accounts.disable(_engine(url), username)
    except WriteError as exc:
        _fail(exc)
    click.echo(f"{username} disabled: open sessions end at their next request")


@users_cmd.command("list")
@URL
def users_list(url):
    with bound(_engine(url)):
        rows = users.people()
    click.echo(f"{'username':<20} {'role':<10} {'area':<12} {'active':<6} {'last login (UTC)':<17} unit / name")
    for r in rows:
        last = _when(r["last_login_at"])
        who = r["unit"] or r["name_zh"]
        click.echo(
            f"{r['id']:<20} {r['role']:<10} {r['area_code']:<12} {'yes' if r['active'] else 'no':<6} {last:<17} {who}"
        )


@main.group(help="Display tokens: a wall opens /wall?token=... once and stays signed in, read-only.")
def tokens_cmd() -> None:
    pass


main.add_command(tokens_cmd, "tokens")


@tokens_cmd.command("add")
@click.argument("name")
@click.option("--area", required=True, help="area code the wall shows")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None, help="days until the token expires")
@click.option("--created-by", default="system", help="the administrator's username, for the record")
@URL
def tokens_add(name, area, expires_days, created_by, url):
    token, digest = new_token()
    expires = now_ts() + expires_days * 86400 if expires_days else None
    try:
        accounts.add_token(_engine(url), name, token_hash=digest, area=area, created_by=created_by, expires_at=expires)
    except WriteError as exc:
        _fail(exc)
    click.echo(f"token {name} for area {area}; shown once, keep it like a password:\n{token}")
    click.echo(f"open on the wall: /wall?token={token}")


@tokens_cmd.command("revoke")
@click.argument("name")
@URL
def tokens_revoke(name, url):
    try:
        accounts.revoke_token(_engine(url), name)
    except WriteError as exc:
        _fail(exc)
    click.echo(f"token {name} revoked: its wall shows a notice at its next refresh")


@tokens_cmd.command("list")
@URL
def tokens_list(url):
    with bound(_engine(url)):
        rows = users.tokens()
    click.echo(f"{'name':<20} {'area':<12} {'state':<8} {'last seen (UTC)':<17} address")
    for r in rows:
        expired = r["expires_at"] is not None and r["expires_at"] <= now_ts()
        state = "revoked" if r["revoked_at"] else "expired" if expired else "active"
        click.echo(
            f"{r['name']:<20} {r['area_code']:<12} {state:<8} {_when(r['last_seen_at']):<17} {r['last_seen_addr'] or ''}"
        )


def _when(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M") if ts else "-"


DEMO_UNIT = "街镇环卫所"


def demo_accounts(engine) -> list[tuple[str, str, str, str | None, str, str]]:
    """(username, role, area, unit, name_zh, name_en) of the demo accounts: the city's leader, duty
    officer and administrator, a street centre's operator, and a handling unit."""
    with bound(engine):  # the first street of the first district: 黄浦区's first street in the real tree
        district = areas.children(CITY_CODE)
        streets = areas.children(str(district.code.min())) if len(district) else district
    first = streets.sort_values("code").iloc[0] if len(streets) else None
    street_code, street_name = (str(first.code), str(first.name_zh)) if first is not None else (CITY_CODE, "")
    assert DEMO_UNIT in UNIT_NAMES_EN
    return [
        ("leader", "leader", CITY_CODE, None, "市领导（演示）", "City leader (demo)"),
        ("operator", "operator", street_code, None, f"{street_name}城运中心（演示）", "Street centre operator (demo)"),
        ("dispatcher", "dispatcher", CITY_CODE, None, "市城运中心值班长（演示）", "City duty officer (demo)"),
        ("unit", "unit", CITY_CODE, DEMO_UNIT, f"{DEMO_UNIT}（演示）", "Street sanitation station (demo)"),
        ("admin", "admin", CITY_CODE, None, "系统管理员（演示）", "Administrator (demo)"),
    ]


@main.command("demo-users", help="Create one demo account per role if there are no people yet; print them once.")
@URL
def demo_users(url):
    engine = _engine(url)
    with bound(engine):
        if users.people():
            click.echo("Accounts exist already; sign in with yours (reset one: cityops users passwd NAME).")
            return
    lines = []
    for username, role, area, unit, zh, en in demo_accounts(engine):
        password = secrets.token_urlsafe(9)
        username = f"demo-{username}"
        accounts.add_user(
            engine,
            username,
            role=role,
            area=area,
            unit=unit,
            password_hash=hash_password(password),
            name_zh=zh,
            name_en=en,
        )
        lines.append(f"  {username:<16} {password:<14} {role:<10} area {area}{f' · {unit}' if unit else ''}")
    click.echo("Demo accounts (shown only now; reset with `cityops users passwd NAME`):")
    click.echo("\n".join(lines))


@main.command(
    "seed", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}, add_help_option=False
)
@click.pass_context
def seed(ctx):
    """Seed the synthetic city: the same arguments as `python -m data.seed` (--help lists them)."""
    from data.synthetic.seed import main as seed_main

    sys.exit(seed_main(list(ctx.args)))


@main.command("worker")
@click.option(
    "--simulate/--no-simulate", default=None, help="run the live simulator here (default: the LIVE_SIMULATOR setting)"
)
def worker(simulate):
    """The background process: every active wall's snapshot per tick, the rules each minute, the simulator."""
    from api.worker import run

    run(simulate)


from api.cli_import import import_cmd  # noqa: E402  (its own module: one file per command family)

main.add_command(import_cmd)

from api.cli_keys import keys_cmd  # noqa: E402  (the ingest API's keys)

main.add_command(keys_cmd)

from api.cli_loop import responsibility_cmd  # noqa: E402  (the responsibility table, issue 15)

main.add_command(responsibility_cmd)
