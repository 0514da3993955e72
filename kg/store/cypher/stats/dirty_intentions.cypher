// Intentions whose aggregates a load marked stale (an assertion edge created or changed).
MATCH (i:Intention)
WHERE i.stats_dirty = true
RETURN i.id AS id
