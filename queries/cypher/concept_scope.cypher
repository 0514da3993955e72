// Ids of the concepts $concept_ids and their IS_A descendants at most $depth hops below
// (5 at most in the pattern).
MATCH (root:Concept)
WHERE root.id IN $concept_ids
MATCH p = (root)<-[:IS_A*0..5]-(c:Concept)
WHERE length(p) <= $depth
RETURN DISTINCT c.id AS id
