// Concepts most referred to by kept assertions, counted from the assertion edges (the
// fallback of top_concepts for filters no aggregate cell answers: several relations,
// both a category and a source, a minimum filter score or accepted assertions only). Assertions are counted per intention first, so each
// assertion edge is read once however many concepts its intention is about; the
// score is the mean ABOUT score weighted by those counts.
MATCH (s)-[r]->(i:Intention)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
  AND ($category IS NULL OR s.category = $category)
  AND ($source IS NULL OR s.source = $source)
WITH i, count(r) AS n
MATCH (i)-[a:ABOUT]->(c:Concept)
WITH c, sum(n) AS assertions, count(DISTINCT i) AS intentions,
     sum(CASE WHEN a.score IS NULL THEN 0 ELSE n END) AS scored,
     sum(CASE WHEN a.score IS NULL THEN 0.0 ELSE n * a.score END) AS weighted
OPTIONAL MATCH (t:ConceptStat {id: c.id + '|' + $top})
RETURN c.id AS id, c.name AS name, intentions, assertions, coalesce(t.children, 0) AS children,
       CASE WHEN scored = 0 THEN null ELSE weighted / scored END AS score
ORDER BY assertions DESC, intentions DESC, id
SKIP $skip LIMIT $limit
