// The ConceptAnswer nodes of ids $ids (kept answers a refresh may recompute).
UNWIND $ids AS id
MATCH (a:ConceptAnswer {id: id})
RETURN properties(a) AS p
