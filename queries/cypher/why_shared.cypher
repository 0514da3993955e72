// Intentions asserted both by another co-buy of $a and by another co-buy of $b.
// weight = (sum of f(ra) over A's co-buys) * (sum of f(rb) over B's co-buys), which equals
// the sum of f(ra) * f(rb) over co-buy pairs. Both sides start from their product (index
// lookups) and meet on intention ids, so hub intentions are never expanded.
MATCH (a:Product {id: $a})<-[:OF]-(ca:CoBuy)-[ra]->(i:Intention)
WHERE ca.id <> $cobuy_id
  AND ra.relation IS NOT NULL
  AND ($include_rejected OR coalesce(ra.keep, true) = true)
WITH i.id AS id, sum(coalesce(ra.filter_score, 1.0)) AS fa
WITH collect({id: id, fa: fa}) AS a_side
MATCH (b:Product {id: $b})<-[:OF]-(cb:CoBuy)-[rb]->(i:Intention)
WHERE cb.id <> $cobuy_id
  AND rb.relation IS NOT NULL
  AND ($include_rejected OR coalesce(rb.keep, true) = true)
WITH a_side, i, rb.relation AS relation, sum(coalesce(rb.filter_score, 1.0)) AS fb
UNWIND a_side AS l
WITH i, relation, fb, l
WHERE l.id = i.id
RETURN i.id AS intention_id, i.text AS intention, relation, null AS concept, l.fa * fb AS weight
ORDER BY weight DESC, intention_id
LIMIT $limit
