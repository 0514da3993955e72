// Products reached through an intention shared by two co-buys:
// (p)<-[:OF]-(cb1)-[r1]->(i)<-[r2]-(cb2)-[:OF]->(q), w = $decay * f(r1) * f(r2).
// Intentions with more than $max_degree incoming edges are not followed (too generic to
// explain a recommendation, and they would dominate the cost).
// Neo4j counts the degree with COUNT {}; FalkorDB has its own file using indegree().
// Explanations are [intention_id, intention, relation, concept, weight] lists: lists
// parse much faster than maps in the FalkorDB client.
MATCH (p:Product {id: $product_id})<-[:OF]-(cb1:CoBuy)-[r1]->(i:Intention)
WHERE r1.relation IS NOT NULL
  AND ($relations IS NULL OR r1.relation IN $relations)
  AND ($include_rejected OR coalesce(r1.keep, true) = true)
  AND coalesce(r1.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r1.accepted = true)
WITH p, cb1, i, coalesce(r1.filter_score, 1.0) AS f1
WHERE COUNT { (i)<--() } <= $max_degree
MATCH (i)<-[r2]-(cb2:CoBuy)-[:OF]->(q:Product)
WHERE cb2.id <> cb1.id AND q.id <> p.id
  AND r2.relation IS NOT NULL
  AND ($relations IS NULL OR r2.relation IN $relations)
  AND ($include_rejected OR coalesce(r2.keep, true) = true)
  AND coalesce(r2.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r2.accepted = true)
WITH q, i, r2.relation AS relation, $decay * f1 * coalesce(r2.filter_score, 1.0) AS w
WITH q, i, relation, sum(w) AS w, count(*) AS n
ORDER BY w DESC, i.id
WITH q, sum(w) AS score, sum(n) AS paths,
     collect([i.id, i.text, relation, null, w])[..3] AS explanations
RETURN q.id AS id, q.title AS title, q.category AS category, score, paths, explanations
ORDER BY score DESC, id
LIMIT $candidates
