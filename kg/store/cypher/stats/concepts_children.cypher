// Every concept with its number of IS_A children, for kg.store.stats.
MATCH (c:Concept)
OPTIONAL MATCH (c)<-[:IS_A]-(child:Concept)
RETURN c.id AS id, count(child) AS children
