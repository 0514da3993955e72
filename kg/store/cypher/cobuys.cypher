// Upsert CoBuy nodes and their two OF edges; products without metadata get a bare node.
// Row: id, product_a, product_b, source, category.
UNWIND $rows AS row
MERGE (c:CoBuy {id: row.id})
SET c.source = row.source,
    c.category = row.category
MERGE (a:Product {id: row.product_a})
MERGE (b:Product {id: row.product_b})
MERGE (c)-[:OF]->(a)
MERGE (c)-[:OF]->(b)
