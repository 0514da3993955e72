// Intentions ABOUT the concepts $concept_ids or their IS_A descendants (at most $depth
// hops below, 5 at most in the pattern), grouped by relation; skip/limit apply per group.
// Subjects per (intention, relation) come from the IntentionStat nodes kept at load
// time, so no assertion edge is read. Scores are rounded to 9 decimals
// (floor(x * 1e9 + 0.5) / 1e9: FalkorDB sends doubles with 15 digits, Neo4j all 17). This is the live form: the helper reads the answer
// kept per (concept, depth) for the default filters (ConceptAnswer.intentions, computed
// by kg.store.answers as this query does), or the rankings kept per concept
// (ConceptStat.top), when it can.
MATCH (root:Concept)
WHERE root.id IN $concept_ids
MATCH p = (root)<-[:IS_A*0..5]-(c:Concept)
WHERE length(p) <= $depth
WITH c, min(length(p)) AS distance
MATCH (c)<-[a:ABOUT]-(i:Intention)
WITH i, a, c, distance
ORDER BY c.name
WITH i, floor(max(coalesce(a.score, 1.0) / (1.0 + distance)) * 1e9 + 0.5) / 1e9 AS score,
     collect(DISTINCT c.name) AS concepts
MATCH (st:IntentionStat {intention_id: i.id})
WHERE st.relation <> '*' AND ($relations IS NULL OR st.relation IN $relations)
WITH st.relation AS relation, i, score, concepts,
     CASE WHEN $include_rejected THEN st.subjects ELSE st.kept_subjects END AS subjects
WHERE subjects > 0
WITH relation, i, score, concepts, subjects
ORDER BY relation, subjects DESC, score DESC, i.id
WITH relation,
     collect({id: i.id, text: i.text, subjects: subjects, support: coalesce(i.support, 1),
              score: score, concepts: concepts[..3]}) AS ranked
RETURN relation, size(ranked) AS total, ranked[$skip..($skip + $limit)] AS items
ORDER BY total DESC, relation
