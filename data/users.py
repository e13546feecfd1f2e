"""Who is acting: the one place a login will plug in. Until then, a fixed duty officer."""
from __future__ import annotations

DUTY_OFFICER = {"id": "duty-officer", "name_zh": "市城运中心值班员", "name_en": "City operations duty officer"}


def current_user() -> dict:
    """The user of the current request: {'id', 'name_zh', 'name_en'}. Every write records it."""
    return dict(DUTY_OFFICER)
