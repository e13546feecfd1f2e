"""Actors are user ids: history, audit and acknowledgements store who, names come in the reader's language."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, select, text

from callbacks.incident import act
from data.domain.actors import builtin_accounts, display_name, unit_actor
from data.domain.scope import CITY
from data.read import incidentdesk
from data.read.users import user_names
from data.store.db import get_engine
from data.store.models import Incident, IncidentAudit, IncidentHistory
from data.store.schema import alembic_config
from tests.conftest import SMALL_END


def test_builtin_accounts_have_unique_ascii_ids_and_both_names():
    accounts = builtin_accounts()
    ids = [a[0] for a in accounts]
    assert len(ids) == len(set(ids)) and all(i.isascii() and " " not in i for i in ids)
    assert all(zh and en and zh != en for _i, zh, en, _k in accounts)
    assert unit_actor("区水务局") == "unit-district-water-authority" and unit_actor("不存在的单位") == "unit-any"
    assert display_name({"a": ("甲", "A")}, "a", "en") == "A" and display_name({}, "ghost", "zh") == "ghost"


def test_migration_turns_stored_display_names_into_user_ids(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)  # plain: the rows below stand alone, without their incident
    command.upgrade(alembic_config(url), "0007")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO warning (level, area_code, kind, subject, rule_id, value, cause_zh, cause_en, "
                "started_at, acknowledged_by) VALUES (2, '310101', 'spike', 's', 'r', 1, 'c', 'c', 1, "
                "'City operations duty officer')"
            )
        )
        for i, actor in enumerate(
            ("市城运中心值班员", "City operations duty officer", "网格巡查平台", "区水务局", "值班员甲")
        ):
            conn.execute(
                text(
                    "INSERT INTO incident_history (incident_id, from_status, to_status, at, actor) "
                    "VALUES (1, NULL, 'reported', :at, :actor)"
                ),
                {"at": i, "actor": actor},
            )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        actors = conn.execute(text("SELECT actor FROM incident_history ORDER BY at")).scalars().all()
        acked = conn.execute(text("SELECT acknowledged_by FROM warning")).scalar()
        users = conn.execute(text("SELECT count(*) FROM users")).scalar()
    assert actors == ["duty-officer", "duty-officer", "platform-patrol", "unit-district-water-authority", "值班员甲"]
    assert acked == "duty-officer" and users == len(builtin_accounts())


def test_an_action_records_the_officers_id_and_each_language_reads_its_name(city_copy, app_for):
    app = app_for(city_copy)
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        inc_id, version = conn.execute(
            select(Incident.id, Incident.version).where(Incident.status == "reported")
        ).first()
    with app.server.test_request_context():
        outcome, _message = act({"id": inc_id, "version": version, "lang": "en"}, "register", None, None)
        assert outcome == "done"
        story = incidentdesk.incident_story(CITY, inc_id, SMALL_END)
        assert user_names()["duty-officer"] == ("市城运中心值班员", "City operations duty officer")
    with engine.connect() as conn:
        history = (
            conn.execute(
                select(IncidentHistory.actor).where(IncidentHistory.incident_id == inc_id).order_by(IncidentHistory.id)
            )
            .scalars()
            .all()
        )
        audit = conn.execute(select(IncidentAudit.actor).where(IncidentAudit.incident_id == inc_id)).scalars().all()
    assert history[-1] == "duty-officer" and audit == ["duty-officer"]  # the same id whatever the UI language
    assert story["history"][-1]["actor_name"] == ("市城运中心值班员", "City operations duty officer")
    assert story["history"][0]["actor"].startswith("platform-")  # the seed records the reporting platform's id
    assert story["history"][0]["actor_name"][0].endswith(("平台", "巡查"))  # and readers get its record's name
    with engine.connect() as conn:
        seeded = set(conn.execute(select(IncidentHistory.actor).distinct()).scalars())
    assert seeded <= {a[0] for a in builtin_accounts()}  # every seeded step names an account
