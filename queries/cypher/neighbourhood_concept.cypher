// Edges around concept $id: parents, children and intentions ABOUT it. $limit bounds each part.
MATCH (n:Concept {id: $id})-[e:IS_A]->(m:Concept)
RETURN n.id AS source, 'concept' AS source_kind, n.name AS source_label, 'IS_A' AS type,
       null AS relation, m.id AS target, 'concept' AS target_kind, m.name AS target_label
LIMIT $limit
UNION ALL
MATCH (n:Concept)-[e:IS_A]->(m:Concept {id: $id})
RETURN n.id AS source, 'concept' AS source_kind, n.name AS source_label, 'IS_A' AS type,
       null AS relation, m.id AS target, 'concept' AS target_kind, m.name AS target_label
LIMIT $limit
UNION ALL
MATCH (n:Intention)-[e:ABOUT]->(m:Concept {id: $id})
RETURN n.id AS source, 'intention' AS source_kind, n.text AS source_label, 'ABOUT' AS type,
       null AS relation, m.id AS target, 'concept' AS target_kind, m.name AS target_label
ORDER BY coalesce(e.score, 1.0) DESC, source
LIMIT $limit
