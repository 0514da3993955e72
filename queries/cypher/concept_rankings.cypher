// The intention rankings kept per (concept, relation) at load time (ConceptStat.top:
// by subjects; top_kept: by kept subjects) of the concepts $scope.
UNWIND $scope AS concept_id
MATCH (s:ConceptStat {concept_id: concept_id})
WHERE s.facet = 'all' AND s.relation <> '*'
  AND ($relations IS NULL OR s.relation IN $relations)
RETURN s.concept_id AS concept_id, s.relation AS relation,
       CASE WHEN $include_rejected THEN s.top ELSE s.top_kept END AS top
