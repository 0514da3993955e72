// Edges around intention $id: its concepts and their parents, the subjects asserting it
// and, for co-buys, their products. $limit bounds each part.
MATCH (n:Intention {id: $id})-[e:ABOUT]->(m:Concept)
RETURN n.id AS source, 'intention' AS source_kind, n.text AS source_label, 'ABOUT' AS type,
       null AS relation, m.id AS target, 'concept' AS target_kind, m.name AS target_label
LIMIT $limit
UNION ALL
MATCH (:Intention {id: $id})-[:ABOUT]->(n:Concept)-[e:IS_A]->(m:Concept)
RETURN n.id AS source, 'concept' AS source_kind, n.name AS source_label, 'IS_A' AS type,
       null AS relation, m.id AS target, 'concept' AS target_kind, m.name AS target_label
LIMIT $limit
UNION ALL
MATCH (n:Post)-[e]->(m:Intention {id: $id})
WHERE e.relation IS NOT NULL AND ($include_rejected OR coalesce(e.keep, true) = true)
RETURN n.id AS source, 'post' AS source_kind, coalesce(n.text, n.id) AS source_label,
       type(e) AS type, e.relation AS relation, m.id AS target, 'intention' AS target_kind,
       m.text AS target_label
LIMIT $limit
UNION ALL
MATCH (n:CoBuy)-[e]->(m:Intention {id: $id})
WHERE e.relation IS NOT NULL AND ($include_rejected OR coalesce(e.keep, true) = true)
RETURN n.id AS source, 'cobuy' AS source_kind, n.id AS source_label,
       type(e) AS type, e.relation AS relation, m.id AS target, 'intention' AS target_kind,
       m.text AS target_label
LIMIT $limit
UNION ALL
MATCH (n:CoBuy)-[r]->(:Intention {id: $id})
WHERE r.relation IS NOT NULL AND ($include_rejected OR coalesce(r.keep, true) = true)
WITH DISTINCT n
LIMIT $limit
MATCH (n)-[e:OF]->(m:Product)
RETURN n.id AS source, 'cobuy' AS source_kind, n.id AS source_label, 'OF' AS type,
       null AS relation, m.id AS target, 'product' AS target_kind,
       coalesce(m.title, m.id) AS target_label
