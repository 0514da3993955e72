// Intention -[ABOUT {score}]-> Concept. Row: source_id (intention), target_id (concept), score.
// A new or re-scored link marks the concept's aggregates stale (kg.store.stats_refresh).
UNWIND $rows AS row
MATCH (i:Intention {id: row.source_id})
MATCH (c:Concept {id: row.target_id})
MERGE (i)-[r:ABOUT]->(c)
ON CREATE SET c.stats_dirty = true
ON MATCH SET c.stats_dirty = CASE WHEN coalesce(r.score, -1.0) <> coalesce(row.score, -1.0)
                                 THEN true ELSE c.stats_dirty END
SET r.score = row.score
