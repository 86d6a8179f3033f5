"""Word frequencies (Zipf scale) read straight from wordfreq's own data files.

``wordfreq.zipf_frequency`` costs about 0.2 s to import and 0.2 s more to load its large English list;
the questions' path needs only a lookup of single lowercase words. This reads wordfreq's "small" lists
(the same Danish list wordfreq itself uses; English down to Zipf ≈ 1) once, lazily, in about 15 ms,
without importing the ``wordfreq`` package.
"""

from __future__ import annotations

import gzip
import logging
import threading
import unicodedata
from importlib.util import find_spec
from pathlib import Path

log = logging.getLogger(__name__)

_lock = threading.Lock()
_tables: dict[str, dict[str, float]] = {}


def _data_dir() -> Path:
    spec = find_spec("wordfreq")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("word frequencies need the wordfreq package: install wordfreq")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _load(lang: str) -> dict[str, float]:
    import msgpack  # a dependency of wordfreq

    path = _data_dir() / f"small_{lang}.msgpack.gz"
    with gzip.open(path, "rb") as fh:
        data = msgpack.load(fh, raw=False)
    header, buckets = data[0], data[1:]
    if not isinstance(header, dict) or header.get("format") != "cB":
        raise ValueError(f"{path}: not a wordfreq cB list")
    # bucket i holds the words of frequency 10^(-i/100); Zipf is log10(frequency per billion words)
    table: dict[str, float] = {}
    for i, words in enumerate(buckets):
        zipf = round(9 - i / 100, 2)
        for word in words:
            table.setdefault(word, zipf)
    log.debug("loaded %d %s word frequencies from %s", len(table), lang, path)
    return table


def zipf(word: str, lang: str = "da") -> float:
    """How common ``word`` is in ``lang`` on the Zipf scale (0 unknown, 3 ordinary, 7 the commonest)."""
    table = _tables.get(lang)
    if table is None:
        with _lock:
            table = _tables.get(lang)
            if table is None:
                table = _tables[lang] = _load(lang)
    return table.get(unicodedata.normalize("NFC", word.lower()), 0.0)
