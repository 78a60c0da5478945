"""A SIMILAR_TO edge's per-comparison explanation as stored: one short string, decoded on read.

A full run writes an edge for every scored pair above the edge threshold (about one a record). Stored as
JSON (a list of {comparison, level, weight} maps, about 650 bytes), the explanation took the server six
string-store blocks an edge; this form is about 80 bytes (one block): written at 200k records, the edges
cost Neo4j 6.2-6.6 instead of 7.4-8.9 CPU seconds (the same 205,264 edges rewritten, load 6-8).

The form: ``SCHEME;L:B,L:B,...[;T]``: for each comparison of ``COMPARISONS`` in order, its level's position
``L`` and its weight ``B`` in thousandths of a bit, or ``-`` when a value is missing on either side (no
evidence: weight 0); then, when the names' frequency moved the weight, ``T``, that adjustment in
thousandths of a bit. ``SCHEME`` names the comparisons and their levels (a checksum of them), so an edge
written before the comparisons changed is not decoded with the wrong names: it gives no items until the
next full run rewrites it. Edges stored as JSON (before this form) are still read.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from resolvers.comparisons import COMPARISONS, Comparison

__all__ = ["SCHEME", "decode_explanation", "encode_levels", "with_term_frequency"]

TERM_FREQUENCY_ITEM = {"comparison": "name_frequency", "level": "term_frequency_adjustment"}


def _scheme(comparisons: Sequence[Comparison]) -> str:
    names = "|".join(f"{c.name}={','.join(c.levels)}" for c in comparisons)
    return f"{zlib.crc32(names.encode()):08x}"


SCHEME = _scheme(COMPARISONS)


def encode_levels(levels: Sequence[int], weights: Sequence[float], term_frequency_bits: float = 0.0) -> str:
    """The stored form of a pair's levels (a position per comparison, -1 for missing) and the weight in bits
    each contributes (ignored where missing); ``term_frequency_bits``: a separate names' frequency adjustment."""
    parts = ",".join("-" if level < 0 else f"{level}:{round(weight * 1000)}"
                     for level, weight in zip(levels, weights, strict=True))
    return with_term_frequency(f"{SCHEME};{parts}", term_frequency_bits)


def with_term_frequency(encoded: str, term_frequency_bits: float) -> str:
    """A stored explanation with the names' frequency adjustment added (nothing when it rounds to zero): a
    full run encodes each distinct level combination once and adds each pair's own adjustment."""
    millibits = round(term_frequency_bits * 1000)
    return f"{encoded};{millibits}" if millibits else encoded


def decode_explanation(stored: Any) -> list[dict[str, Any]]:
    """{comparison, level, weight} items of a stored explanation (this form, or the JSON written before it);
    an empty list for nothing stored, a form not understood, or another version's comparisons."""
    if not stored:
        return []
    if stored[0] == "[":
        try:
            written_before = json.loads(stored)
        except ValueError:
            return []
        return written_before if isinstance(written_before, list) else []
    scheme, _, rest = stored.partition(";")
    if scheme != SCHEME:
        return []
    body, _, term_frequency = rest.partition(";")
    parts = body.split(",")
    if len(parts) != len(COMPARISONS):
        return []
    items: list[dict[str, Any]] = []
    try:
        for comparison, part in zip(COMPARISONS, parts, strict=True):
            if part == "-":
                items.append({"comparison": comparison.name, "level": "missing", "weight": 0.0})
                continue
            level, _, millibits = part.partition(":")
            items.append({"comparison": comparison.name, "level": comparison.levels[int(level)],
                          "weight": int(millibits) / 1000})
        if term_frequency:
            items.append({**TERM_FREQUENCY_ITEM, "weight": int(term_frequency) / 1000})
    except (ValueError, IndexError):
        return []
    return items
