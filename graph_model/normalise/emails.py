"""Email addresses: trimmed, lower-cased, syntax-checked, placeholders flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["PLACEHOLDER_EMAIL_DOMAINS", "PLACEHOLDER_EMAIL_LOCAL_PARTS", "Email", "normalise_email"]


@dataclass(frozen=True, slots=True)
class Email:
    """A normalised email address. ``value`` is None when the syntax check fails; a placeholder keeps
    its value (for display) but must never link records."""

    value: str | None
    valid: bool
    placeholder: bool
    raw: str | None


# Local parts staff type when a form insists on an email and there is none.
PLACEHOLDER_EMAIL_LOCAL_PARTS = frozenset({
    "noemail", "no-email", "no.email", "no_email", "nomail", "none", "no", "na", "n/a", "unknown", "notknown",
    "not.known", "donotreply", "do-not-reply", "do.not.reply", "noreply", "no-reply", "no.reply", "test",
    "null", "nil", "x", "xx", "xxx",
})
# Domains that cannot be a person's mailbox. The reserved example.* domains are here because real
# agency data never holds them legitimately (note: synthetic data that uses them for genuine-looking
# addresses will see those flagged).
PLACEHOLDER_EMAIL_DOMAINS = frozenset({"example.com", "example.org", "none.com", "noemail.com"})

_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~.\-]+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?")
_TLD = re.compile(r"[a-z]{2,}|xn--[a-z0-9\-]+")


def _syntax_ok(address: str) -> bool:
    """One @, a local part, a dotted domain of sensible labels, no spaces, no empty dot segments."""
    if address.count("@") != 1:
        return False
    local, domain = address.split("@")
    if not local or not _LOCAL.fullmatch(local):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return False
    return bool(_TLD.fullmatch(labels[-1]))


@lru_cache(maxsize=200_000)
def normalise_email(raw: str | None) -> Email:
    """Normalise an email address.

    Returns an :class:`Email`: the address stripped (also of a "mailto:" prefix and enclosing <>) and
    lower-cased in ``value`` when it passes a basic syntax check (one @, a dot in the domain, no
    spaces), else ``value`` None and ``valid`` False; ``placeholder`` True for local parts such as
    noemail, none, no, na, unknown, donotreply, noreply, test and for the domains in
    :data:`PLACEHOLDER_EMAIL_DOMAINS`, or text like "none" with no @ at all. Never raises.
    """
    if raw is None:
        return Email(None, False, False, None)
    text = raw if isinstance(raw, str) else str(raw)
    address = text.strip().lower()
    if address.startswith("mailto:"):
        address = address[7:].strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    if not address:
        return Email(None, False, False, text)
    if "@" not in address:
        return Email(None, False, address in PLACEHOLDER_EMAIL_LOCAL_PARTS or address in ("-", "n/k"), text)
    local, _, domain = address.rpartition("@")
    placeholder = local in PLACEHOLDER_EMAIL_LOCAL_PARTS or domain in PLACEHOLDER_EMAIL_DOMAINS
    if not _syntax_ok(address):
        return Email(None, False, placeholder, text)
    return Email(address, True, placeholder, text)
