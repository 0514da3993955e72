// Text and support of the intentions $ids (the items of the kept answers).
UNWIND $ids AS id
MATCH (i:Intention {id: id})
RETURN i.id AS id, i.text AS text, coalesce(i.support, 1) AS support
