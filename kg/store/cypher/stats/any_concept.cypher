// One concept, if the graph has any (the kept answers are then expected).
MATCH (c:Concept)
RETURN c.id AS id
LIMIT 1
