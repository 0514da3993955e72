// Concept -[IS_A {score}]-> Concept. Row: source_id (hyponym), target_id (hypernym), score.
// A new edge marks the parent's aggregates stale (children, scope: kg.store.stats_refresh).
UNWIND $rows AS row
MATCH (child:Concept {id: row.source_id})
MATCH (parent:Concept {id: row.target_id})
MERGE (child)-[r:IS_A]->(parent)
ON CREATE SET parent.stats_dirty = true
SET r.score = row.score
