"""Themes: clustering multilingual sentence embeddings, labels, examples and assignment."""

from __future__ import annotations

import numpy as np
import pytest

from cxpulse.errors import NotEnoughDataError
from cxpulse.text import assign_themes, embed, find_themes, matching_themes

PRICE = [
    "El precio es demasiado caro",
    "Subieron el precio otra vez este año",
    "Muy caro para lo que ofrece",
    "The price is too high for small teams",
    "Pricing went up again, too expensive",
    "O preço está muito caro",
    "Achei o valor caro demais",
    "La tarifa mensual es muy costosa",
]
DELIVERY = [
    "El pedido llegó dos semanas tarde",
    "La entrega se retrasó y nadie avisó",
    "Todavía no llega mi paquete",
    "My package arrived two weeks late",
    "The delivery was delayed again",
    "A entrega atrasou muito",
    "Meu pedido ainda não chegou",
    "El envío tardó mucho en llegar",
]


def test_embeddings_are_unit_vectors_and_cross_lingual() -> None:
    vectors = embed(["El precio es alto", "The price is high", "Mi paquete no llegó", ""])
    norms = np.linalg.norm(vectors, axis=1)
    assert np.allclose(norms[:3], 1.0, atol=1e-4)
    assert norms[3] == 0.0
    # Same meaning across languages is closer than a different subject in the same language.
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_two_clearly_different_subjects_fall_in_separate_themes() -> None:
    comments = PRICE + DELIVERY
    model = find_themes(comments, k=2, seed=0)
    price_ids = set(model.labels_[: len(PRICE)].tolist())
    delivery_ids = set(model.labels_[len(PRICE) :].tolist())
    assert len(price_ids) == 1 and len(delivery_ids) == 1
    assert price_ids != delivery_ids
    keys = {model.themes[next(iter(price_ids))].key, model.themes[next(iter(delivery_ids))].key}
    assert keys == {"price", "delivery"}


def test_chosen_k_never_mixes_the_two_subjects() -> None:
    model = find_themes(PRICE + DELIVERY, seed=0)
    assert 2 <= model.k <= 4
    price_ids = set(model.labels_[: len(PRICE)].tolist())
    delivery_ids = set(model.labels_[len(PRICE) :].tolist())
    assert not price_ids & delivery_ids
    assert model.silhouette_ is not None and model.silhouette_ > 0


def test_themes_have_labels_examples_and_sizes() -> None:
    model = find_themes(PRICE + DELIVERY, k=2, seed=0, lang="en", examples=2)
    assert sorted(t.label for t in model.themes) == ["Delivery", "Price"]
    assert sum(t.size for t in model.themes) == len(PRICE) + len(DELIVERY)
    for theme in model.themes:
        assert len(theme.examples) == 2
        members = {
            c for c, label in zip(PRICE + DELIVERY, model.labels_, strict=True) if label == theme.id
        }
        assert set(theme.examples) <= members
        assert theme.words  # distinctive words exist even when a catalogue name matched
    spanish = find_themes(PRICE + DELIVERY, k=2, seed=0, lang="es")
    assert sorted(t.label for t in spanish.themes) == ["Entrega", "Precio"]


def test_examples_are_the_comments_closest_to_the_centroid() -> None:
    model = find_themes(PRICE + DELIVERY, k=2, seed=0, examples=1)
    vectors = model.features(PRICE + DELIVERY)
    for theme in model.themes:
        members = np.flatnonzero(model.labels_ == theme.id)
        sims = vectors[members] @ model.centroids_[theme.id]
        assert theme.examples[0] == (PRICE + DELIVERY)[members[int(np.argmax(sims))]]


def test_assign_themes_puts_new_comments_in_the_matching_theme() -> None:
    model = find_themes(PRICE + DELIVERY, k=2, seed=0)
    assigned = assign_themes(model, ["Es carísimo", "The parcel never arrived"])
    assert [t.key for t in assigned] == ["price", "delivery"]


def test_unmatched_cluster_is_labelled_by_its_distinctive_words() -> None:
    weather = ["Hoy llueve mucho en Lima", "Mucha lluvia en Lima hoy", "Lluvia fuerte en Lima"]
    model = find_themes(PRICE + weather, k=2, seed=0)
    rain = model.themes[int(model.labels_[-1])]
    assert rain.key is None
    assert "lima" in rain.label.lower()


def test_catalogue_keywords_match_inflected_words_in_three_languages() -> None:
    assert matching_themes("La factura llegó con un cobro duplicado") == ["billing", "delivery"]
    assert "support" in matching_themes("Nobody from support answered my ticket")
    assert "bugs" in matching_themes("O aplicativo trava toda hora")
    assert matching_themes("Hoy es lunes") == []


def test_find_themes_needs_comments() -> None:
    with pytest.raises(NotEnoughDataError):
        find_themes(["", "   "])
    single = find_themes(["Muy caro"])
    assert single.k == 1 and single.themes[0].size == 1


@pytest.mark.parametrize("groups", [4, 6])
def test_chosen_k_recovers_well_separated_groups(groups: int) -> None:
    rng = np.random.default_rng(groups)
    centres = rng.normal(size=(groups, 512))
    vectors = np.repeat(centres, 60, axis=0) + rng.normal(scale=1.5, size=(groups * 60, 512))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"comment {i}" for i in range(len(vectors))]
    model = find_themes(texts, embeddings=vectors.astype(np.float32), seed=0, keyword_weight=0)
    assert model.k == groups
    truth = np.repeat(np.arange(groups), 60)
    for g in range(groups):  # each true group is exactly one theme
        assert len(set(model.labels_[truth == g].tolist())) == 1
