// The ConceptStat rows of ids $ids (the '*|all|' rows of concepts above a changed one).
UNWIND $ids AS id
MATCH (s:ConceptStat {id: id})
RETURN properties(s) AS p
