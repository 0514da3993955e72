// Every concept id, for kg.store.stats.
MATCH (c:Concept)
RETURN c.id AS id
