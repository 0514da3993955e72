// Ids of the concepts $concept_ids and their IS_A descendants at most $depth hops below
// (5 at most in the pattern), with their distance (fewest hops) from the nearest root.
MATCH (root:Concept)
WHERE root.id IN $concept_ids
MATCH p = (root)<-[:IS_A*0..5]-(c:Concept)
WHERE length(p) <= $depth
RETURN c.id AS id, min(length(p)) AS distance
