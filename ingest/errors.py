"""Errors a user can cause, with one clear message each."""

from __future__ import annotations

from pathlib import Path

from sikkerby.errors import SikkerbyError


class IngestError(SikkerbyError):
    """A file that cannot be ingested: the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
