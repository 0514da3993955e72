// Upsert Product nodes. Row: id (ASIN), title, category, brand, price, description.
UNWIND $rows AS row
MERGE (p:Product {id: row.id})
SET p.title = row.title,
    p.category = row.category,
    p.brand = row.brand,
    p.price = row.price,
    p.description = row.description
