// Concepts whose aggregates a load marked stale (an ABOUT or IS_A edge created or changed).
MATCH (c:Concept)
WHERE c.stats_dirty = true
RETURN c.id AS id
