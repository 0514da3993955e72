// Every concept id and name, for kg.store.stats and kg.store.answers.
MATCH (c:Concept)
RETURN c.id AS id, c.name AS name
