// Assertions per month about the concepts $concept_ids (ConceptStat month cells kept at
// load time: posts with a time), oldest first; several senses of a name are summed.
MATCH (s:ConceptStat)
WHERE s.concept_id IN $concept_ids AND s.facet = 'month' AND s.relation = $all
WITH s.value AS period,
     sum(CASE WHEN $include_rejected THEN s.assertions ELSE s.kept END) AS assertions,
     sum(CASE WHEN $include_rejected THEN s.intentions ELSE s.kept_intentions END) AS intentions
WHERE assertions > 0
RETURN period, assertions, intentions
ORDER BY period
