"""Application configuration read from the environment, with safe defaults."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("CITYOPS_INSTANCE", ROOT / "instance"))


def _secret_key(instance: Path) -> str:
    """Return SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def build_id() -> str:
    """A short hash of the code and assets: the same in every worker of one deployment, new after a
    redeploy, so an open wall notices the change and reloads itself."""
    digest = hashlib.sha1()
    paths = [*ROOT.glob("*.py")]
    for folder in ("pages", "components", "callbacks", "assets", "data", "api"):
        paths += (ROOT / folder).rglob("*")
    for path in sorted(paths):
        if path.is_file() and path.suffix in {".py", ".js", ".css", ".yaml"} and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class Config:
    """Settings for one app instance; every value can be overridden by create_app(overrides)."""

    def __init__(self, **overrides):
        instance = Path(overrides.pop("INSTANCE_PATH", INSTANCE))
        self.INSTANCE_PATH = instance
        self.DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'cityops.sqlite'}"
        # a PostgreSQL streaming replica of DATABASE_URL for reads (docs/DEPLOY.md); unset: reads use DATABASE_URL
        self.DATABASE_READ_URL = os.environ.get("DATABASE_READ_URL") or None
        self.CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None
        self.CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "300"))
        self.REFRESH_SECONDS = int(os.environ.get("REFRESH_SECONDS", "10"))
        self.TILE_URL = os.environ.get("TILE_URL") or None
        self.DEFAULT_LANG = os.environ.get("DEFAULT_LANG", "zh")
        self.LIVE_SIMULATOR = _flag("LIVE_SIMULATOR", False)
        self.SIMULATOR_SECONDS = float(os.environ.get("SIMULATOR_SECONDS", "5"))
        # "thread": this server computes the walls' ticks itself; "external": `cityops worker` does
        self.TICK_WORKER = os.environ.get("TICK_WORKER", "thread")
        self.RULES_FILE = os.environ.get("RULES_FILE") or str(ROOT / "data" / "rules" / "catalog.yaml")
        self.STREETS_GEOJSON = os.environ.get("STREETS_GEOJSON") or None
        self.WALL_RELOAD_HOURS = float(os.environ.get("WALL_RELOAD_HOURS", "24"))  # caps browser memory on walls
        self.BUILD_ID = os.environ.get("BUILD_ID") or build_id()
        # access (api/auth.py, api/gate.py)
        self.IDLE_MINUTES = float(os.environ.get("IDLE_MINUTES", "30"))  # a desk session ends after this long idle
        self.HTTPS = _flag("HTTPS", False)  # served over HTTPS: Secure cookies and HSTS
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"  # a link from another site may open a page; it cannot post
        self.SESSION_COOKIE_NAME = "cityops_session"
        self.PERMANENT_SESSION_LIFETIME = timedelta(days=int(os.environ.get("SESSION_DAYS", "30")))  # walls renew it
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))  # bytes; more: 413
        self.ALLOWED_ORIGINS = tuple(o for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o)
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or self.CACHE_REDIS_URL or "memory://"
        self.LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "10 per minute")
        self.LOGIN_LIMIT_PER_USER = os.environ.get("LOGIN_LIMIT_PER_USER", "5 per minute")
        # the ingest API and Open311 (docs/API.md): per key, not per browser
        self.API_MAX_ITEMS = int(os.environ.get("API_MAX_ITEMS", "1000"))  # items per batch; more: 413
        self.API_MAX_BODY = int(os.environ.get("API_MAX_BODY", str(2 * 1024 * 1024)))  # bytes per request
        self.API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")  # requests per key; more: 429
        self.UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))  # /admin/imports files
        # the loop's working calendar and evaluation (docs/LOOP.md): limits in 工作时/工作日 count these hours
        self.WORK_HOURS = os.environ.get("WORK_HOURS", "09:00-12:00,13:00-17:00")  # Shanghai time, each working day
        self.SHIFT_STARTS = os.environ.get("SHIFT_STARTS", "08:00,20:00")  # 交接班 shift starts, Shanghai time
        self.WORK_DAYS_OFF = os.environ.get("WORK_DAYS_OFF", "")  # the city's own days off: 2027-01-01,2027-02-08
        self.WORK_DAYS_ON = os.environ.get("WORK_DAYS_ON", "")  # the city's own adjusted working days (weekends)
        self.CATEGORY_TABLE = os.environ.get("CATEGORY_TABLE") or None  # a city's own code table; unset: the built-in
        self.EVAL_WEIGHTS = os.environ.get("EVAL_WEIGHTS", "30,20,20,20,10")  # 处置率,按期处置率,1-返工率,1-超期,1-延期
        self.PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(8 * 1024 * 1024)))  # one handling photo
        # single sign-on through a trusted intranet proxy (统一身份认证): off unless both are set
        self.TRUSTED_HEADER = os.environ.get("TRUSTED_HEADER") or None  # e.g. X-Remote-User
        self.TRUSTED_PROXIES = tuple(a for a in os.environ.get("TRUSTED_PROXIES", "").split(",") if a)
        # proxies in front that append X-Forwarded-For/-Proto (nginx on the host: 1); 0: the peer is the client
        self.FORWARDED_HOPS = int(os.environ.get("FORWARDED_HOPS", "0"))
        for key, value in overrides.items():
            setattr(self, key, value)
        if "SECRET_KEY" not in overrides:
            self.SECRET_KEY = _secret_key(instance)
        if self.TICK_WORKER not in ("thread", "external"):
            raise ValueError(f"TICK_WORKER must be 'thread' or 'external', not {self.TICK_WORKER!r}")
        if self.DATABASE_READ_URL and not all(
            u.startswith("postgresql") for u in (self.DATABASE_READ_URL, self.DATABASE_URL)
        ):
            raise ValueError("DATABASE_READ_URL is a PostgreSQL replica of a PostgreSQL DATABASE_URL")
        if self.DEFAULT_LANG not in ("zh", "en"):
            raise ValueError(f"DEFAULT_LANG must be 'zh' or 'en', not {self.DEFAULT_LANG!r}")

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
