// Text, support and the ABOUT links into $scope of the intentions $ids (the page of a
// ranking read from ConceptStat.top).
MATCH (i:Intention)-[a:ABOUT]->(c:Concept)
WHERE i.id IN $ids AND c.id IN $scope
RETURN i.id AS id, i.text AS text, coalesce(i.support, 1) AS support, c.id AS concept_id,
       c.name AS name, a.score AS score
