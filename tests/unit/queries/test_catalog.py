"""Each query is declared once (queries.catalog); the API and the CLI are generated from it."""

from __future__ import annotations

import inspect

import typer

from intentkg.query_cmd import query_app
from queries.api import create_app
from queries.catalog import QUERIES, http_name, is_argument


def test_every_query_is_an_endpoint_with_its_name_and_bounds() -> None:
    spec_doc = create_app(store=None).openapi()  # type: ignore[arg-type]
    ops = {op["operationId"]: (path, op) for path, item in spec_doc["paths"].items()
           for op in item.values()}
    for spec in QUERIES.values():
        path, op = ops[spec.name]
        assert path == spec.path
        params = {p["name"]: p for p in op.get("parameters", [])}
        for name, info in spec.params.model_fields.items():
            schema = params[http_name(name, info)]["schema"]
            for meta in info.metadata:
                for bound, key in (("ge", "minimum"), ("le", "maximum")):
                    if hasattr(meta, bound):
                        assert schema[key] == getattr(meta, bound), (spec.name, name)


def test_every_query_is_a_command_with_its_name_arguments_and_defaults() -> None:
    group = typer.main.get_command(query_app)
    commands = group.commands  # type: ignore[attr-defined]
    for spec in QUERIES.values():
        command = commands[spec.name]
        by_name = {p.name: p for p in command.params}
        for name, info in spec.params.model_fields.items():
            param = by_name[name]
            assert (param.param_type_name == "argument") == is_argument(info), (spec.name, name)
            if not info.is_required():
                assert param.default == info.default, (spec.name, name)
    visible = {n for n, c in commands.items() if not c.hidden}
    assert visible == set(QUERIES)


def test_helper_signatures_match_their_parameter_models() -> None:
    for spec in QUERIES.values():
        sig = inspect.signature(spec.function)
        fields = spec.params.model_fields
        accepted = set(sig.parameters) - {"store", "encoder"}
        assert set(fields) == accepted, spec.name
        for name, info in fields.items():
            if not info.is_required():
                assert sig.parameters[name].default == info.default, (spec.name, name)


def test_the_default_page_of_the_concept_helpers_is_kept_at_load_time() -> None:
    from kg.store import ANSWER_ROWS, SCOPE_DEPTH

    for name in ("intentions-by-concept", "products-for-concept"):
        fields = QUERIES[name].params.model_fields
        assert fields["skip"].default + fields["limit"].default <= ANSWER_ROWS, name
        assert fields["relations"].default is None and not fields["include_rejected"].default
        assert max(m.le for m in fields["depth"].metadata if hasattr(m, "le")) <= SCOPE_DEPTH
