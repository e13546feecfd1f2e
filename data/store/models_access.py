"""The tables of who may look: accounts (people and built-in actors), walls' display tokens, and the
access log. Defined on the same Base as data.store.models (migrations see both)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data.store.models import Base


class User(Base):
    """An account: a person, or a built-in actor (a reporting platform, a handling unit, the system).

    History, audit and acknowledgement rows store its id; names are shown in the reader's language."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(12))  # person, staff, unit, platform, system
    area_code: Mapped[str] = mapped_column(String(12), default="310000", server_default="310000")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    role: Mapped[str] = mapped_column(String(12), default="system", server_default="system")  # see domain.roles
    unit: Mapped[str | None] = mapped_column(String(64))  # role unit: the handling unit (its stored name)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2; None: cannot log in
    created_at: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_login_at: Mapped[int | None] = mapped_column(BigInteger)


class DisplayToken(Base):
    """A wall's read-only credential: the token's SHA-256 (the token itself is shown once), its scope,
    and when the wall was last seen (which walls are alive)."""

    __tablename__ = "display_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    area_code: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    last_seen_at: Mapped[int | None] = mapped_column(BigInteger)
    last_seen_addr: Mapped[str | None] = mapped_column(String(45))


class AccessLog(Base):
    """Logins, logouts, failures, token use and every permission refusal: who, from where, when."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[str | None] = mapped_column(String(64))
    addr: Mapped[str | None] = mapped_column(String(45))
    target: Mapped[str | None] = mapped_column(String(96))
