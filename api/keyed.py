"""Requests authenticated by a source's API key instead of a session (the ingest API and Open311): the language
of their answers, refusals as one sentence, the key check and its rate limit, the body limit, and Idempotency-Key
replays. The login gate lets the KEYED paths through (api/gate.py); every view behind them calls authenticate()."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable

from flask import current_app, request
from limits import parse as parse_limit
from sqlalchemy.exc import SQLAlchemyError

from api.auth import token_hash
from components.i18n import LANGS
from data.domain.timeutil import DAY, now_ts
from data.read import keys as key_reads
from data.store.cache import on_primary, primary_engine
from data.store.db import Busy, describe
from data.write import keys

MAX_BODY = 2 * 1024 * 1024  # bytes per request (API_MAX_BODY); the app's own MAX_CONTENT_LENGTH is for browsers
RATE = "600 per minute"  # requests per key (API_RATE_LIMIT)
SEEN_EVERY_S = 60  # how often a key's "last used" is written
_KEY = re.compile(r"[A-Za-z0-9_-]{20,128}")  # what a key can look like: anything else is not looked up
_IDEMPOTENCY = re.compile(r"[\x21-\x7e]{1,128}")  # visible ASCII, as the Idempotency-Key draft asks
log = logging.getLogger("cityops.keyed")

TEXT = {  # (zh, en): what a client is told, one sentence each
    "no_key": ("缺少 API 密钥：以 Authorization: Bearer 发送。", "No API key: send it as Authorization: Bearer KEY."),
    "bad_key": ("API 密钥无效或已吊销。", "The API key is not valid or has been revoked."),
    "throttled": ("请求过于频繁，请稍后再试。", "Too many requests; try again later."),
    "too_large": ("请求体超过 {size} 的上限。", "The body is larger than the {size} limit."),
    "too_many": ("每批最多 {limit} 条，本批 {got} 条。", "A batch holds at most {limit} items; this one has {got}."),
    "not_json": ('请求体须为 JSON 对象 {{"items": [...]}}。', 'The body must be a JSON object {{"items": [...]}}.'),
    "bad_idempotency_key": ("Idempotency-Key 须为可见 ASCII 字符。", "An Idempotency-Key is 1-128 visible ASCII."),
    "idempotency_reused": ("该 Idempotency-Key 已用于另一请求体。", "This Idempotency-Key was used with another body."),
    "busy": ("数据库正忙，未写入：请稍后重发。", "The database is busy and nothing was written: send it again."),
    "unavailable": ("数据库暂不可用：请稍后重试。", "The database is unavailable: try again later."),
    "not_found": ("没有这个接口或记录。", "There is no such endpoint or record."),
    "method": ("这个接口不接受该请求方法。", "This endpoint does not take that method."),
    "invalid_item": ("第 {n} 条（{where}）{what}；本批均未写入。", "{where} {what}; nothing of the batch was written."),
    "missing": ("缺失", "is missing"),
    "unknown_field": ("不是这个接口接受的字段", "is not a field this endpoint takes"),
    "too_long": ("过长（最多 {limit} 个字符）", "is too long (at most {limit} characters)"),
    "out_of_range": ("超出范围", "is out of range"),
    "not_allowed": ("须为以下之一：{allowed}", "must be one of: {allowed}"),
    "bad_time": ("不是带时区的 ISO 8601 时间或 Unix 秒", "is not an ISO 8601 time with an offset, nor Unix seconds"),
    "wrong_type": ("类型不对", "has the wrong type"),
    "future": ("晚于当前时间", "is in the future"),
    "closed_without_time": ("缺失：已结案须给出结案时间", "is missing: a closed incident needs its close time"),
    "closed_before_reported": ("早于 reported_at", "is before reported_at"),
    "duplicate": ("与本批前面的条目重复", "repeats an earlier item of this batch"),
    "one_coordinate": ("缺失：lat 与 lon 须同时给出", "is missing: give lat and lon together"),
    "unknown_indicator": ("不是已知的指标代码", "is not a known indicator code"),
    "unknown_area": ("不是已知的区域代码", "is not a known area code"),
    "not_object": ("不是 JSON 对象", "is not a JSON object"),
    # Open311 (api/open311.py)
    "bad_param": ("参数 {param} 无效：{hint}。", "The parameter {param} is not valid: {hint}."),
    "window": (
        "start_date 至 end_date 须在 90 天之内且不倒置。",
        "start_date to end_date spans 90 days at most, in order.",
    ),
    "need_location": (
        "须给出 lat 与 long、address_string 或 address_id。",
        "Give lat and long, address_string or address_id.",
    ),
    "notice": ("已受理，编号 {id}。", "Received as request {id}."),
    "hint_codes": ("须为 services.json 中的 service_code", "a service_code from services.json"),
    "hint_status": ("须为 open 或 closed", "open or closed"),
    "hint_time": ("须为带时区的 W3C 时间", "a W3C date-time with an offset"),
    "hint_ids": ("须为逗号分隔的编号（最多 {limit} 个）", "comma-separated request ids (at most {limit})"),
    "hint_page": ("须为 1 到 {limit} 的整数", "a whole number from 1 to {limit}"),
    "hint_number": ("须为数字", "a number"),
    "hint_text": ("过长（最多 {limit} 个字符）", "too long (at most {limit} characters)"),
    "component": ("部件", "Component"),
    "event": ("事件", "Event"),
}


def lang() -> str:
    """The language of this request's sentences: ?lang=, else Accept-Language, else the app's default."""
    asked = request.args.get("lang")
    if asked in LANGS:
        return asked
    return request.accept_languages.best_match(LANGS) or current_app.config.get("DEFAULT_LANG", "zh")


def say(key: str, **fmt) -> str:
    text = TEXT[key][1 if lang() == "en" else 0]
    return text.format(**fmt) if fmt else text


class Refusal(Exception):
    """A request refused with a status and one sentence; each blueprint renders it in its own format. An item's
    refusal names its index `i` and `field`, and `what` is wrong with it."""

    def __init__(self, status: int, reason: str, headers: dict | None = None, **fmt):
        super().__init__(reason)
        self.status, self.reason, self.headers, self.details = status, reason, headers or {}, fmt
        what = fmt.pop("what", None)
        if what:
            where = f"items[{fmt['i']}]" + (f".{fmt['field']}" if fmt["field"] else "")
            self.message = say("invalid_item", n=fmt["i"] + 1, where=where, what=say(what, **fmt))
        else:
            self.message = say(reason, **fmt)


def item_refusal(i: int, field: str, what: str, **fmt) -> Refusal:
    return Refusal(422, "invalid_item", i=i, field=field, what=what, **fmt)


def reply(body: dict | list, status: int = 200, headers: dict | None = None):
    """JSON in UTF-8 (Chinese stays readable in curl), never stored by a proxy."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(text, status, mimetype="application/json")
    response.headers.update({"Cache-Control": "no-store", **(headers or {})})
    return response


