"""Python's garbage collector during long batch jobs (a load, a full resolve).

A batch job holds millions of long-lived objects (prepared records, per-record features with their sets
and dicts) and allocates millions more. With the default thresholds a full collection runs after every
ten middle ones and walks every live object again: measured at ~40% of an ingest worker's CPU, ~70% of
the loading process's, and more than half of encoding 200k records for scoring. Young collections stay
as frequent as by default: the Neo4j driver leaves each written batch in reference cycles, and freeing
those only rarely kept ~150 MB more alive.

The API server has its own settings (api/app.py): it freezes what it starts with once and keeps them.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Python's defaults for the young generations (700, 10), but a full collection only after 1000 (not 10)
# collections of the middle one: young collections are cheap, full ones walk every live object.
BATCH_GC_THRESHOLDS = (700, 10, 1000)

_lock = threading.Lock()
_jobs = 0
_previous_thresholds: tuple[int, ...] = ()
_froze = False


@contextmanager
def rare_full_collections(freeze: bool = False) -> Iterator[None]:
    """Full collections rare for the length of a batch job; the previous thresholds come back when the
    last of overlapping jobs (threads) ends, also after a failure. ``freeze`` also moves every object
    alive at the start (modules, tables, the driver) out of the collector's sight until then: nothing
    the job starts with is its garbage. Reference counting still frees them as usual."""
    global _jobs, _previous_thresholds, _froze
    with _lock:
        if _jobs == 0:
            _previous_thresholds = gc.get_threshold()
            gc.set_threshold(*BATCH_GC_THRESHOLDS)
        if freeze and not _froze:
            gc.freeze()
            _froze = True
        _jobs += 1
    try:
        yield
    finally:
        with _lock:
            _jobs -= 1
            if _jobs == 0:
                gc.set_threshold(*_previous_thresholds)
                if _froze:
                    gc.unfreeze()
                    _froze = False


_paused = 0
_enabled_before_pause = False


@contextmanager
def collections_paused() -> Iterator[None]:
    """No collection at all while a batch job (inside :func:`rare_full_collections`) builds millions of
    long-lived objects without reference cycles (the full resolve's read of every record into features),
    which are then moved out of the collector's sight (``gc.freeze``) until the job ends. Each young and
    middle collection walked every such object on its way to the oldest generation, for nothing: at 200k
    records 0.94 s of the read's CPU and 0.14 s of blocking's; with the collector only paused, the first
    collections after the pause walked them all at once instead (0.53 + 0.61 s). Reference counting frees
    them as usual; cyclic garbage made meanwhile (the driver's) waits for the first collection after.
    Outside a batch job only the pause applies. Process-wide, like every setting of the collector; nested
    and overlapping uses are counted, and the collector comes back as it was, also after a failure."""
    global _paused, _enabled_before_pause, _froze
    with _lock:
        if _paused == 0:
            _enabled_before_pause = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _jobs > 0:  # the job's end unfreezes (rare_full_collections)
                gc.freeze()
                _froze = True
            if _paused == 0 and _enabled_before_pause:
                gc.enable()


def batch_worker_started() -> None:
    """For a worker process that lives for one batch job: what it starts with is never garbage, and
    its full collections are rare for the rest of its life (it is replaced, not reused)."""
    gc.freeze()
    gc.set_threshold(*BATCH_GC_THRESHOLDS)
