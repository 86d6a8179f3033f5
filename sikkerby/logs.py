"""Logging for the whole process: one handler on stderr whose lines cannot be forged (a message's
newlines and escape codes are shown as escapes; a traceback stays as it is)."""

from __future__ import annotations

import logging
import os
import sys

from sikkerby.sanitize import one_line

#: values no log line may show (an API key): replaced by "***" in every formatted line
_SECRETS: set[str] = set()


def redact(secret: str) -> None:
    """Never show ``secret`` in a log line, whichever library logs it."""
    if len(secret) >= 4:
        _SECRETS.add(secret)


class SafeFormatter(logging.Formatter):
    """Formats each record's message as one line (see :func:`sikkerby.sanitize.one_line`), secrets
    registered with :func:`redact` replaced."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args
        try:
            record.msg, record.args = one_line(record.getMessage()), None
        except Exception:  # a message whose arguments do not fit: let logging report it as it does
            record.msg, record.args = saved
        try:
            line = super().format(record)
        finally:
            record.msg, record.args = saved
        for secret in _SECRETS:
            line = line.replace(secret, "***")
        return line


def configure_logging(verbose: int = 0) -> None:
    """Logging for the whole process, set once at start: WARNING by default, ``-v`` INFO, ``-vv`` DEBUG,
    or ``$SIKKERBY_LOG_LEVEL``. pypdf's own complaints about damaged files are silenced: the loader turns
    them into one clear error per file; so are the database pool's reconnect warnings."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    named = logging.getLevelName(os.environ.get("SIKKERBY_LOG_LEVEL", "").strip().upper() or "NOTSET")
    if not verbose and isinstance(named, int) and named:
        level = named
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    # the handler's own level holds even for libraries that set their loggers to DEBUG (bm25s does)
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("sikkerby").setLevel(level)
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    # psycopg's pool warns at each failed reconnect while the database is down; a request that cannot be
    # served says so once itself (shown with -v)
    logging.getLogger("psycopg.pool").setLevel(level if verbose else max(level, logging.ERROR))
