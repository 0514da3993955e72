// The ConceptStat rows of the concepts $ids (to compare with their new values).
UNWIND $ids AS id
MATCH (s:ConceptStat {concept_id: id})
RETURN properties(s) AS p
