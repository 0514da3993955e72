// Upsert Image nodes and the HAS_IMAGE edge from their Post or Product.
// Row: id, uri, local_path, status, owner_id.
UNWIND $rows AS row
MERGE (i:Image {id: row.id})
SET i.uri = row.uri,
    i.local_path = row.local_path,
    i.status = row.status
WITH i, row
OPTIONAL MATCH (post:Post {id: row.owner_id})
OPTIONAL MATCH (product:Product {id: row.owner_id})
WITH i, coalesce(post, product) AS owner
WHERE owner IS NOT NULL
MERGE (owner)-[:HAS_IMAGE]->(i)
