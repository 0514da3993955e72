"""The web explorer end to end: headless Chromium against a real server on loopback.

Chromium loads the page with search parameters in its URL (the page runs the
search, opens the first result and draws its neighbourhood) and ``--dump-dom``
prints the DOM once the page's work is done (``--virtual-time-budget``). Skips
without ``/usr/bin/chromium``, except on CI (``CI=true``), where that fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import uvicorn
from testkit.sample import load_sample

from kg.records import Concept
from kg.store.falkordb import FalkorStore
from queries.api import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium must be installed on CI (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install --no-install-recommends chromium)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = FalkorStore.open(tmp_path_factory.mktemp("web") / "db", graph="web")
    store.ensure_schema(None)
    load_sample(store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store, None), host="127.0.0.1", port=port,
                                           log_level="warning", ws="none", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


def dump_dom(chromium: str, url: str, tmp_path: Path) -> str:
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=15000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _attr(dom: str, tag: str, name: str) -> str:
    match = re.search(rf"<{tag}\b[^>]*\b{name}=\"([^\"]*)\"", dom)
    assert match, f"no <{tag} {name}=...> in the DOM"
    return match.group(1)


def test_search_shows_results_and_draws_the_graph(chromium: str, base_url: str,
                                                  tmp_path: Path) -> None:
    dom = dump_dom(chromium, f"{base_url}/?mode=intentions&q=warm", tmp_path)
    assert _attr(dom, "body", "data-state") == "ready", re.search(r'id="status"[^<]*<', dom)
    assert re.search(r'<li data-kind="intention"[^>]*><button[^>]*>stay warm outdoors<', dom)
    assert int(_attr(dom, "svg", "data-nodes")) >= 8
    assert int(_attr(dom, "svg", "data-edges")) >= 7
    assert dom.count("<circle") == int(_attr(dom, "svg", "data-nodes"))
    assert 'data-kind="concept"' in dom and ">warmth</text>" in dom
    assert "Products for “stay warm outdoors”" in dom and "wool socks" in dom


def test_concept_search_opens_the_concept(chromium: str, base_url: str, tmp_path: Path) -> None:
    dom = dump_dom(chromium, f"{base_url}/?mode=concepts&q=warm", tmp_path)
    assert _attr(dom, "body", "data-state") == "ready"
    assert f'data-id="{Concept.make_id("wordnet", "warmth")}"' in dom
    assert ">body heat</text>" in dom and ">condition</text>" in dom
    assert "usedFor (3)" in dom


def test_errors_are_shown(chromium: str, base_url: str, tmp_path: Path) -> None:
    dom = dump_dom(chromium, f"{base_url}/?mode=intentions&q=%21%21", tmp_path)
    assert _attr(dom, "body", "data-state") == "error"
    assert "400: full-text search needs at least one word" in dom


def screenshot(chromium: str, url: str, path: Path) -> Path:
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={path.parent / 'shot-profile'}",
         "--window-size=1400,1000", "--virtual-time-budget=15000", f"--screenshot={path}", url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0 and path.is_file(), done.stderr[-2000:]
    return path


def assert_not_blank(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert rgb.size[0] >= 800 and rgb.size[1] >= 600
    assert len(colours) > 50, f"{path} looks blank ({len(colours)} colours)"
    commonest = max(c for c, _ in colours)
    assert commonest < 0.9 * rgb.size[0] * rgb.size[1], f"{path} is mostly one colour"
    # the charts' colours are there: relation bars (orange) and concept bars (teal)
    found = {rgb_ for _, rgb_ in colours}
    assert (224, 123, 57) in found and (59, 142, 165) in found


def test_overview_opens_on_the_picture(chromium: str, base_url: str, tmp_path: Path) -> None:
    dom = dump_dom(chromium, f"{base_url}/", tmp_path)
    assert _attr(dom, "body", "data-state") == "ready", re.search(r'id="status"[^<]*<', dom)
    assert re.search(r'data-key="intentions"><b>7</b>', dom)
    assert re.search(r'data-key="assertions"><b>14</b>', dom)
    assert int(re.search(r'id="relation-chart"[^>]*data-bars="(\d+)"', dom).group(1)) >= 5
    assert int(re.search(r'id="concept-chart"[^>]*data-bars="(\d+)"', dom).group(1)) >= 5
    assert re.search(r'id="trend-chart"[^>]*data-points="1"', dom)  # hiking: 2024-01
    assert "Trend of “hiking” by month" in dom
    assert dom.count('class="csv"') >= 3 and 'download="relation-mix.csv"' in dom
    assert_not_blank(screenshot(chromium, f"{base_url}/", tmp_path / "overview.png"))


def test_drill_down_is_a_shareable_url(chromium: str, base_url: str, tmp_path: Path) -> None:
    condition = Concept.make_id("wordnet", "condition")
    trail = json.dumps([[condition, "condition"]])
    url = f"{base_url}/?{urlencode({'concept': condition, 'trail': trail})}"
    dom = dump_dom(chromium, url, tmp_path)
    assert _attr(dom, "body", "data-state") == "ready", re.search(r'id="status"[^<]*<', dom)
    assert "Below “condition”" in dom and "› condition" in dom
    assert re.search(r'id="concept-chart"[^>]*data-bars="2"', dom)
    assert 'data-label="warmth"' in dom and 'data-label="comfort"' in dom
    assert "usedFor (3)" in dom  # the concept's intentions, as when it is searched
    assert_not_blank(screenshot(chromium, url, tmp_path / "drill-down.png"))


def test_relation_filter_product_paths_and_basket(chromium: str, base_url: str,
                                                  tmp_path: Path) -> None:
    dom = dump_dom(chromium, f"{base_url}/?relation=xIntent", tmp_path)
    assert "Top concepts (xIntent)" in dom
    assert re.search(r'id="concept-chart"[^>]*data-bars="3"', dom)  # hiking, cooking, gift
    dom = dump_dom(chromium, f"{base_url}/?kind=product&id=B01", tmp_path)
    assert _attr(dom, "body", "data-state") == "ready"
    assert "B01 → co-buy → stay warm outdoors → co-buy → B02" in dom
    assert 'download="product-intentions.csv"' in dom
    dom = dump_dom(chromium, f"{base_url}/?basket=B01,B04", tmp_path)
    assert _attr(dom, "body", "data-state") == "ready", re.search(r'id="status"[^<]*<', dom)
    assert "B01, B04 → co-buy → go hiking in winter → co-buy → B02" in dom


def test_score_and_acceptance_filters_are_in_the_url(chromium: str, base_url: str,
                                                     tmp_path: Path) -> None:
    dom = dump_dom(chromium, f"{base_url}/?score=0.9&accepted=1", tmp_path)
    assert _attr(dom, "body", "data-state") == "ready", re.search(r'id="status"[^<]*<', dom)
    assert "Top concepts, filter score ≥ 0.9, human-accepted only" in dom
    # B01/B02 (0.9, accepted) and twitter:1 (no filter, accepted) assert "stay warm outdoors"
    assert re.search(r'id="concept-chart"[^>]*data-bars="2"', dom)
    assert 'data-label="warmth"' in dom and 'data-label="hiking"' in dom
    every = dump_dom(chromium, f"{base_url}/?kind=product&id=B01", tmp_path)
    # the 0.95 co-buy B01/B03, which the annotators did not accept
    assert ">not accepted<" in every and "B01 → co-buy → stay warm outdoors → co-buy → B03" in every
    dom = dump_dom(chromium, f"{base_url}/?kind=product&id=B01&accepted=1", tmp_path)
    assert _attr(dom, "body", "data-state") == "ready", re.search(r'id="status"[^<]*<', dom)
    assert ">accepted<" in dom and ">not accepted<" not in dom
    assert "→ co-buy → B03" not in dom and "→ co-buy → B07" in dom
    condition = Concept.make_id("wordnet", "condition")
    trail = json.dumps([[condition, "condition"]])
    url = f"{base_url}/?{urlencode({'concept': condition, 'trail': trail, 'accepted': '1'})}"
    dom = dump_dom(chromium, url, tmp_path)
    assert _attr(dom, "body", "data-state") == "ready", re.search(r'id="status"[^<]*<', dom)
    assert "Below “condition”, human-accepted only" in dom
    assert re.search(r'<g class="clickable" data-label="warmth"><title>warmth: 3</title>', dom)
    dom = dump_dom(chromium, f"{base_url}/?score=2", tmp_path)
    assert _attr(dom, "body", "data-state") == "error"
    assert "422: invalid parameter min_score" in dom
