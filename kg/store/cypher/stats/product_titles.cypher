// Title and category of the products $ids (the rows of the kept answers).
UNWIND $ids AS id
MATCH (p:Product {id: id})
RETURN p.id AS id, p.title AS title, p.category AS category
