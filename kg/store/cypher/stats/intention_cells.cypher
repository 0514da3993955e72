// Every intention's cells (the IntentionStat row of relation '*'), for kg.store.stats.
MATCH (s:IntentionStat)
WHERE s.relation = '*'
RETURN s.intention_id AS id, s.cells AS cells
