// Concepts whose name contains $text (case-insensitive), most used first.
MATCH (c:Concept)
WHERE toLower(c.name) CONTAINS toLower($text)
OPTIONAL MATCH (c)<-[:ABOUT]-(i:Intention)
WITH c, count(i) AS intentions
RETURN c.id AS id, c.name AS name, c.source AS source, c.synset AS synset, c.gloss AS gloss,
       intentions
ORDER BY intentions DESC, size(c.name), id
SKIP $skip LIMIT $limit
