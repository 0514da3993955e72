// Products bought together with $product_id, each path weighted by the co-buy's
// assertion filter score: w = f(r).
// Explanations are [intention_id, intention, relation, concept, weight] lists: lists
// parse much faster than maps in the FalkorDB client.
MATCH (p:Product {id: $product_id})<-[:OF]-(cb:CoBuy)-[:OF]->(q:Product)
WHERE q.id <> p.id
MATCH (cb)-[r]->(i:Intention)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
WITH q, i, r.relation AS relation, coalesce(r.filter_score, 1.0) AS w
WITH q, i, relation, sum(w) AS w, count(*) AS n
ORDER BY w DESC, i.id
WITH q, sum(w) AS score, sum(n) AS paths,
     collect([i.id, i.text, relation, null, w])[..3] AS explanations
RETURN q.id AS id, q.title AS title, q.category AS category, score, paths, explanations
ORDER BY score DESC, id
LIMIT $candidates
