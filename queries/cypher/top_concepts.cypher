// Concepts most referred to by kept assertions, optionally of some relations and
// of co-buys in one category.
MATCH (s)-[r]->(i:Intention)-[a:ABOUT]->(c:Concept)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND ($category IS NULL OR s.category = $category)
WITH c, count(r) AS assertions, count(DISTINCT i) AS intentions, avg(a.score) AS score
RETURN c.id AS id, c.name AS name, intentions, assertions, score
ORDER BY assertions DESC, intentions DESC, id
SKIP $skip LIMIT $limit
