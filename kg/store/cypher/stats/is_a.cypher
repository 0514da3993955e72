// Every IS_A edge as (child, parent) ids, for kg.store.stats.
MATCH (c:Concept)-[:IS_A]->(p:Concept)
RETURN c.id AS child, p.id AS parent
