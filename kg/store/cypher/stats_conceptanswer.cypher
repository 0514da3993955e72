// Upsert ConceptAnswer nodes (kg.store.answers). Row: concept_id, depth, intentions, products.
UNWIND $rows AS row
MERGE (s:ConceptAnswer {id: row.id})
SET s.concept_id = row.concept_id,
    s.depth = row.depth,
    s.intentions = row.intentions,
    s.products = row.products
