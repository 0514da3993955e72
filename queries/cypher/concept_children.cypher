// The direct IS_A children of the concepts $concept_ids with their ConceptStat cell
// $cell counts (assertions, intentions, children), most asserted first.
MATCH (parent:Concept)<-[:IS_A]-(c:Concept)
WHERE parent.id IN $concept_ids
WITH DISTINCT c
MATCH (s:ConceptStat {id: c.id + '|' + $cell})
WITH c, s,
     CASE WHEN $include_rejected THEN s.assertions ELSE s.kept END AS assertions,
     CASE WHEN $include_rejected THEN s.intentions ELSE s.kept_intentions END AS intentions
RETURN c.id AS id, c.name AS name, intentions, assertions, s.children AS children,
       s.about_score AS score
ORDER BY assertions DESC, intentions DESC, id
SKIP $skip LIMIT $limit
