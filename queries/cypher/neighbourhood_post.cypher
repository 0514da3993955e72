// Edges around post $id: its intentions and their concepts. $limit bounds each part.
MATCH (n:Post {id: $id})-[e]->(m:Intention)
WHERE e.relation IS NOT NULL AND ($include_rejected OR coalesce(e.keep, true) = true)
RETURN n.id AS source, 'post' AS source_kind, coalesce(n.text, n.id) AS source_label,
       type(e) AS type, e.relation AS relation, m.id AS target, 'intention' AS target_kind,
       m.text AS target_label
LIMIT $limit
UNION ALL
MATCH (:Post {id: $id})-[r]->(n:Intention)-[e:ABOUT]->(m:Concept)
WHERE r.relation IS NOT NULL AND ($include_rejected OR coalesce(r.keep, true) = true)
RETURN n.id AS source, 'intention' AS source_kind, n.text AS source_label, 'ABOUT' AS type,
       null AS relation, m.id AS target, 'concept' AS target_kind, m.name AS target_label
LIMIT $limit
