"""Argument checks shared by every helper (no store needed)."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from queries._base import MAX_DEPTH, MAX_LIMIT, check_depth, check_page, check_text, relation_ids


@pytest.mark.parametrize(("skip", "limit"), [(-1, 10), (0, 0), (0, MAX_LIMIT + 1),
                                             (0, True), (1.5, 10), (10**9, 1)])
def test_bad_paging_is_rejected_with_the_range(skip: object, limit: object) -> None:
    with pytest.raises(QueryError, match=r"must be an integer in"):
        check_page(skip, limit)  # type: ignore[arg-type]


def test_good_paging_passes() -> None:
    check_page(0, 1)
    check_page(100, MAX_LIMIT)


@pytest.mark.parametrize("depth", [-1, MAX_DEPTH + 1, "2"])
def test_bad_depth(depth: object) -> None:
    with pytest.raises(QueryError, match=f"0..{MAX_DEPTH}"):
        check_depth(depth)  # type: ignore[arg-type]


def test_text_is_stripped_and_bounded() -> None:
    assert check_text("  warm ", "q") == "warm"
    with pytest.raises(QueryError, match="must not be empty"):
        check_text(" ", "q")
    with pytest.raises(QueryError, match="limit is 500"):
        check_text("x" * 501, "q")


def test_relation_names_resolve_to_canonical_ids() -> None:
    assert relation_ids(None) is None and relation_ids([]) is None
    assert relation_ids(["x_intent", "propertOf", "causeEffect"]) == [
        "xIntent", "propertyOf", "cause"]
    assert relation_ids(["open"]) == ["open", "cobuyOpen"]  # both domains' open relation
    with pytest.raises(QueryError, match="unknown relation 'nope'; known relations"):
        relation_ids(["nope"])
