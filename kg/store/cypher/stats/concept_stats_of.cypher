// The ConceptStat rows of the concepts $ids (to compare with their new values).
MATCH (s:ConceptStat)
WHERE s.concept_id IN $ids
RETURN properties(s) AS p
