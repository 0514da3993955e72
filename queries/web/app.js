// intention-kg explorer: opens on the picture (graph size, relation mix, top concepts
// with a drill-down of the concept hierarchy, a trend chart), searches intentions,
// concepts or products, draws a node's neighbourhood with plain SVG and shows what
// the query helpers say about it; baskets get recommendations. Every view, and the
// filters (relation, source, rejected, minimum filter score, human-accepted only), is in
// the URL's query string (shareable) and every table downloads as CSV.
// No framework, no build step, nothing fetched from elsewhere; every text goes
// through textContent.
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
    for (const v of Array.isArray(value) ? value : [value]) {  // arrays: repeated keys
      if (v !== undefined && v !== null && v !== "") url.searchParams.append(key, v);
    }
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

function csvCell(value) {
  let s = String(value ?? "");
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;  // no formulas in spreadsheets
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLink(name, headers, rows) {
  const text = [headers, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
  return el("a", "CSV", { class: "csv", download: `${name}.csv`,
                          href: "data:text/csv;charset=utf-8," + encodeURIComponent(text) });
}

// A table with its CSV download link (the same rows).
function table(headers, rows, name) {
  const box = el("div", null, { class: "table" });
  const t = el("table", null, { class: "data", "data-name": name || "table" });
  const head = el("tr");
  for (const h of headers) head.append(el("th", h));
  t.append(head);
  for (const row of rows) {
    const tr = el("tr");
    for (const cell of row) tr.append(el("td", cell));
    t.append(tr);
  }
  box.append(csvLink(name || "table", headers, rows), t);
  return box;
}

function verdict(a) {
  return a.accepted == null ? "" : a.accepted ? "accepted" : "not accepted";
}

async function details(kind, id) {
  const box = $("details");
  box.replaceChildren();
  const f = assertionFilters();
  if (kind === "intention") {
    const r = await api("/api/intentions/products", { ...f, intention: id, limit: 10 });
    $("details-title").textContent = `Products for “${short(r.intention, 40)}”`;
    box.append(table(["product", "co-buys", "score"],
      r.products.map((p) => [p.title || p.id, p.cobuys, p.score.toFixed(2)]), "products"));
  } else if (kind === "concept") {
    const groups = await api("/api/intentions/by-concept", { ...f, concept: id, limit: 5 });
    $("details-title").textContent = "Intentions by relation";
    for (const g of groups) {
      box.append(el("h3", `${g.relation} (${g.total})`));
      box.append(table(["intention", "subjects", "score"],
        g.items.map((i) => [i.text, i.subjects, i.score.toFixed(2)]), `intentions-${g.relation}`));
    }
  } else if (kind === "product") {
    const [own, recs] = await Promise.all([
      api("/api/products/intentions", { ...f, id, limit: 20 }),
      api("/api/products/similar", { ...f, id, limit: 8 })]);
    $("details-title").textContent = "Product: intentions and products reachable through them";
    box.append(el("h3", "Its intentions"));
    box.append(table(["relation", "intention", "with", "filter score", "human"],
      own.map((a) => [a.relation, a.intention, a.partner || "",
                      a.filter_score == null ? "" : a.filter_score.toFixed(2), verdict(a)]),
      "product-intentions"));
    box.append(el("h3", "Reachable products"));
    box.append(table(["product", "score", "path"],
      recs.map((r) => [r.title || r.id, r.score.toFixed(2),
                       r.explanations.map((e) => e.concept
                         ? `${id} → co-buy → ${e.intention} → ${e.concept} → … → ${r.id}`
                         : `${id} → co-buy → ${e.intention} → co-buy → ${r.id}`).join("; ")]),
      "reachable-products"));
  } else if (kind === "post") {
    const rows = await api("/api/posts/intentions", { ...f, id });
    $("details-title").textContent = "Intentions of the post";
    box.append(table(["relation", "intention", "model", "human"],
      rows.map((a) => [a.relation, a.intention, `${a.model || ""} ${a.prompt_version || ""}`,
                       verdict(a)]),
      "post-intentions"));
  }
}

async function open(kind, id, inOverview) {
  if (!inOverview) setUrl({ kind, id });
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

// ---------- the picture: overview, charts, drill-down ----------

function params() { return new URLSearchParams(window.location.search); }

function setUrl(changes) {
  const p = params();
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "" || value === false) p.delete(key);
    else p.set(key, value);
  }
  const query = p.toString();
  history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
}

// The filters in the URL, as API parameters. A bad score goes to the API as it is, so the
// answer (422, naming min_score and its bounds) shows what is wrong.
function filters() {
  const p = params();
  const score = (p.get("score") || "").trim();
  return { relation: p.get("relation") || "", source: p.get("source") || "",
           include_rejected: p.get("rejected") === "1" ? "true" : "",
           min_score: score === "0" ? "" : score,
           accepted_only: p.get("accepted") === "1" ? "true" : "" };
}

// The filters every assertion helper takes (source: only the top concepts).
function assertionFilters() {
  const { relation, include_rejected, min_score, accepted_only } = filters();
  return { relation, include_rejected, min_score, accepted_only };
}

function filterLabel(f) {
  return (f.relation ? ` (${f.relation})` : "") + (f.source ? ` from ${f.source}` : "") +
    (f.min_score ? `, filter score ≥ ${f.min_score}` : "") +
    (f.accepted_only ? ", human-accepted only" : "");
}

function barChart(root, items, label, value, onClick, cls) {
  root.replaceChildren();
  const max = Math.max(1, ...items.map(value));
  const rowH = Math.min(26, 290 / Math.max(items.length, 1));
  items.forEach((item, i) => {
    const y = 5 + i * rowH, w = (250 * value(item)) / max;
    const g = svg("g", { class: onClick ? "clickable" : "", "data-label": label(item) });
    g.append(svg("title", {}, `${label(item)}: ${value(item)}`));
    g.append(svg("text", { x: 4, y: (y + rowH * 0.65).toFixed(1) }, short(label(item), 22)));
    g.append(svg("rect", { x: 130, y: (y + 2).toFixed(1), width: Math.max(1, w).toFixed(1),
                           height: Math.max(1, rowH - 4).toFixed(1), class: `bar ${cls || ""}` }));
    g.append(svg("text", { x: (134 + w).toFixed(1), y: (y + rowH * 0.65).toFixed(1) },
                 String(value(item))));
    if (onClick) g.addEventListener("click", () => onClick(item));
    root.append(g);
  });
  root.dataset.bars = String(items.length);
}

function lineChart(root, points) {
  root.replaceChildren();
  root.dataset.points = String(points.length);
  if (!points.length) {
    root.append(svg("text", { x: 120, y: 150 }, "no dated posts about it"));
    return;
  }
  const max = Math.max(1, ...points.map((p) => p.assertions));
  const x = (i) => 40 + (points.length === 1 ? 180 : (360 * i) / (points.length - 1));
  const y = (v) => 260 - (230 * v) / max;
  root.append(svg("line", { x1: 40, y1: 260, x2: 410, y2: 260, stroke: "#a5adbb" }));
  root.append(svg("line", { x1: 40, y1: 20, x2: 40, y2: 260, stroke: "#a5adbb" }));
  root.append(svg("text", { x: 4, y: 34 }, String(max)), svg("text", { x: 26, y: 262 }, "0"));
  root.append(svg("polyline", { points: points.map((p, i) => `${x(i).toFixed(1)},${y(p.assertions).toFixed(1)}`).join(" ") }));
  points.forEach((p, i) => {
    const dot = svg("circle", { class: "pt", cx: x(i).toFixed(1), cy: y(p.assertions).toFixed(1), r: 4 });
    dot.append(svg("title", {}, `${p.period}: ${p.assertions} assertions, ${p.intentions} intentions`));
    root.append(dot);
    if (i === 0 || i === points.length - 1 || points.length <= 6) {
      root.append(svg("text", { x: (x(i) - 18).toFixed(1), y: 278 }, p.period));
    }
  });
}

function trail() {
  try { return JSON.parse(params().get("trail") || "[]"); } catch { return []; }
}

async function overview() {
  $("overview").hidden = false;
  const f = filters();
  const [summary, relations] = await Promise.all([api("/api/graph/summary"),
                                                  api("/api/relations/stats")]);
  const cards = $("summary");
  cards.replaceChildren();
  for (const key of ["posts", "products", "cobuys", "intentions", "concepts", "assertions", "kept"]) {
    const card = el("div", null, { class: "card", "data-key": key });
    card.append(el("b", summary[key]), document.createTextNode(key === "cobuys" ? "co-buys" : key));
    cards.append(card);
  }
  const select = $("f-relation");
  if (select.options.length === 1) {
    for (const r of relations) select.append(el("option", r.relation, { value: r.relation }));
  }
  select.value = f.relation;
  barChart($("relation-chart"), relations.slice(0, 12), (r) => r.relation, (r) => r.assertions,
           (r) => { setUrl({ relation: r.relation, concept: null, trail: null }); refresh(); }, "rel");
  $("relation-table").replaceChildren(table(
    ["relation", "assertions", "kept", "intentions", "mean filter score"],
    relations.map((r) => [r.relation, r.assertions, r.kept, r.intentions,
                          r.mean_filter_score == null ? "" : r.mean_filter_score.toFixed(3)]),
    "relation-mix"));
  const path = trail();
  const crumbs = $("crumbs");
  crumbs.replaceChildren();
  const top = el("button", "all concepts", { type: "button" });
  top.addEventListener("click", () => { setUrl({ concept: null, trail: null }); refresh(); });
  crumbs.append(top);
  path.forEach(([id, name], i) => {
    const b = el("button", `› ${name}`, { type: "button", "data-id": id });
    b.addEventListener("click", () => {
      setUrl({ concept: id, trail: JSON.stringify(path.slice(0, i + 1)) });
      refresh();
    });
    crumbs.append(b);
  });
  const concept = params().get("concept");
  let rows;
  if (concept) {
    rows = await api("/api/concepts/children", { concept, include_rejected: f.include_rejected,
                                                  min_score: f.min_score,
                                                  accepted_only: f.accepted_only });
    const name = path.length ? path[path.length - 1][1] : concept;
    $("concepts-title").textContent = `Below “${short(name, 30)}”` +
      filterLabel({ min_score: f.min_score, accepted_only: f.accepted_only });
  } else {
    rows = await api("/api/concepts/top", { ...f, limit: 15 });
    $("concepts-title").textContent = "Top concepts" + filterLabel(f);
  }
  const drill = (c) => {
    setUrl({ concept: c.id, trail: JSON.stringify([...path, [c.id, c.name]]) });
    refresh();
  };
  barChart($("concept-chart"), rows, (c) => c.name, (c) => c.assertions, drill);
  $("concept-table").replaceChildren(table(["concept", "assertions", "intentions", "narrower"],
    rows.map((c) => [c.name, c.assertions, c.intentions, c.children]), "concepts"));
  if (concept && !rows.length) {
    $("concept-chart").append(svg("text", { x: 100, y: 150 }, "no narrower concepts"));
  }
  const trendId = concept || (rows[0] && rows[0].id);
  const trendName = concept ? (path.length ? path[path.length - 1][1] : concept)
                            : (rows[0] && rows[0].name);
  const points = trendId ? await api("/api/concepts/trend", { concept: trendId, by: "month",
                                                              include_rejected: f.include_rejected })
                         : [];
  $("trend-title").textContent = `Trend of “${short(trendName || "", 30)}” by month`;
  lineChart($("trend-chart"), points);
  $("trend-table").replaceChildren(table(["month", "assertions", "intentions"],
    points.map((p) => [p.period, p.assertions, p.intentions]), "trend"));
  if (concept) await open("concept", concept, true);
  else setState("ready", `${summary.intentions} intentions, ${summary.assertions} assertions`);
}

async function basket(ids) {
  setState("loading", "recommending…");
  const recs = await api("/api/products/basket", { ...assertionFilters(), product: ids });
  $("details-title").textContent = `For the basket ${ids.join(", ")}`;
  const box = $("details");
  box.replaceChildren(table(["product", "score", "because (path)"],
    recs.map((r) => [r.title || r.id, r.score.toFixed(2), r.explanations.map(
      (e) => `${e.via.join(", ")} → co-buy → ${e.intention} → co-buy → ${r.id}`).join("; ")]),
    "basket"));
  setState("ready", `${recs.length} products for the basket`);
}

async function refresh() {
  try {
    const p = params();
    $("f-source").value = p.get("source") || "";
    $("f-rejected").checked = p.get("rejected") === "1";
    $("f-score").value = p.get("score") || "";
    $("f-accepted").checked = p.get("accepted") === "1";
    $("basket").value = p.get("basket") || "";
    if (p.get("basket")) {
      $("overview").hidden = true;
      await basket(p.get("basket").split(/[\s,]+/).filter(Boolean));
    } else if (p.get("kind") && p.get("id")) {
      $("overview").hidden = true;
      await open(p.get("kind"), p.get("id"));
    } else if (p.get("q")) {
      $("overview").hidden = true;
      $("query").value = p.get("q");
      await run($("mode").value, p.get("q"));
    } else {
      await overview();
    }
  } catch (err) {
    setState("error", String(err.message || err));
  }
}

function init() {
  legend();
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setUrl({ q: $("query").value, mode: $("mode").value, kind: null, id: null, basket: null });
    refresh();
  });
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    setUrl({ relation: $("f-relation").value, source: $("f-source").value.trim(),
             rejected: $("f-rejected").checked ? "1" : null,
             score: ["", "0"].includes($("f-score").value.trim()) ? null : $("f-score").value.trim(),
             accepted: $("f-accepted").checked ? "1" : null, basket: $("basket").value.trim(),
             concept: null, trail: null });
    refresh();
  });
  const p = params();
  if (p.get("mode")) $("mode").value = p.get("mode");
  refresh();
}

init();
