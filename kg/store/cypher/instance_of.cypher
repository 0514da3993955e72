// Intention -[INSTANCE_OF {score}]-> abstract Intention. Row: source_id, target_id, score.
// The target is marked abstract only when it is not yet (no needless node writes).
UNWIND $rows AS row
MATCH (i:Intention {id: row.source_id})
MATCH (a:Intention {id: row.target_id})
MERGE (i)-[r:INSTANCE_OF]->(a)
SET r.score = row.score
WITH DISTINCT a
WHERE a.abstract IS NULL OR a.abstract <> true
SET a.abstract = true
