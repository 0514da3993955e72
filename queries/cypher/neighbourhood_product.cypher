// Edges around product $id: its co-buys, their other products and their intentions.
// $limit bounds each part.
MATCH (n:CoBuy)-[e:OF]->(m:Product {id: $id})
RETURN n.id AS source, 'cobuy' AS source_kind, n.id AS source_label, 'OF' AS type,
       null AS relation, m.id AS target, 'product' AS target_kind,
       coalesce(m.title, m.id) AS target_label
LIMIT $limit
UNION ALL
MATCH (p:Product {id: $id})<-[:OF]-(n:CoBuy)-[e:OF]->(m:Product)
WHERE m.id <> p.id
RETURN n.id AS source, 'cobuy' AS source_kind, n.id AS source_label, 'OF' AS type,
       null AS relation, m.id AS target, 'product' AS target_kind,
       coalesce(m.title, m.id) AS target_label
LIMIT $limit
UNION ALL
MATCH (:Product {id: $id})<-[:OF]-(n:CoBuy)-[e]->(m:Intention)
WHERE e.relation IS NOT NULL AND ($include_rejected OR coalesce(e.keep, true) = true)
RETURN n.id AS source, 'cobuy' AS source_kind, n.id AS source_label, type(e) AS type,
       e.relation AS relation, m.id AS target, 'intention' AS target_kind,
       m.text AS target_label
LIMIT $limit
