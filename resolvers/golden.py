"""What a (:Person) node stores, and the trust order the golden record's survivorship uses.

The golden record itself (best name, aliases, date of birth, sex, current address, phones, emails,
identifiers, each value with the records it came from) is computed on read, by the API
(``api.service.views``), from the records the caller may see: a value from a record the caller may not see
never shows, which a copy stored on the node could not honour. The node keeps only what no single record
holds and the review queues read: how many records the person has, from which agencies, and analysts'
flags. No personal value is stored on it (writing a golden copy of every person cost a full run at 200k
records ~2.4 s of Python and ~0.5 s of Neo4j CPU, for values nothing read).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from resolvers.features import RecordFeatures

__all__ = ["SOURCE_TRUST", "person_properties", "retirements"]

# Which agency is most trusted for identity fields (health registration checks identity; police
# nominals include aliases). Sources not listed rank last. Survivorship: a value held by more records
# wins (agreement across sources); ties go to the more trusted source for that field, then to the more
# recently recorded record.
SOURCE_TRUST = {"health": 5, "social_care": 4, "education": 3, "housing": 2, "police": 1}


def person_properties(records: Sequence[RecordFeatures], flags: list[str] | None = None) -> dict[str, Any]:
    """The (:Person) node properties for a person's records: record count, agencies and analysts' flags
    (None leaves the stored flags as they are)."""
    props: dict[str, Any] = {"sources": sorted({r.source for r in records}), "record_count": len(records)}
    if flags is not None:
        props["flags"] = flags
    return props


def retirements(events: Sequence[dict[str, Any]], active: set[str]) -> list[dict[str, Any]]:
    """Old person ids that merges or splits retired, with their successors (for resolve/retire_persons)."""
    return [{"id": old, "status": e["kind"], "successors": e["to_ids"]}
            for e in events if e["kind"] in ("merged", "split") for old in e["from_ids"] if old not in active]
