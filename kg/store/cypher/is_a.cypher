// Concept -[IS_A {score}]-> Concept. Row: source_id (hyponym), target_id (hypernym), score.
UNWIND $rows AS row
MATCH (child:Concept {id: row.source_id})
MATCH (parent:Concept {id: row.target_id})
MERGE (child)-[r:IS_A]->(parent)
SET r.score = row.score
