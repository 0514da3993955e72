"""The HTTP API over the sample graph, through FastAPI's TestClient (real store, real model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.embed import SentenceTransformerEmbedder
from kg.records import Intention
from kg.store.falkordb import FalkorStore
from kg.store.falkordb_server import FalkorServer, stop_server
from queries.api import create_app


@pytest.fixture(scope="module")
def client(sample_store: FalkorStore,
           embedder: SentenceTransformerEmbedder) -> Iterator[TestClient]:
    with TestClient(create_app(sample_store, embedder), base_url="http://127.0.0.1") as c:
        yield c


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok", "dialect": "falkordb",
                                                 "vector_search": True}
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/intentions/by-concept", "/api/products/similar", "/api/products/why",
                 "/api/intentions/similar", "/api/graph", "/api/relations/stats"):
        assert set(paths[path]) == {"get"}
    assert "RelationGroup" in spec["components"]["schemas"]
    assert all(set(ops) == {"get"} for ops in paths.values())  # read-only API


def test_intentions_by_concept_with_repeated_relation(client: TestClient) -> None:
    r = client.get("/api/intentions/by-concept",
                   params={"concept": "activity", "relation": ["xIntent", "capableOf"]})
    assert r.status_code == 200
    assert {g["relation"] for g in r.json()} == {"xIntent", "capableOf"}


def test_similar_intentions_use_the_real_model(client: TestClient) -> None:
    r = client.get("/api/intentions/similar", params={"q": "keeping warm in the cold", "limit": 3})
    assert r.status_code == 200
    texts = [h["text"] for h in r.json()]
    assert texts[0] in {"stay warm outdoors", "keep body heat on cold nights"}
    assert "give a birthday gift" not in texts


def test_recommendations_and_why(client: TestClient) -> None:
    recs = client.get("/api/products/similar", params={"id": "B01", "limit": 2}).json()
    assert [r["id"] for r in recs] == ["B02", "B03"]
    assert recs[0]["explanations"][0]["intention"] == "stay warm outdoors"
    why = client.get("/api/products/why", params={"a": "B02", "b": "B03"}).json()
    assert why["bought_together"] is False
    assert why["shared"][0]["intention"] == "stay warm outdoors"
    prods = client.get("/api/intentions/products",
                       params={"intention": "stay warm outdoors"}).json()
    assert prods["products"][0]["id"] == "B01"


def test_graph_endpoint(client: TestClient) -> None:
    r = client.get("/api/graph", params={"kind": "intention",
                                         "id": Intention.make_id("stay warm outdoors")})
    body = r.json()
    assert r.status_code == 200 and len(body["nodes"]) > 5 and body["edges"]
    assert client.get("/api/graph", params={"kind": "cobuy", "id": "x"}).status_code == 422


@pytest.mark.parametrize(("path", "params", "status", "needle"), [
    ("/api/intentions/by-concept", {"concept": "nothing here"}, 404, "no concept named"),
    ("/api/intentions/products", {"intention": "fly to the moon"}, 404, "no intention"),
    ("/api/posts/intentions", {"id": "twitter:1", "relation": "bogus"}, 400, "unknown relation"),
    ("/api/intentions/search", {"q": "?!"}, 400, "at least one word"),
    ("/api/products/why", {"a": "B01", "b": "B01"}, 400, "two different products"),
])
def test_errors_are_4xx_json(client: TestClient, path: str, params: dict[str, str],
                             status: int, needle: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status
    assert needle in r.json()["error"]


def test_bounds_are_validated_before_the_store(client: TestClient) -> None:
    for params in ({"q": "warm", "limit": 0}, {"q": "warm", "limit": 5000},
                   {"q": "warm", "skip": -1}):
        r = client.get("/api/intentions/search", params=params)
        assert r.status_code == 422 and set(r.json()) == {"error"}
    r = client.get("/api/intentions/by-concept", params={"concept": "warmth", "depth": 9})
    assert r.status_code == 422


def test_vector_search_without_embedder_is_400(sample_store: FalkorStore) -> None:
    with TestClient(create_app(sample_store, None), base_url="http://127.0.0.1") as c:
        assert c.get("/api/health").json()["vector_search"] is False
        r = c.get("/api/intentions/similar", params={"q": "warm"})
        assert r.status_code == 400 and "embedder" in r.json()["error"]


def test_web_explorer_is_served_locally(client: TestClient) -> None:
    index = client.get("/", follow_redirects=True)
    assert index.status_code == 200 and "intention-kg explorer" in index.text
    assert "http" not in index.text.replace("http-equiv", "")  # nothing from elsewhere
    js = client.get("/web/app.js")
    assert js.status_code == 200 and "createElementNS" in js.text
    assert "innerHTML" not in js.text
    assert client.get("/web/style.css").status_code == 200


def test_health_asks_the_store(tmp_path: Path) -> None:
    with FalkorServer(tmp_path / "db") as server:
        store = FalkorStore(server.socket_path)  # no server handle: nothing restarts it
        with TestClient(create_app(store, None), base_url="http://127.0.0.1") as c:
            assert c.get("/api/health").status_code == 200
            stop_server(server.data_dir)
            down = c.get("/api/health")
            assert down.status_code == 503
            # the cause goes to the server log, never to the client
            assert down.json() == {"error": "the graph store is unavailable or failed; "
                                            "see the server log"}
        store.close()
def test_landing_endpoints(client: TestClient) -> None:
    summary = client.get("/api/graph/summary").json()
    assert (summary["intentions"], summary["concepts"], summary["assertions"]) == (7, 8, 14)
    trend = client.get("/api/concepts/trend", params={"concept": "hiking", "by": "month"})
    assert trend.status_code == 200
    assert trend.json() == [{"period": "2024-01", "assertions": 2, "intentions": 2}]
    children = client.get("/api/concepts/children", params={"concept": "condition"}).json()
    assert [c["name"] for c in children] == ["warmth", "comfort"]
    top = {c["name"]: c["assertions"] for c in
           client.get("/api/concepts/top", params={"source": "twitter"}).json()}
    assert top["hiking"] == top["warmth"] == 2 and "body heat" not in top  # co-buys only


def test_basket_endpoint(client: TestClient) -> None:
    r = client.get("/api/products/basket", params={"product": ["B01", "B04"]})
    assert r.status_code == 200
    (rec,) = r.json()
    assert rec["id"] == "B02"
    assert rec["explanations"][0]["via"] == ["B01", "B04"]
    assert rec["explanations"][0]["intention"] == "go hiking in winter"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/concepts/trend", {"concept": "hiking", "by": "week"}, "by"),
    ("/api/concepts/trend", {}, "concept"),
    ("/api/products/basket", {}, "product"),
    ("/api/products/basket", {"product": [f"B{k}" for k in range(51)]}, "product"),
    ("/api/products/basket", {"product": "B01", "limit": 0}, "limit"),
    ("/api/concepts/children", {"concept": "warmth", "skip": -1}, "skip"),
    ("/api/concepts/top", {"source": ""}, "source"),
])
def test_bad_parameters_of_new_endpoints_are_422_naming_the_field(
        client: TestClient, path: str, params: dict[str, object], field: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_new_endpoints_name_unknown_concepts(client: TestClient) -> None:
    for path in ("/api/concepts/trend", "/api/concepts/children"):
        r = client.get(path, params={"concept": "no such concept"})
        assert r.status_code == 404 and "no concept named" in r.json()["error"]


def test_min_score_and_accepted_only_filter_every_view(client: TestClient) -> None:
    def by_concept(**params: object) -> dict[str, list[str]]:
        r = client.get("/api/intentions/by-concept", params={"concept": "condition", **params})
        assert r.status_code == 200, r.text
        return {g["relation"]: [i["text"] for i in g["items"]] for g in r.json()}

    assert by_concept()["usedFor"] == [
        "stay warm outdoors", "feel cozy at home", "keep body heat on cold nights"]
    assert by_concept(min_score="0.9")["usedFor"] == ["stay warm outdoors"]
    assert by_concept(accepted_only="true") == {
        "usedFor": ["stay warm outdoors", "feel cozy at home"], "xWant": ["stay warm outdoors"]}
    products = client.get("/api/concepts/products",
                          params={"concept": "warmth", "min_score": 0.85}).json()
    assert [p["id"] for p in products] == ["B01", "B03", "B02"]
    own = client.get("/api/products/intentions",
                     params={"id": "B01", "accepted_only": "1"}).json()
    assert {(a["partner"], a["accepted"]) for a in own} == {("B02", True), ("B07", True)}
    top = client.get("/api/concepts/top", params={"accepted_only": "true"}).json()
    assert {c["name"]: c["assertions"] for c in top} == {"warmth": 3, "hiking": 2, "comfort": 1}
    spec = client.get("/openapi.json").json()["paths"]["/api/intentions/by-concept"]["get"]
    score = next(p for p in spec["parameters"] if p["name"] == "min_score")
    assert (score["schema"]["minimum"], score["schema"]["maximum"]) == (0, 1)


@pytest.mark.parametrize("path", ["/api/intentions/by-concept", "/api/concepts/products",
                                  "/api/products/intentions", "/api/products/similar",
                                  "/api/concepts/top", "/api/products/basket"])
@pytest.mark.parametrize(("params", "field"), [
    ({"min_score": "-0.1"}, "min_score: Input should be greater than or equal to 0"),
    ({"min_score": "1.01"}, "min_score: Input should be less than or equal to 1"),
    ({"min_score": "high"}, "min_score: Input should be a valid number"),
    ({"min_score": "nan"}, "min_score"),
    ({"accepted_only": "maybe"}, "accepted_only: Input should be a valid boolean"),
])
def test_bad_filter_values_are_422_naming_the_field(
        client: TestClient, path: str, params: dict[str, str], field: str) -> None:
    anchor = {"concept": "warmth", "id": "B01", "product": "B01"}
    r = client.get(path, params={**anchor, **params})
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith("invalid parameter ") and field in r.json()["error"]
