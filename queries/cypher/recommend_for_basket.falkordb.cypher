// Products for a basket: intentions asserted by co-buys of at least $min_shared of the
// basket's products $products, then the other products whose co-buys assert them:
// (b)<-[:OF]-(cb1)-[r1]->(i)<-[r2]-(cb2)-[:OF]->(q), q not in the basket,
// w = shared / size($products) * max f(r1) * f(r2). Intentions with more than
// $max_degree incoming edges are not followed (too generic to explain anything).
// FalkorDB reads the degree from its adjacency matrix with indegree().
// Explanations are [intention_id, intention, relation, basket products, weight] lists.
MATCH (b:Product)<-[:OF]-(:CoBuy)-[r1]->(i:Intention)
WHERE b.id IN $products
  AND r1.relation IS NOT NULL
  AND ($relations IS NULL OR r1.relation IN $relations)
  AND ($include_rejected OR coalesce(r1.keep, true) = true)
  AND coalesce(r1.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r1.accepted = true)
WITH i, collect(DISTINCT b.id) AS via, max(coalesce(r1.filter_score, 1.0)) AS f1
WHERE size(via) >= $min_shared AND indegree(i) <= $max_degree
MATCH (i)<-[r2]-(:CoBuy)-[:OF]->(q:Product)
WHERE NOT q.id IN $products
  AND r2.relation IS NOT NULL
  AND ($relations IS NULL OR r2.relation IN $relations)
  AND ($include_rejected OR coalesce(r2.keep, true) = true)
  AND coalesce(r2.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r2.accepted = true)
WITH q, i, via, r2.relation AS relation,
     sum(toFloat(size(via)) / size($products) * f1 * coalesce(r2.filter_score, 1.0)) AS w,
     count(*) AS n
ORDER BY w DESC, i.id
WITH q, sum(w) AS score, sum(n) AS paths,
     collect([i.id, i.text, relation, via, w])[..3] AS explanations
RETURN q.id AS id, q.title AS title, q.category AS category, score, paths, explanations
ORDER BY score DESC, id
SKIP $skip LIMIT $limit
