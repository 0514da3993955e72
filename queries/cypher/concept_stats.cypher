// Concepts with the number of intentions ABOUT them and of direct IS_A children.
MATCH (c:Concept)
OPTIONAL MATCH (c)<-[a:ABOUT]-(i:Intention)
WITH c, count(i) AS intentions, avg(a.score) AS score
OPTIONAL MATCH (c)<-[:IS_A]-(child:Concept)
WITH c, intentions, score, count(child) AS children
RETURN c.id AS id, c.name AS name, intentions, children, score
ORDER BY intentions DESC, children DESC, id
SKIP $skip LIMIT $limit
