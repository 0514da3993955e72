// Products of the co-buys asserting intentions ABOUT the concepts $concept_ids or their
// IS_A descendants (at most $depth hops below, 5 at most in the pattern). An intention
// about several of those concepts counts once (its assertion edges are read once).
MATCH (root:Concept)
WHERE root.id IN $concept_ids
MATCH path = (root)<-[:IS_A*0..5]-(c:Concept)
WHERE length(path) <= $depth
WITH DISTINCT c
MATCH (c)<-[:ABOUT]-(i:Intention)
WITH DISTINCT i
MATCH (i)<-[r]-(cb:CoBuy)-[:OF]->(p:Product)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
WITH p, i, cb, sum(coalesce(r.filter_score, 1.0)) AS s
WITH p, count(DISTINCT cb) AS cobuys, sum(s) AS score, collect(DISTINCT i.text) AS intentions
RETURN p.id AS id, p.title AS title, p.category AS category, cobuys, score,
       intentions[..3] AS intentions
ORDER BY score DESC, cobuys DESC, id
SKIP $skip LIMIT $limit
