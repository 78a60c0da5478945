"""The quarantine file: every rejected line of one input file, with its line number and reason."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import orjson

from graph_model.ingest.preparing import Rejection

__all__ = ["Quarantine"]


class Quarantine:
    """``<name>.rejected.jsonl`` beside the input (or in ``folder``); created on the first rejection only."""

    def __init__(self, path: Path, folder: Path | None = None) -> None:
        self.path = (folder or path.parent) / f"{path.name}.rejected.jsonl"
        self.path.unlink(missing_ok=True)  # a re-run's quarantine replaces the last one's
        self._handle: BinaryIO | None = None

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._handle is not None:
            self._handle.close()

    def add(self, rejection: Rejection) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "wb")  # noqa: SIM115 - closed in __exit__
        entry = {"file": rejection.location, "line": rejection.line, "reason": rejection.reason,
                 "message": rejection.message, "source": rejection.source, "source_id": rejection.source_id,
                 "input": rejection.text}
        self._handle.write(orjson.dumps(entry) + b"\n")

    @property
    def used(self) -> bool:
        return self._handle is not None
