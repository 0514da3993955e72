// Intention -[ABOUT {score}]-> Concept. Row: source_id (intention), target_id (concept), score.
UNWIND $rows AS row
MATCH (i:Intention {id: row.source_id})
MATCH (c:Concept {id: row.target_id})
MERGE (i)-[r:ABOUT]->(c)
SET r.score = row.score
