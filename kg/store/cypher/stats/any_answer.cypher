// One kept answer, if any (none: they were never computed, e.g. an older layout).
MATCH (a:ConceptAnswer)
RETURN a.id AS id
LIMIT 1
