// Products of the co-buys asserting intentions ABOUT the concepts $scope (the asked
// concepts and their descendants, from concept_scope). Assertions are summed per
// co-buy before its two products are reached; the supporting intention texts are read
// for the returned page only: each product's three strongest (by the summed filter
// scores of its co-buys' assertions, then text). An intention about several concepts
// counts once. Sums are rounded to 9 decimals (floor(x * 1e9 + 0.5) / 1e9), so the order
// of the additions does not show. This is the live form: the helper reads the answer
// kept per (concept, depth) for the default filters (ConceptAnswer.products, computed by
// kg.store.answers as this query does) when it can.
MATCH (c:Concept)
WHERE c.id IN $scope
MATCH (c)<-[:ABOUT]-(i:Intention)
WITH DISTINCT i
MATCH (i)<-[r]-(cb:CoBuy)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
WITH cb, sum(coalesce(r.filter_score, 1.0)) AS s
MATCH (cb)-[:OF]->(p:Product)
WITH p, count(cb) AS cobuys, floor(sum(s) * 1e9 + 0.5) / 1e9 AS score
ORDER BY score DESC, cobuys DESC, p.id
SKIP $skip LIMIT $limit
OPTIONAL MATCH (p)<-[:OF]-(:CoBuy)-[r]->(i:Intention)-[:ABOUT]->(c:Concept)
WHERE c.id IN $scope
  AND r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
WITH DISTINCT p, cobuys, score, i, r
WITH p, cobuys, score, i, floor(sum(coalesce(r.filter_score, 1.0)) * 1e9 + 0.5) / 1e9 AS weight
ORDER BY weight DESC, i.text, i.id
WITH p, cobuys, score, collect(i.text) AS intentions
RETURN p.id AS id, p.title AS title, p.category AS category, cobuys, score,
       intentions[..3] AS intentions
ORDER BY score DESC, cobuys DESC, id
