"""Personal data masking: reporters' names and phones leave the server only masked."""

from __future__ import annotations

import re


def mask_name(name: str | None) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; a Latin name keeps its first letter: Wang Li -> W******."""
    if not name:
        return ""
    name = name.strip()
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str:
    """13812345678 -> 138****5678; landlines keep their last four digits: 021-6321xxxx -> ****xxxx."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):  # +86 country code
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" + digits[-4:] if len(digits) >= 4 else "****"
