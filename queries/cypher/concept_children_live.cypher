// concept_children counted from the assertion edges: the form for a minimum filter score
// $min_score or only human-accepted edges ($accepted_only), which the ConceptStat cells
// cannot answer. Per direct IS_A child of $concept_ids: the passing assertions reaching
// intentions ABOUT the child itself and their distinct intentions; children and score
// still come from the child's cell $cell. An edge no filter ran on counts as score 1.0.
MATCH (parent:Concept)<-[:IS_A]-(c:Concept)
WHERE parent.id IN $concept_ids
WITH DISTINCT c
OPTIONAL MATCH (c)<-[:ABOUT]-(i:Intention)<-[r]-()
WHERE r.relation IS NOT NULL
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
WITH c, count(r) AS assertions, count(DISTINCT i) AS intentions
MATCH (s:ConceptStat {id: c.id + '|' + $cell})
RETURN c.id AS id, c.name AS name, intentions, assertions, s.children AS children,
       s.about_score AS score
ORDER BY assertions DESC, intentions DESC, id
SKIP $skip LIMIT $limit
