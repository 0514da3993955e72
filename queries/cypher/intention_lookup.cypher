// The intention with id $id.
MATCH (i:Intention {id: $id})
RETURN i.id AS id, i.text AS text, coalesce(i.support, 1) AS support
