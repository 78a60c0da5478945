"""Turning read items into prepared records or rejections, in this process or in worker processes.

Normalising a record costs 0.15-0.4 ms of Python (names, addresses, phones), more than reading it or
writing it. :class:`PreparePool` spreads that work over worker processes: the reading process sends
chunks of still-unparsed lines and gets back prepared records in input order, with at most a few
chunks in flight, so memory stays bounded whatever the file size.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any

import orjson

from graph_model.gc_policy import batch_worker_started
from graph_model.ingest.readers import SourceItem
from graph_model.pickling import fast_pickling
from graph_model.records import PreparedRecord, RecordRejected, prepare

__all__ = ["PreparePool", "Prepared", "Rejection", "auto_workers", "prepare_items"]

# Below this many bytes of input, starting worker processes costs more than it saves.
WORKERS_MIN_BYTES = 4_000_000


@fast_pickling
@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that was not stored: where it was and why. ``text`` is the raw input, for the quarantine file."""

    location: str
    line: int | None
    reason: str
    message: str
    source: str | None = None
    source_id: str | None = None
    text: str | None = None


@fast_pickling
@dataclass(frozen=True, slots=True)
class Prepared:
    line: int
    record: PreparedRecord


def prepare_item(item: SourceItem, location: str, source_override: str | None) -> Prepared | Rejection:
    """One item to a prepared record, or the reason it cannot be stored."""
    if item.raw is not None:  # a JSON line still to parse: parsed here, without an intermediate SourceItem
        try:
            raw = orjson.loads(item.raw)
        except orjson.JSONDecodeError:
            item = item.parsed()  # the unparseable line's error and text, as SourceItem.parsed words them
            return Rejection(location, item.line, item.reason, item.error or "", text=item.text)
    elif item.error is not None:
        return Rejection(location, item.line, item.reason, item.error, text=item.text)
    else:
        raw = item.record
    if source_override and isinstance(raw, dict):
        raw = {**raw, "source": source_override}
    try:
        return Prepared(item.line, prepare(raw))
    except RecordRejected as exc:
        source = raw.get("source") if isinstance(raw, dict) else None
        source_id = raw.get("source_id") if isinstance(raw, dict) else None
        return Rejection(location, item.line, exc.reason, str(exc),
                         source if isinstance(source, str) else None,
                         source_id if isinstance(source_id, str) else None, text=_dump(raw))


def _prepare_chunk(items: list[SourceItem], location: str, source_override: str | None) -> list[Prepared | Rejection]:
    return [prepare_item(item, location, source_override) for item in items]


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``function``'s result and the worker CPU seconds it took (the machine is shared: CPU time, not wall
    time, says what preparing costs)."""
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


class PreparePool:
    """Worker processes that prepare records; one pool can serve many files. Use as a context manager."""

    def __init__(self, workers: int, chunk_size: int = 500, records_per_worker: int = 100_000) -> None:
        if workers < 1:
            raise ValueError("a PreparePool needs at least one worker")
        self.workers = workers
        self.chunk_size = chunk_size
        # forkserver, not fork: the parent has driver sockets and a writer thread that a fork would copy
        # mid-state. The server preloads the normalisers once, so each worker starts warm.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["graph_model.records", "graph_model.ingest.preparing"])
        # Workers are replaced after about ``records_per_worker`` records each: the normalisers' caches grow
        # with the distinct values seen (a worker reached ~500 MB over 1M records) and go with the old
        # processes. The whole pool is replaced at once, between chunks, rather than through
        # ProcessPoolExecutor's max_tasks_per_child, which deadlocks on Python 3.11 (CPython gh-115634:
        # the executor waits for a replacement worker that is never started).
        self._chunks_per_generation = max(1, records_per_worker * workers // chunk_size)
        self.generations = 0  # how many sets of workers have been started, for tests and reports
        # Counted over every file the pool serves: the workers' caches grow across files too.
        self._submitted = 0
        self.worker_cpu_seconds = 0.0  # CPU the workers spent on the chunks, for reports
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        self.generations += 1
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context, initializer=batch_worker_started)

    def __enter__(self) -> PreparePool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def peak_rss_mb(self) -> list[float]:
        """Peak resident memory of each live worker (from /proc; empty where /proc is missing)."""
        peaks = []
        for pid in list(getattr(self._executor, "_processes", {}) or {}):
            try:
                with open(f"/proc/{pid}/status") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            peaks.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return peaks

    def map(self, items: Iterable[SourceItem], location: str, source_override: str | None) \
            -> Iterator[Prepared | Rejection]:
        """Outcomes in input order; a few chunks per worker in flight, no more."""
        for _chunk, outcomes in self.map_chunks(items, _prepare_chunk, location, source_override):
            yield from outcomes

    def map_chunks(self, items: Iterable[SourceItem], function: Callable[..., Any], *args: Any) \
            -> Iterator[tuple[list[SourceItem], Any]]:
        """``function(chunk, *args)`` run in the workers on successive chunks of ``items``; yields each chunk
        with its result, in input order, with a few chunks per worker in flight, no more. ``function`` must be
        a module-level function (it is pickled by name)."""
        window: deque[tuple[list[SourceItem], Future[tuple[Any, float]]]] = deque()
        iterator = iter(items)
        while chunk := list(islice(iterator, self.chunk_size)):
            if self._submitted and self._submitted % self._chunks_per_generation == 0:
                # Drain what the current workers hold, then start fresh ones (see __init__).
                while window:
                    yield self._settle(*window.popleft())
                self._executor.shutdown(wait=True)
                self._executor = self._new_executor()
            window.append((chunk, self._executor.submit(_timed, function, chunk, *args)))
            self._submitted += 1
            if len(window) >= 3 * self.workers:
                yield self._settle(*window.popleft())
        while window:
            yield self._settle(*window.popleft())

    def _settle(self, chunk: list[SourceItem], future: Future[tuple[Any, float]]) -> tuple[list[SourceItem], Any]:
        result, cpu_seconds = future.result()
        self.worker_cpu_seconds += cpu_seconds
        return chunk, result


def prepare_items(items: Iterable[SourceItem], location: str, source_override: str | None,
                  pool: PreparePool | None = None) -> Iterator[Prepared | Rejection]:
    """Prepared records and rejections in input order, in ``pool``'s workers or, without one, here."""
    if pool is not None:
        yield from pool.map(items, location, source_override)
        return
    for item in items:
        yield prepare_item(item, location, source_override)


def auto_workers(total_bytes: int) -> int:
    """Worker processes worth starting for this much input: none for small inputs, else one per core."""
    if total_bytes < WORKERS_MIN_BYTES:
        return 0
    return max(1, os.cpu_count() or 1)


def _dump(raw: Any) -> str:
    try:
        return orjson.dumps(raw).decode()
    except TypeError:
        return repr(raw)
