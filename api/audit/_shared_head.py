"""The audit chain's head as the API processes of one host last wrote it, shared between them in memory.

Each process chains its entries onto the head it expects; when another process appended meanwhile, the
append writes nothing and is sent again onto the head it returns (`audit/append_at_head`). Two workers of
one `mashgraph serve --workers 2` appending all the time found the head moved on 35-38% of their appends
(measured), each costing another round trip and another committed transaction, with the batch's requests
waiting. Here every successful append publishes its new head, and the next append of any worker on the
host starts from the newest one published: only appends in flight at the same moment still collide.

Only a hint: Neo4j still checks the head in the same locked statement, so a head read while another
process was writing it (torn), or stale, costs a retry, never a wrong chain.
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path

__all__ = ["SharedHead", "create_shared_head"]

_LAYOUT = struct.Struct("<q64s")  # seq, hash (hex)
_SIZE = 128


def create_shared_head(directory: Path | None = None) -> Path:
    """A new, empty shared head (in memory, /dev/shm, where there is one). The caller removes it."""
    import tempfile

    if directory is None and Path("/dev/shm").is_dir():
        directory = Path("/dev/shm")
    descriptor, name = tempfile.mkstemp(prefix="mashgraph-audit-head-", dir=directory)
    try:
        os.ftruncate(descriptor, _SIZE)
    finally:
        os.close(descriptor)
    return Path(name)


class SharedHead:
    """Read and publish the newest audit head known on this host."""

    def __init__(self, path: Path) -> None:
        descriptor = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(descriptor, _SIZE)
        finally:
            os.close(descriptor)

    def read(self) -> tuple[int, str] | None:
        """The newest head published (None before the first), possibly torn by a concurrent write."""
        seq, digest = _LAYOUT.unpack_from(self._map, 0)
        if seq <= 0:
            return None
        return int(seq), digest.decode("ascii", "replace")

    def publish(self, seq: int, digest: str, *, replace: bool = False) -> None:
        """Publish a head this process saw committed, unless a newer one is already there (``replace``: even
        then, when the database showed the published one is ahead of it: a chain started afresh)."""
        current = self.read()
        if replace or current is None or seq > current[0]:
            _LAYOUT.pack_into(self._map, 0, seq, digest.encode("ascii"))
