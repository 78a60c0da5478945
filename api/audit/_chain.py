"""The hash chain: how an entry commits to the one before it, and how the chain is checked."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["GENESIS", "ChainReport", "ChainVerifier", "entry_hash", "verify_entries"]

#: The hash the first entry follows.
GENESIS = "0" * 64


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, no spaces), ``hash`` itself excluded.

    The entry holds ``seq`` and ``prev_hash``, so the hash commits to its place in the chain and to
    every entry before it. Absent and null properties are the same (Neo4j stores no nulls).
    """
    body = {k: v for k, v in entry.items() if k != "hash" and v is not None}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.entries} entries, head seq {self.head_seq} hash {self.head_hash}"
        where = f"entry seq {self.first_bad_seq}" + (f" ({self.first_bad_id})" if self.first_bad_id else "")
        return f"audit chain broken at {where}: {self.problem}"


class ChainVerifier:
    """Checks entries fed in ``seq`` order against each other, then against the head.

    Detects an edited entry (its content no longer matches its hash), a deleted or inserted entry (a
    gap in the numbering, or a ``prev_hash`` that does not match), reordered entries (the numbers are
    hashed, so a swap breaks both), and entries cut from the end (the head remembers the last one).
    An ``anchor`` (seq, hash) recorded earlier, e.g. from a previous verify, also catches a chain
    rewritten from the start.
    """

    def __init__(self, anchor: tuple[int, str] | None = None) -> None:
        self.anchor = anchor
        self.expected_seq = 1
        self.previous = GENESIS
        self.count = 0
        self.anchor_seen = anchor is None
        self.failure: tuple[int | None, str | None, str] | None = None

    def feed(self, entry: Mapping[str, Any]) -> bool:
        """Check the next entry; False once the chain is broken (later entries are not looked at)."""
        if self.failure is not None:
            return False
        seq = entry.get("seq")
        entry_id = str(entry["id"]) if entry.get("id") else None
        if not isinstance(seq, int):
            self.failure = (None, entry_id, "an entry has no sequence number")
        elif seq != self.expected_seq:
            problem = (f"entries {self.expected_seq}..{seq - 1} are missing (deleted): the chain jumps from "
                       f"{self.expected_seq - 1} to {seq}") if seq > self.expected_seq else "sequence number out of order"
            self.failure = (seq, entry_id, problem)
        elif entry.get("prev_hash") != self.previous:
            self.failure = (seq, entry_id, "it does not follow the entry before it (an entry was deleted, "
                                           "inserted or reordered)")
        else:
            actual = entry_hash(entry)
            if entry.get("hash") != actual:
                self.failure = (seq, entry_id, "its content does not match its hash (the entry was edited)")
            elif self.anchor is not None and seq == self.anchor[0] and actual != self.anchor[1]:
                self.failure = (seq, entry_id, "its hash differs from the anchor recorded earlier (the chain "
                                               "was rewritten)")
            else:
                if self.anchor is not None and seq == self.anchor[0]:
                    self.anchor_seen = True
                self.previous = actual
                self.expected_seq += 1
                self.count += 1
        return self.failure is None

    def finish(self, head: Mapping[str, Any] | None) -> ChainReport:
        head_seq = int(head["seq"]) if head else 0
        head_hash = str(head["hash"]) if head else GENESIS

        def broken(seq: int | None, entry_id: str | None, problem: str) -> ChainReport:
            return ChainReport(False, self.count, head_seq, head_hash, seq, entry_id, problem)

        if self.failure is not None:
            return broken(*self.failure)
        last_seq = self.expected_seq - 1
        if head is None:
            if self.count:
                return broken(None, None, "the chain head is missing")
        elif head_seq > last_seq:
            return broken(last_seq + 1, None, f"the head records {head_seq} entries but the chain ends at "
                                              f"{last_seq}: entries were deleted from the end")
        elif head_seq < last_seq:
            return broken(head_seq + 1, None, "entries follow the head's last entry (the head was altered)")
        elif head_hash != self.previous:
            return broken(last_seq, None, "the head's hash does not match the last entry (the head or the "
                                          "last entry was altered)")
        if not self.anchor_seen:
            return broken(self.anchor[0] if self.anchor else None, None,
                          "the anchored entry is missing (the chain was emptied or cut)")
        return ChainReport(True, self.count, last_seq, self.previous)


def verify_entries(entries: Iterable[Mapping[str, Any]], head: Mapping[str, Any] | None,
                   anchor: tuple[int, str] | None = None) -> ChainReport:
    """Check a whole chain given in ``seq`` order (see :class:`ChainVerifier`)."""
    verifier = ChainVerifier(anchor)
    for entry in entries:
        if not verifier.feed(entry):
            break
    return verifier.finish(head)
