// The distinct intentions per relation and IS_A depth below a concept (ConceptStat.scope
// of its cell $id, kept at load time).
MATCH (s:ConceptStat {id: $id})
RETURN s.scope AS scope
