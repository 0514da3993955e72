// Assertions of the co-buys of product $id with their provenance and the other product.
MATCH (p:Product {id: $id})<-[:OF]-(s:CoBuy)-[:OF]->(q:Product)
WHERE q.id <> p.id
MATCH (s)-[r]->(i:Intention)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
RETURN r.id AS id, s.id AS subject_id, r.relation AS relation, i.id AS intention_id,
       i.text AS intention, r.raw_text AS raw_text, r.rationale AS rationale,
       r.plausibility AS plausibility, r.typicality AS typicality,
       r.filter_score AS filter_score, r.filter_reason AS filter_reason,
       coalesce(r.keep, true) AS keep, r.accepted AS accepted, r.model AS model, r.prompt_version AS prompt_version,
       r.image_description AS image_description, q.id AS partner
ORDER BY coalesce(r.filter_score, 1.0) DESC, relation, intention_id, partner
SKIP $skip LIMIT $limit
