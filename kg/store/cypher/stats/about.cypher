// Every ABOUT edge, for kg.store.stats.
MATCH (i:Intention)-[a:ABOUT]->(c:Concept)
RETURN i.id AS intention_id, c.id AS concept_id, a.score AS score
