"""Larger Danish corpora for the benchmarks, built from the strategy itself and varied Danish text.

How: the repaired strategy is split into sentences; each generated paragraph takes 3-5 of them and
replaces about a third of their content words with words drawn from wordfreq's Danish list (weighted
by frequency), so paragraphs are distinct, Danish, and about as long as the strategy's initiatives.
Paragraphs are 650-850 characters, so the plain splitter (900 characters) keeps one chunk per paragraph.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from wordfreq import top_n_list

from sikkerby.assistant.settings import BUNDLED_CORPUS
from sikkerby.ingest.danish import split_sentences
from sikkerby.ingest.pipeline import Ingestor

STRATEGY = BUNDLED_CORPUS / "sikker-by-eksempler-2022-2025.txt"
PER_FILE = 500


def source_sentences() -> list[str]:
    chunks = Ingestor(repair=True).ingest([STRATEGY]).chunks
    return [s for c in chunks for s in split_sentences(c.text) if len(s) > 40]


def danish_vocabulary(n: int = 20_000) -> list[str]:
    return [w for w in top_n_list("da", n) if w.isalpha() and len(w) >= 4]


def paragraph(rng: random.Random, sentences: list[str], vocabulary: list[str]) -> str:
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < 650:
        words = rng.choice(sentences).split()
        for i, word in enumerate(words):
            if len(word) > 4 and word.isalpha() and word.islower() and rng.random() < 0.33:
                words[i] = rng.choice(vocabulary)
        parts.append(" ".join(words))
    text = " ".join(parts)
    if len(text) > 850:
        text = text[:850].rsplit(" ", 1)[0] + "."
    return re.sub(r"\s+", " ", text)


def write_corpus(folder: Path, n_chunks: int, *, seed: int = 1) -> list[Path]:
    """``n_chunks`` paragraphs in files of 500 paragraphs each; returns the files."""
    rng = random.Random(seed)
    sentences, vocabulary = source_sentences(), danish_vocabulary()
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, n_chunks, PER_FILE):
        path = folder / f"korpus-{start // PER_FILE:04d}.txt"
        count = min(PER_FILE, n_chunks - start)
        path.write_text(
            "\n\n".join(paragraph(rng, sentences, vocabulary) for _ in range(count)) + "\n", encoding="utf-8"
        )
        files.append(path)
    return files
