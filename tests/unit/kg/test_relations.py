import pytest

from kg.errors import ConfigError
from kg.relations import COBUY_RELATIONS, POST_RELATIONS, REGISTRY, relations_for, resolve


def test_miko_has_nine_atomic_relations_plus_open() -> None:
    atomic = {
        "xWant",
        "oEffect",
        "xAttr",
        "xIntent",
        "xReact",
        "oReact",
        "oWant",
        "xEffect",
        "xNeed",
    }
    assert set(POST_RELATIONS) == atomic | {"open"}


@pytest.mark.parametrize(
    ("name", "domain", "expected"),
    [
        ("propertOf", "cobuy", "propertyOf"),
        ("PropertyOf", "cobuy", "propertyOf"),
        ("open", "cobuy", "cobuyOpen"),
        ("other", "cobuy", "cobuyOpen"),
        ("open", "post", "open"),
        ("causeEffect", "cobuy", "cause"),
        ("causeDesire", "cobuy", "effect"),
        ("x_intent", None, "xIntent"),
        ("used_for", None, "usedFor"),
    ],
)
def test_aliases_resolve_to_canonical(name: str, domain: str | None, expected: str) -> None:
    assert resolve(name, domain).id == expected  # type: ignore[arg-type]


def test_every_released_mind_relation_name_resolves() -> None:
    released = [
        "can",
        "effect",
        "usedFor",
        "createdBy",
        "isA",
        "capableOf",
        "propertOf",
        "open",
        "cause",
        "mannerOf",
        "propertyOf",
        "definedAs",
        "partOf",
        "symbolOf",
        "similarTo",
        "deriveFrom",
        "madeOf",
        "distinctFrom",
        "relatedTo",
        "other",
    ]
    for name in released:
        assert resolve(name, "cobuy").domain == "cobuy"


def test_unknown_relation_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="xIntent"):
        resolve("wants", "post")


def test_graph_types_are_safe_identifiers_and_unique() -> None:
    types = [r.graph_type for r in REGISTRY.values()]
    assert len(set(types)) == len(types)
    assert all(t.replace("_", "").isalnum() and t.isupper() for t in types)
    assert REGISTRY["xIntent"].graph_type == "X_INTENT"
    assert REGISTRY["usedFor"].graph_type == "USED_FOR"


def test_no_relation_type_clashes_with_the_fixed_schema_types() -> None:
    from kg.store.dialect import FIXED_RELATIONSHIP_TYPES

    assert not set(FIXED_RELATIONSHIP_TYPES) & {r.graph_type for r in REGISTRY.values()}
    assert REGISTRY["isA"].graph_type == "TYPE_OF"


def test_relation_subset_keeps_order_given() -> None:
    assert [r.id for r in relations_for("cobuy", ["isA", "usedFor"])] == ["isA", "usedFor"]
    assert len(relations_for("cobuy")) == len(COBUY_RELATIONS)
