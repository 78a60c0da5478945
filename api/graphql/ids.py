"""Global ids: people and households keep their own (per_..., hh_...); records get rec_<opaque>."""

from __future__ import annotations

import base64
import re

__all__ = ["HOUSEHOLD_ID", "PERSON_ID", "record_id", "record_uid"]

PERSON_ID = re.compile(r"^per_[0-9a-f]{8,32}$")
HOUSEHOLD_ID = re.compile(r"^hh_[0-9a-f]{8,32}$")
_RECORD_PREFIX = "rec_"


def record_id(uid: str) -> str:
    return _RECORD_PREFIX + base64.urlsafe_b64encode(uid.encode()).decode().rstrip("=")


def record_uid(node_id: str) -> str | None:
    """The record uid inside a record id; None if it is not one."""
    if not node_id.startswith(_RECORD_PREFIX):
        return None
    body = node_id[len(_RECORD_PREFIX):]
    try:
        uid = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return uid if ":" in uid else None
