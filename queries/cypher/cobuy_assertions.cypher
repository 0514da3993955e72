// Assertions of co-buy $id with their provenance.
MATCH (s:CoBuy {id: $id})-[r]->(i:Intention)
WHERE r.relation IS NOT NULL
  AND ($include_rejected OR coalesce(r.keep, true) = true)
RETURN r.id AS id, s.id AS subject_id, r.relation AS relation, i.id AS intention_id,
       i.text AS intention, r.raw_text AS raw_text, r.rationale AS rationale,
       r.plausibility AS plausibility, r.typicality AS typicality,
       r.filter_score AS filter_score, r.filter_reason AS filter_reason,
       coalesce(r.keep, true) AS keep, r.accepted AS accepted, r.model AS model, r.prompt_version AS prompt_version,
       r.image_description AS image_description, null AS partner
ORDER BY coalesce(r.filter_score, 1.0) DESC, relation, intention_id
LIMIT $limit
