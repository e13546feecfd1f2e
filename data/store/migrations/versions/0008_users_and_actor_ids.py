"""users: one record per account; history, audit and acknowledgements store its id, not a display name

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ACCOUNTS = [  # (id, name_zh, name_en, kind) as of this revision; later ones may rename, not this one
    ('platform-hotline', '12345热线平台', '12345 hotline platform', 'platform'),
    ('platform-patrol', '网格巡查', 'Grid patrol', 'platform'),
    ('platform-iot', '物联感知平台', 'IoT sensing platform', 'platform'),
    ('platform-video', '视频智能识别平台', 'Video AI platform', 'platform'),
    ('platform-police', '110联动平台', '110 police link platform', 'platform'),
    ('intake-clerk', '城运中心受理员', 'Intake clerk', 'staff'),
    ('dispatcher', '城运中心派遣员', 'Dispatcher', 'staff'),
    ('verifier', '城运中心核查员', 'Verifier', 'staff'),
    ('unit-district-water-authority', '区水务局', 'District Water Authority', 'unit'),
    ('unit-city-power-company', '市电力公司', 'City Power Company', 'unit'),
    ('unit-district-fire-and-rescue', '区消防救援支队', 'District Fire and Rescue', 'unit'),
    ('unit-district-construction-commission', '区建管委', 'District Construction Commission', 'unit'),
    ('unit-district-roads-office', '区路政所', 'District Roads Office', 'unit'),
    ('unit-traffic-police', '交警支队', 'Traffic Police', 'unit'),
    ('unit-district-greening-and-sanitation', '区绿化市容局', 'District Greening and Sanitation', 'unit'),
    ('unit-district-drainage-office', '区排水管理所', 'District Drainage Office', 'unit'),
    ('unit-street-sanitation-station', '街镇环卫所', 'Street Sanitation Station', 'unit'),
    ('unit-urban-management-squad', '城管执法中队', 'Urban Management Squad', 'unit'),
    ('unit-street-operations-centre', '街镇城运中心', 'Street Operations Centre', 'unit'),
    ('unit-district-planning-and-resources', '区规划资源局', 'District Planning and Resources', 'unit'),
    ('unit-district-flood-control-office', '区防汛办', 'District Flood Control Office', 'unit'),
    ('unit-gas-company', '燃气公司', 'Gas Company', 'unit'),
    ('unit-district-emergency-management', '区应急管理局', 'District Emergency Management', 'unit'),
    ('unit-district-ecology-and-environment', '区生态环境局', 'District Ecology and Environment', 'unit'),
    ('unit-police-station', '派出所', 'Police Station', 'unit'),
    ('unit-district-housing-bureau', '区房管局', 'District Housing Bureau', 'unit'),
    ('duty-officer', '市城运中心值班员', 'City operations duty officer', 'staff'),
    ('simulator', '模拟值班员', 'Simulated duty officer', 'staff'),
    ('system', '系统', 'System', 'system'),
    ('unit-any', '处置单位', 'Handling unit', 'unit'),
]

ALIASES = {"网格巡查平台": "platform-patrol"}  # what the live simulator wrote for grid patrol reports
COLUMNS = (("incident_history", "actor"), ("incident_audit", "actor"), ("warning", "acknowledged_by"))


def upgrade() -> None:
    users = op.create_table(
        'users',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('name_zh', sa.String(length=64), nullable=False),
        sa.Column('name_en', sa.String(length=96), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('area_code', sa.String(length=12), nullable=False, server_default='310000'),
        sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(users, [{"id": i, "name_zh": zh, "name_en": en, "kind": kind} for i, zh, en, kind in ACCOUNTS])
    # display names stored so far (in either language) become the account's id: one pass per column
    to_id = {**{zh: i for i, zh, _en, _k in ACCOUNTS}, **{en: i for i, _zh, en, _k in ACCOUNTS}, **ALIASES}
    names = sorted(to_id)
    params = {f"n{k}": name for k, name in enumerate(names)}
    params.update({f"i{k}": to_id[name] for k, name in enumerate(names)})
    case = " ".join(f"WHEN :n{k} THEN :i{k}" for k in range(len(names)))
    listed = ", ".join(f":n{k}" for k in range(len(names)))
    bind = op.get_bind()
    for table, column in COLUMNS:
        bind.execute(sa.text(f'UPDATE "{table}" SET {column} = CASE {column} {case} END WHERE {column} IN ({listed})'),
                     params)
    bind.execute(sa.text("INSERT INTO data_version (domain, version, updated_at) VALUES ('users', 0, 0)"))


def downgrade() -> None:
    rows = op.get_bind().execute(sa.text("SELECT id, name_zh FROM users")).all()
    for table, column in COLUMNS:
        for user_id, name_zh in rows:
            op.get_bind().execute(sa.text(f'UPDATE "{table}" SET {column} = :name WHERE {column} = :id'),
                                  {"name": name_zh, "id": user_id})
    op.get_bind().execute(sa.text("DELETE FROM data_version WHERE domain = 'users'"))
    op.drop_table('users')
