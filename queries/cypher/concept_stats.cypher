// Concepts with the number of intentions ABOUT them and of direct IS_A children, read
// from their ConceptStat cell $cell (every relation, every subject).
MATCH (s:ConceptStat {cell: $cell})
WITH s.concept_id AS id, s.linked AS intentions, s.children AS children,
     s.about_score AS score
ORDER BY intentions DESC, children DESC, id
SKIP $skip LIMIT $limit
MATCH (c:Concept {id: id})
RETURN id, c.name AS name, intentions, children, score
ORDER BY intentions DESC, children DESC, id
