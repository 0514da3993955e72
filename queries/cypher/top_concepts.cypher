// Concepts most referred to, read from the ConceptStat cell $cell (kept at load time):
// assertions reaching an intention ABOUT the concept, distinct such intentions, and
// the ABOUT score weighted by assertions, and its IS_A children (from its $top cell).
// $include_rejected picks all vs kept counts.
MATCH (s:ConceptStat {cell: $cell})
WITH s.concept_id AS id,
     CASE WHEN $include_rejected THEN s.assertions ELSE s.kept END AS assertions,
     CASE WHEN $include_rejected THEN s.intentions ELSE s.kept_intentions END AS intentions,
     CASE WHEN $include_rejected THEN s.scored ELSE s.kept_scored END AS scored,
     CASE WHEN $include_rejected THEN s.score_sum ELSE s.kept_score_sum END AS weighted
WHERE assertions > 0
WITH id, assertions, intentions, scored, weighted
ORDER BY assertions DESC, intentions DESC, id
SKIP $skip LIMIT $limit
MATCH (c:Concept {id: id})
OPTIONAL MATCH (t:ConceptStat {id: id + '|' + $top})
RETURN id, c.name AS name, intentions, assertions, coalesce(t.children, 0) AS children,
       CASE WHEN scored = 0 THEN null ELSE weighted / scored END AS score
ORDER BY assertions DESC, intentions DESC, id
