// Concepts named $name (several WordNet senses may share a name).
MATCH (c:Concept)
WHERE c.name = $name
RETURN c.id AS id, c.name AS name
ORDER BY id
LIMIT 50
