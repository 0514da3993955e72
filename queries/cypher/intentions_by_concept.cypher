// Intentions ABOUT the concepts $concept_ids or their IS_A descendants (at most $depth
// hops below, 5 at most in the pattern), grouped by relation; skip/limit apply per group.
// Each intention's concepts and score are gathered first, so its assertion edges are
// read once however many of the concepts it is about.
MATCH (root:Concept)
WHERE root.id IN $concept_ids
MATCH p = (root)<-[:IS_A*0..5]-(c:Concept)
WHERE length(p) <= $depth
WITH c, min(length(p)) AS distance
MATCH (c)<-[a:ABOUT]-(i:Intention)
WITH i, max(coalesce(a.score, 1.0) / (1.0 + distance)) AS score,
     collect(DISTINCT c.name) AS concepts
MATCH (i)<-[r]-(s)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
WITH r.relation AS relation, i, score, concepts, count(DISTINCT s) AS subjects
ORDER BY relation, subjects DESC, score DESC, i.id
WITH relation,
     collect({id: i.id, text: i.text, subjects: subjects, support: coalesce(i.support, 1),
              score: score, concepts: concepts[..3]}) AS ranked
RETURN relation, size(ranked) AS total, ranked[$skip..($skip + $limit)] AS items
ORDER BY total DESC, relation
