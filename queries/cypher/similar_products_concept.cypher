// Products reached through a concept shared by two different intentions:
// (p)<-[:OF]-(cb1)-[r1]->(i1)-[a1:ABOUT]->(c)<-[a2:ABOUT]-(i)<-[r2]-(cb2)-[:OF]->(q),
// w = $decay^2 * f(r1) * f(r2) * a1.score * a2.score. Concepts and intentions with more
// than $max_degree incoming edges are not followed.
// Neo4j counts the degree with COUNT {}; FalkorDB has its own file using indegree().
// Explanations are [intention_id, intention, relation, concept, weight] lists (lists
// parse much faster than maps in the FalkorDB client), every path of the $candidates
// best products, unsorted: the caller sums them over path kinds and keeps the strongest.
// Texts are read only for those products (15-20 % faster than sorting every path).
MATCH (p:Product {id: $product_id})<-[:OF]-(cb1:CoBuy)-[r1]->(i1:Intention)-[a1:ABOUT]->(c:Concept)
WHERE r1.relation IS NOT NULL
  AND ($relations IS NULL OR r1.relation IN $relations)
  AND ($include_rejected OR coalesce(r1.keep, true) = true)
  AND coalesce(r1.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r1.accepted = true)
WITH p, cb1, i1, c, coalesce(r1.filter_score, 1.0) * coalesce(a1.score, 1.0) AS f1
WHERE COUNT { (c)<--() } <= $max_degree
MATCH (c)<-[a2:ABOUT]-(i:Intention)
WHERE i.id <> i1.id
WITH p, cb1, c, i, f1 * coalesce(a2.score, 1.0) AS f1
WHERE COUNT { (i)<--() } <= $max_degree
MATCH (i)<-[r2]-(cb2:CoBuy)-[:OF]->(q:Product)
WHERE cb2.id <> cb1.id AND q.id <> p.id
  AND r2.relation IS NOT NULL
  AND ($relations IS NULL OR r2.relation IN $relations)
  AND ($include_rejected OR coalesce(r2.keep, true) = true)
  AND coalesce(r2.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r2.accepted = true)
WITH q, i, c, r2.relation AS relation,
     $decay * $decay * f1 * coalesce(r2.filter_score, 1.0) AS w
WITH q, i, c, relation, sum(w) AS w, count(*) AS n
WITH q, sum(w) AS score, sum(n) AS paths, collect([i, relation, c, w]) AS explanations
ORDER BY score DESC, q.id
LIMIT $candidates
RETURN q.id AS id, q.title AS title, q.category AS category, score, paths,
       [e IN explanations | [e[0].id, e[0].text, e[1], e[2].name, e[3]]] AS explanations
