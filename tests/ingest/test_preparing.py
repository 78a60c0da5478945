"""The preparing workers: their garbage collector settings and the CPU time they report. No database."""

from __future__ import annotations

import gc
import time
from typing import Any

import pytest

from graph_model.gc_policy import BATCH_GC_THRESHOLDS
from graph_model.ingest import PreparePool
from graph_model.ingest.readers import SourceItem


def worker_gc_settings(items: list[SourceItem]) -> tuple[tuple[int, int, int], int, int]:
    """Runs in a worker: its collector thresholds, how many objects it froze at start, the chunk's size.
    Spins for a little CPU so that the reported CPU time is measurable."""
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    return gc.get_threshold(), gc.get_freeze_count(), len(items)


def test_workers_collect_garbage_rarely_and_report_their_cpu() -> None:
    items = [SourceItem(line) for line in range(1, 8)]
    with PreparePool(2, chunk_size=3) as pool:
        results: list[Any] = [result for _chunk, result in pool.map_chunks(items, worker_gc_settings)]
        assert pool.worker_cpu_seconds >= 3 * 0.05
    assert [size for _, _, size in results] == [3, 3, 1]
    assert all(thresholds == BATCH_GC_THRESHOLDS and frozen > 1000 for thresholds, frozen, _ in results)
    assert gc.get_threshold() != BATCH_GC_THRESHOLDS  # the reading process keeps its own


def test_rare_full_collections_while_loading_then_the_old_settings() -> None:
    from graph_model.gc_policy import rare_full_collections

    before = gc.get_threshold()
    with rare_full_collections(freeze=True):
        assert gc.get_threshold() == BATCH_GC_THRESHOLDS
        assert gc.get_freeze_count() > 1000
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_overlapping_batch_jobs_restore_the_settings_when_the_last_ends_even_after_a_failure() -> None:
    from graph_model.gc_policy import rare_full_collections

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rare_full_collections():
        with rare_full_collections(freeze=True):
            assert gc.get_threshold() == BATCH_GC_THRESHOLDS and gc.get_freeze_count() > 1000
        # the other job is still running: its settings stay, and so do the frozen objects
        assert gc.get_threshold() == BATCH_GC_THRESHOLDS and gc.get_freeze_count() > 1000
        raise RuntimeError("a failed job")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
