"""Email normalisation, syntax check and placeholders."""

from __future__ import annotations

import pytest

from graph_model.normalise import Email, normalise_email

# (description, raw, value, valid, placeholder)
CASES = [
    ("trimmed and lower-cased", "  John.Smith@Leeds.Gov.UK ", "john.smith@leeds.gov.uk", True, False),
    ("plus addressing kept", "jo+school@mail.co.uk", "jo+school@mail.co.uk", True, False),
    ("mailto prefix dropped", "mailto:A@B.COM", "a@b.com", True, False),
    ("angle brackets dropped", "<a@b.org>", "a@b.org", True, False),
    ("no @", "john.smith.gmail.com", None, False, False),
    ("two @", "a@@b.com", None, False, False),
    ("two @ apart", "a@b@c.com", None, False, False),
    ("no dot in domain", "a@localhost", None, False, False),
    ("space inside", "john smith@gmail.com", None, False, False),
    ("empty local part", "@gmail.com", None, False, False),
    ("nothing after @", "bad@", None, False, False),
    ("double dot", "a..b@c.com", None, False, False),
    ("domain label starting with a hyphen", "a@-b.com", None, False, False),
    ("numeric top-level domain", "a@b.123", None, False, False),
    ("noemail local part", "noemail@gmail.com", "noemail@gmail.com", True, True),
    ("none local part", "none@none.com", "none@none.com", True, True),
    ("no local part", "no@hotmail.co.uk", "no@hotmail.co.uk", True, True),
    ("na local part", "NA@yahoo.com", "na@yahoo.com", True, True),
    ("unknown local part", "unknown@gmail.com", "unknown@gmail.com", True, True),
    ("donotreply local part", "donotreply@leeds.gov.uk", "donotreply@leeds.gov.uk", True, True),
    ("noreply local part", "noreply@nhs.net", "noreply@nhs.net", True, True),
    ("test local part", "test@school.sch.uk", "test@school.sch.uk", True, True),
    ("example.com domain", "jane@example.com", "jane@example.com", True, True),
    ("example.org domain", "jane@example.org", "jane@example.org", True, True),
    ("noemail.com domain", "x123@noemail.com", "x123@noemail.com", True, True),
    ("the synthetic placeholder", "noemail@example.com", "noemail@example.com", True, True),
    ("bare none", "None", None, False, True),
    ("bare unknown", "unknown", None, False, True),
    ("invalid and placeholder", "noemail@", None, False, True),
]


@pytest.mark.parametrize(("description", "raw", "value", "valid", "placeholder"), CASES,
                         ids=[c[0] for c in CASES])
def test_normalise_email(description: str, raw: str, value: str | None, valid: bool,
                         placeholder: bool) -> None:
    assert normalise_email(raw) == Email(value, valid, placeholder, raw)


MISSING = [("None", None), ("empty", ""), ("blank", "  ")]


@pytest.mark.parametrize(("description", "raw"), MISSING, ids=[c[0] for c in MISSING])
def test_missing(description: str, raw: str | None) -> None:
    email = normalise_email(raw)
    assert email.value is None and not email.valid and not email.placeholder and email.raw == raw
