"""Fixtures for distill tests: a small ingested work dir and an answers file for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kg.io import write_records
from kg.records import CoBuy, ImageRef, Post, Product
from kg.relations import relations_for

POST_RELS = ["xIntent", "xNeed", "oReact"]
COBUY_RELS = ["usedFor", "isA"]


def _png(path: Path, color: tuple[int, int, int]) -> ImageRef:
    Image.new("RGB", (8, 8), color).save(path)
    return ImageRef(uri=f"https://example.org/{path.name}", local_path=str(path), status="ok")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A work dir with 3 posts (one with an image, one with an unreadable image ref),
    3 products and 2 co-buy pairs."""
    wd = tmp_path / "work"
    ing = wd / "ingest"
    ing.mkdir(parents=True)
    img = _png(tmp_path / "snow.png", (250, 250, 255))
    posts = [
        Post(id="t:1", source="t", source_id="1", text="Snow day!! #winter #cocoa",
             clean_text="Snow day!! winter cocoa", images=[img]),
        Post(id="t:2", source="t", source_id="2", text="New running shoes, 10k tomorrow",
             clean_text="New running shoes, 10k tomorrow"),
        Post(id="t:3", source="t", source_id="3", text="look at this",
             clean_text="look at this",
             images=[ImageRef(uri="s3://bucket/gone.jpg", status="missing")]),
    ]
    products = [
        Product(id="B01", title="Fleece winter gloves", images=[_png(tmp_path / "g.png",
                                                                        (200, 0, 0))]),
        Product(id="B02", title="Insulated steel thermos"),
        Product(id="B03", title="Wool hiking socks", features=["merino", "cushioned"]),
    ]
    cobuys = [CoBuy.of("B02", "B01"), CoBuy.of("B03", "B01")]
    write_records(ing / "posts.parquet", posts)
    write_records(ing / "products.parquet", products)
    write_records(ing / "cobuys.parquet", cobuys)
    return wd


def _intentions(rels: list[str], prefix: str) -> dict[str, Any]:
    out = {}
    for r in rels:
        rel = relations_for("post" if r[0] in "xo" else "cobuy", [r])[0]
        out[r] = {"intention": f"{rel.template} {prefix} {r}.", "rationale": f"why {r}"}
    return out


@pytest.fixture
def answers_data() -> list[dict[str, Any]]:
    """Answers covering the workdir fixture for POST_RELS and COBUY_RELS."""
    lines: list[dict[str, Any]] = [
        {"stage": "post_image_description", "subject": "t:1#0",
         "answer": {"description": "A snowy street."}},
        {"stage": "post_image_description", "subject": "t:3#0",
         "answer": {"description": "Probably a photo of something."}},
        {"stage": "product_description", "subject": "B01",
         "answer": {"description": "Red fleece gloves."}},
        {"stage": "product_description", "subject": "B02",
         "answer": {"description": "A steel thermos."}},
        {"stage": "product_description", "subject": "B03",
         "answer": {"description": "Merino socks."}},
    ]
    for pid in ("t:1", "t:2", "t:3"):
        lines.append({"stage": "post_key_info", "subject": pid, "answer": {
            "concept": "winter", "action": "posting", "object": "snow", "emotion": "joy",
            "keywords": ["snow"]}})
        lines.append({"stage": "post_intentions", "subject": pid,
                      "answer": _intentions(POST_RELS, f"do {pid}")})
    probs = {"B01+B02": {"usedFor": 0.9, "isA": 0.2}, "B03+B01": {"usedFor": 0.7, "isA": 0.5}}
    for pair, per in probs.items():
        lines.append({"stage": "cobuy_intentions", "subject": pair,
                      "answer": _intentions(COBUY_RELS, f"pair {pair}")})
        for rel, p in per.items():
            lines.append({"stage": "cobuy_filter", "subject": pair, "relation": rel,
                          "answer": {"yes_probability": p, "reason": f"r {rel}"}})
    return lines


@pytest.fixture
def answers(tmp_path: Path, answers_data: list[dict[str, Any]]) -> Path:
    """The answers file for the work dir fixture."""
    path = tmp_path / "answers.jsonl"
    path.write_text("# demo answers\n" + "\n".join(json.dumps(x) for x in answers_data)
                    + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback servers are reached directly even where the machine sets a proxy."""
    for var in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)


class LoopbackServer:
    """A real HTTP/1.1 server on 127.0.0.1 (asyncio streams, keep-alive).

    ``handler(n, body)`` gets the 0-based request number and the parsed JSON body and
    returns ``(status, headers, body_bytes, delay_s)``. GET requests (``/props``) go
    to ``props`` instead: a dict to answer with, or None for 404 (as vLLM answers).
    """

    def __init__(self, handler: Any, props: dict[str, Any] | None = None) -> None:
        self.handler = handler
        self.props = props
        self.gets: list[str] = []
        self.bodies: list[Any] = []
        self.headers: list[dict[str, str]] = []
        self.inflight = 0
        self.max_inflight = 0
        self._server: Any = None

    @property
    def url(self) -> str:
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    async def start(self) -> LoopbackServer:
        import asyncio

        self._server = await asyncio.start_server(self._conn, "127.0.0.1", 0)
        return self

    async def close(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _conn(self, reader: Any, writer: Any) -> None:
        import asyncio

        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                hdrs = {k.strip().lower(): v.strip() for k, _, v in
                        (x.partition(":") for x in lines[1:] if x)}
                body = await reader.readexactly(int(hdrs.get("content-length", 0)))
                method, path = lines[0].split(" ")[:2]
                if method == "GET":
                    self.gets.append(path)
                    payload = b"{}" if self.props is None else json.dumps(self.props).encode()
                    code = "404 Not Found" if self.props is None else "200 OK"
                    writer.write(f"HTTP/1.1 {code}\r\nContent-Length: {len(payload)}\r\n"
                                 f"Content-Type: application/json\r\n\r\n".encode() + payload)
                    await writer.drain()
                    continue
                n = len(self.bodies)
                self.bodies.append(json.loads(body) if body else None)
                self.headers.append(hdrs)
                self.inflight += 1
                self.max_inflight = max(self.max_inflight, self.inflight)
                status, extra, payload, delay = self.handler(n, self.bodies[-1])
                if delay:
                    await asyncio.sleep(delay)
                self.inflight -= 1
                out = [f"HTTP/1.1 {status} X", f"Content-Length: {len(payload)}",
                       "Content-Type: application/json",
                       *(f"{k}: {v}" for k, v in extra.items())]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def chat_ok(text: str, logprobs: dict[str, float] | None = None) -> bytes:
    """An OpenAI chat completion body answering ``text``."""
    choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": text}}
    if logprobs:
        choice["logprobs"] = {"content": [{"token": next(iter(logprobs)), "logprob": 0.0,
                                           "top_logprobs": [{"token": k, "logprob": v}
                                                            for k, v in logprobs.items()]}]}
    return json.dumps({"choices": [choice],
                       "usage": {"prompt_tokens": 11, "completion_tokens": 3}}).encode()


@pytest.fixture
def chat_ok_body() -> Any:
    return chat_ok


@pytest.fixture
async def loopback() -> Any:
    """Factory: ``await loopback(handler)`` starts a :class:`LoopbackServer`."""
    servers: list[LoopbackServer] = []

    async def make(handler: Any, props: dict[str, Any] | None = None) -> LoopbackServer:
        srv = await LoopbackServer(handler, props).start()
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        await srv.close()
