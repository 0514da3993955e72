// Intentions asserted both by another co-buy of $a and by another co-buy of $b,
// w = f(ra) * f(rb) summed over co-buy pairs.
MATCH (a:Product {id: $a})<-[:OF]-(ca:CoBuy)-[ra]->(i:Intention)
WHERE ca.id <> $cobuy_id
  AND ra.relation IS NOT NULL
  AND ($include_rejected OR coalesce(ra.keep, true) = true)
MATCH (i)<-[rb]-(cb:CoBuy)-[:OF]->(b:Product {id: $b})
WHERE cb.id <> $cobuy_id AND cb.id <> ca.id
  AND rb.relation IS NOT NULL
  AND ($include_rejected OR coalesce(rb.keep, true) = true)
WITH i, rb.relation AS relation,
     sum(coalesce(ra.filter_score, 1.0) * coalesce(rb.filter_score, 1.0)) AS weight
RETURN i.id AS intention_id, i.text AS intention, relation, null AS concept, weight
ORDER BY weight DESC, intention_id
LIMIT $limit
