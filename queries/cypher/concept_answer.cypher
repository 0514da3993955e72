// The answer kept for a concept at the greatest depth among $ids (its ConceptAnswer ids at
// the asked depth and every shallower one; only depths where the scope grows are kept):
// intentions_by_concept's when $products is false, products_for_concept's when true.
UNWIND $ids AS id
MATCH (a:ConceptAnswer {id: id})
RETURN a.depth AS depth,
       CASE WHEN $products THEN a.products ELSE a.intentions END AS answer
ORDER BY depth DESC
LIMIT 1
