// Per intention of $ids and co-buy asserting it with a kept assertion: the assertions'
// filter scores summed (1 where no filter ran) and the co-buy's products, for the
// products-for-concept answers (kg.store.answers); as products_for_concept.cypher reads them.
UNWIND $ids AS id
MATCH (i:Intention {id: id})<-[r]-(cb:CoBuy)
WHERE r.relation IS NOT NULL AND coalesce(r.keep, true) = true
WITH i, cb, sum(coalesce(r.filter_score, 1.0)) AS weight
MATCH (cb)-[:OF]->(p:Product)
RETURN i.id AS intention_id, cb.id AS cobuy_id, weight, collect(p.id) AS products