def key_text(*also: object) -> str | None:
    """The key this request carries: Authorization: Bearer, else X-API-Key, else `also` (Open311's api_key)."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("X-API-Key") or next((v for v in also if isinstance(v, str) and v), None)


@on_primary()  # a key revoked on one host is refused at once on every host
def authenticate(given: str | None) -> dict:
    """The active key's {id, source}, within its rate limit; Refusal otherwise. Wrong keys from one address are
    slowed like failed logins, and logged by address only (never the text sent)."""
    if not given:
        raise Refusal(401, "no_key", {"WWW-Authenticate": "Bearer"})
    limiter = current_app.extensions["cityops_limiter"].limiter
    tries, addr = parse_limit(current_app.config["LOGIN_LIMIT_PER_ADDRESS"]), request.remote_addr or "-"
    if not limiter.test(tries, "apikey", addr):
        raise Refusal(429, "throttled", {"Retry-After": "60"})
    found = key_reads.key_by_hash(token_hash(given)) if _KEY.fullmatch(given) else None
    if found is None:
        limiter.hit(tries, "apikey", addr)
        log.info("refused an API key from %s", addr)
        raise Refusal(401, "bad_key", {"WWW-Authenticate": "Bearer"})
    rate = parse_limit(current_app.config.get("API_RATE_LIMIT", RATE))
    if not limiter.hit(rate, "api", str(found["id"])):
        reset = limiter.get_window_stats(rate, "api", str(found["id"])).reset_time
        raise Refusal(429, "throttled", {"Retry-After": str(max(1, int(reset - time.time())))})
    now = now_ts()
    if now - (found["last_used_at"] or 0) >= SEEN_EVERY_S:
        try:
            keys.key_used(primary_engine(), found["id"], now)
        except (SQLAlchemyError, Busy):  # being seen can wait; the request cannot
            pass
    return found


def body_limit() -> None:
    """This request may carry API_MAX_BODY bytes (more: 413, see too_large)."""
    request.max_content_length = current_app.config.get("API_MAX_BODY", MAX_BODY)


def too_large() -> Refusal:
    n = current_app.config.get("API_MAX_BODY", MAX_BODY)
    return Refusal(413, "too_large", size=f"{n / 2**20:g} MB" if n >= 2**20 else f"{n // 1024} KB")


def unavailable(exc: Exception) -> Refusal:
    """The database did not answer: 503, try again (the log gets the driver's first line, never the SQL)."""
    log.warning("API request: the database is unavailable (%s)", describe(exc))
    return Refusal(503, "unavailable", {"Retry-After": "5"})


def idempotent(source: str, endpoint: str, run: Callable[[], dict | list]):
    """run() once per Idempotency-Key: a retry with the same key and body gets the first answer back (marked
    Idempotent-Replayed: true); the same key with another body is refused. Only answers that wrote are kept:
    a refused request wrote nothing, so its retry runs again."""
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return reply(run())
    if not _IDEMPOTENCY.fullmatch(raw):
        raise Refusal(400, "bad_idempotency_key")
    key_hash = hashlib.sha256(raw.encode()).hexdigest()
    body_hash = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    with on_primary():
        kept = key_reads.reply(source, endpoint, key_hash, since=now_ts() - keys.REPLY_DAYS * DAY)
    if kept is None:
        body = run()
        try:
            keys.remember_reply(primary_engine(), source, endpoint, key_hash, body_hash, 200, body)
        except (SQLAlchemyError, Busy):  # written but not remembered: a retry is an upsert that changes nothing
            log.warning("could not keep the answer to an Idempotency-Key of %s", source)
        return reply(body)
    if kept["body_hash"] != body_hash:
        raise Refusal(422, "idempotency_reused")
    return reply(kept["response"], kept["status"], {"Idempotent-Replayed": "true"})
