// The intentions asserted by the posts $posts and the co-buys $cobuys.
UNWIND $posts AS id
MATCH (:Post {id: id})-[r]->(i:Intention)
WHERE r.relation IS NOT NULL
RETURN DISTINCT i.id AS id
UNION
UNWIND $cobuys AS id
MATCH (:CoBuy {id: id})-[r]->(i:Intention)
WHERE r.relation IS NOT NULL
RETURN DISTINCT i.id AS id
