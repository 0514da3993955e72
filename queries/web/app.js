// intention-kg explorer: search intentions, concepts or products, draw a node's
// neighbourhood with plain SVG and show what the query helpers say about it.
// No framework, no build step; every text goes through textContent.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const KINDS = ["intention", "concept", "product", "cobuy", "post"];
const $ = (id) => document.getElementById(id);

function setState(state, message) {
  document.body.dataset.state = state;
  $("status").textContent = message || "";
  $("status").className = state === "error" ? "error" : "";
}

async function api(path, params) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) {
    const detail = body.error || JSON.stringify(body.detail || body);
    throw new Error(`${response.status}: ${detail}`);
  }
  return body;
}

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  return node;
}

function short(text, n) {
  const s = String(text ?? "");
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

// ---------- search ----------

async function search(mode, text) {
  setState("loading", "searching…");
  const list = $("results");
  list.replaceChildren();
  let items = [];
  if (mode === "concepts") {
    const rows = await api("/api/concepts/search", { q: text });
    items = rows.map((r) => ({ kind: "concept", id: r.id, label: r.name,
                               meta: `${r.intentions} intentions · ${r.synset || r.source || ""}` }));
  } else if (mode === "product") {
    items = [{ kind: "product", id: text.trim(), label: text.trim(), meta: "product" }];
  } else {
    const path = mode === "similar" ? "/api/intentions/similar" : "/api/intentions/search";
    const rows = await api(path, { q: text });
    items = rows.map((r) => ({ kind: "intention", id: r.id, label: r.text,
                               meta: `support ${r.support} · score ${r.score.toFixed(3)}` }));
  }
  for (const item of items) {
    const li = el("li", null, { "data-kind": item.kind, "data-id": item.id });
    const button = el("button", item.label, { type: "button" });
    button.addEventListener("click", () => open(item.kind, item.id));
    li.append(button, el("div", item.meta, { class: "meta" }));
    list.append(li);
  }
  setState("results", `${items.length} result${items.length === 1 ? "" : "s"}`);
  return items;
}

// ---------- graph ----------

function layout(graph) {
  const cx = 400, cy = 280;
  const pos = new Map([[graph.center, { x: cx, y: cy }]]);
  const linked = new Set();
  for (const e of graph.edges) {
    if (e.source === graph.center) linked.add(e.target);
    if (e.target === graph.center) linked.add(e.source);
  }
  const byKind = (a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.label.localeCompare(b.label);
  const ring1 = graph.nodes.filter((n) => linked.has(n.id)).sort(byKind);
  ring1.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(ring1.length, 1) - Math.PI / 2;
    pos.set(n.id, { x: cx + 165 * Math.cos(a), y: cy + 165 * Math.sin(a), a });
  });
  // Outer nodes sit near the inner node they hang from, fanned out around its angle.
  const rest = graph.nodes.filter((n) => !pos.has(n.id)).sort(byKind);
  const children = new Map();
  for (const n of rest) {
    const edge = graph.edges.find((e) => (e.source === n.id && linked.has(e.target)) ||
                                         (e.target === n.id && linked.has(e.source)));
    const parent = edge ? (edge.source === n.id ? edge.target : edge.source) : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(n);
  }
  const step = (2 * Math.PI) / Math.max(ring1.length, 1);
  for (const [parent, kids] of children) {
    const base = parent && pos.get(parent).a !== undefined ? pos.get(parent).a : Math.PI / 2;
    const spread = parent ? Math.min(step * 0.8, 0.5) : 2 * Math.PI;
    kids.forEach((n, i) => {
      const a = base + (kids.length > 1 ? spread * (i / (kids.length - 1) - 0.5) : 0);
      pos.set(n.id, { x: cx + 255 * Math.cos(a), y: cy + 255 * Math.sin(a) * 0.95, a });
    });
  }
  return pos;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function draw(graph) {
  const root = $("graph");
  root.replaceChildren();
  const pos = layout(graph);
  const edges = svg("g", { class: "edges" });
  for (const e of graph.edges) {
    const a = pos.get(e.source), b = pos.get(e.target);
    if (!a || !b) continue;
    edges.append(svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "data-type": e.type }));
    edges.append(svg("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, class: "edge-label" },
                     e.relation || e.type));
  }
  const nodes = svg("g", { class: "nodes" });
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    const g = svg("g", { class: `node${n.id === graph.center ? " center" : ""}`,
                         "data-id": n.id, "data-kind": n.kind,
                         transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})` });
    g.append(svg("title", {}, `${n.kind}: ${n.label}`));
    g.append(svg("circle", { r: n.id === graph.center ? 11 : 8, class: `kind-${n.kind}` }));
    g.append(svg("text", { x: 12, y: 4 }, n.kind === "cobuy" ? "co-buy" : short(n.label, 30)));
    if (n.kind !== "cobuy") g.addEventListener("click", () => open(n.kind, n.id));
    nodes.append(g);
  }
  root.append(edges, nodes);
  root.dataset.nodes = String(graph.nodes.length);
  root.dataset.edges = String(graph.edges.length);
}

function legend() {
  const box = $("legend");
  for (const kind of KINDS) {
    const span = el("span", kind);
    span.prepend(el("i", null, { class: `kind-${kind}` }));
    box.append(span);
  }
}

// ---------- details ----------

function table(headers, rows) {
  const t = el("table");
  const head = el("tr");
  for (const h of headers) head.append(el("th", h));
  t.append(head);
  for (const row of rows) {
    const tr = el("tr");
    for (const cell of row) tr.append(el("td", cell));
    t.append(tr);
  }
  return t;
}

async function details(kind, id) {
  const box = $("details");
  box.replaceChildren();
  if (kind === "intention") {
    const r = await api("/api/intentions/products", { intention: id, limit: 10 });
    $("details-title").textContent = `Products for “${short(r.intention, 40)}”`;
    box.append(table(["product", "co-buys", "score"],
      r.products.map((p) => [p.title || p.id, p.cobuys, p.score.toFixed(2)])));
  } else if (kind === "concept") {
    const groups = await api("/api/intentions/by-concept", { concept: id, limit: 5 });
    $("details-title").textContent = "Intentions by relation";
    for (const g of groups) {
      box.append(el("h3", `${g.relation} (${g.total})`));
      box.append(table(["intention", "subjects", "score"],
        g.items.map((i) => [i.text, i.subjects, i.score.toFixed(2)])));
    }
  } else if (kind === "product") {
    const recs = await api("/api/products/similar", { id, limit: 8 });
    $("details-title").textContent = "Similar products";
    box.append(table(["product", "score", "because"],
      recs.map((r) => [r.title || r.id, r.score.toFixed(2),
                       [...new Set(r.explanations.map((e) => e.concept
                         ? `${e.intention} (via ${e.concept})` : e.intention))].join("; ")])));
  } else if (kind === "post") {
    const rows = await api("/api/posts/intentions", { id });
    $("details-title").textContent = "Intentions of the post";
    box.append(table(["relation", "intention", "model"],
      rows.map((a) => [a.relation, a.intention, `${a.model || ""} ${a.prompt_version || ""}`])));
  }
}

async function open(kind, id) {
  try {
    setState("loading", `loading ${kind}…`);
    const graph = await api("/api/graph", { kind, id });
    const center = graph.nodes.find((n) => n.id === graph.center);
    $("graph-title").textContent = `Neighbourhood of ${kind} “${short(center ? center.label : id, 50)}”`;
    draw(graph);
    await details(kind, id);
    setState("ready", `${graph.nodes.length} nodes, ${graph.edges.length} edges`);
  } catch (err) {
    setState("error", String(err.message || err));
  }
}

async function run(mode, text) {
  try {
    if (!text.trim()) return;
    const items = await search(mode, text);
    if (items.length) await open(items[0].kind, items[0].id);
    else setState("ready", "no results");
  } catch (err) {
    setState("error", String(err.message || err));
  }
}

function init() {
  legend();
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run($("mode").value, $("query").value);
  });
  const params = new URLSearchParams(window.location.search);
  if (params.get("mode")) $("mode").value = params.get("mode");
  if (params.get("kind") && params.get("id")) open(params.get("kind"), params.get("id"));
  else if (params.get("q")) {
    $("query").value = params.get("q");
    run($("mode").value, params.get("q"));
  }
}

init();
