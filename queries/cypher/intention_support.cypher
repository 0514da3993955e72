// Support of the intentions $ids (search results are enriched with it).
MATCH (i:Intention)
WHERE i.id IN $ids
RETURN i.id AS id, coalesce(i.support, 1) AS support
