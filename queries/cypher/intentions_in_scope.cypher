// Text, support and the ABOUT links into $scope of the intentions $ids (the page of a
// ranking read from ConceptStat.top). `scores[d]` is the link's score at distance d, computed
// here as the live query computes it.
UNWIND $ids AS id
MATCH (i:Intention {id: id})
WITH i
MATCH (i)-[a:ABOUT]->(c:Concept)
WHERE c.id IN $scope
RETURN i.id AS id, i.text AS text, coalesce(i.support, 1) AS support, c.id AS concept_id,
       c.name AS name,
       [d IN range(0, 5) | coalesce(a.score, 1.0) / (1.0 + d)] AS scores
