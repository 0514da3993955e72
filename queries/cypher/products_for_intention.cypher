// Products of the co-buys asserting intention $intention_id.
MATCH (i:Intention {id: $intention_id})<-[r]-(cb:CoBuy)-[:OF]->(p:Product)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
WITH p, count(DISTINCT cb) AS cobuys, sum(coalesce(r.filter_score, 1.0)) AS score,
     collect(DISTINCT i.text) AS intentions
RETURN p.id AS id, p.title AS title, p.category AS category, cobuys, score,
       intentions[..3] AS intentions
ORDER BY score DESC, cobuys DESC, id
SKIP $skip LIMIT $limit
