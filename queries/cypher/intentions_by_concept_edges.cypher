// intentions_by_concept counted from the assertion edges: the form for a filter the
// IntentionStat counts cannot answer (a minimum filter score $min_score, or only edges
// human annotators accepted, $accepted_only). Same scope, score and order as
// intentions_by_concept; subjects are the distinct posts/co-buys whose edges pass.
// An edge no filter ran on (null filter_score) counts as 1.0. Scores are rounded to 9
// decimals as there.
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
MATCH (i)<-[r]-(s)
WHERE r.relation IS NOT NULL
  AND ($relations IS NULL OR r.relation IN $relations)
  AND ($include_rejected OR coalesce(r.keep, true) = true)
  AND coalesce(r.filter_score, 1.0) >= $min_score
  AND (NOT $accepted_only OR r.accepted = true)
WITH r.relation AS relation, i, score, concepts, count(DISTINCT s) AS subjects
ORDER BY relation, subjects DESC, score DESC, i.id
WITH relation,
     collect({id: i.id, text: i.text, subjects: subjects, support: coalesce(i.support, 1),
              score: score, concepts: concepts[..3]}) AS ranked
RETURN relation, size(ranked) AS total, ranked[$skip..($skip + $limit)] AS items
ORDER BY total DESC, relation
