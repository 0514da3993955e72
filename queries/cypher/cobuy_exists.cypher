// Whether co-buy $id is in the graph.
MATCH (c:CoBuy {id: $id})
RETURN c.id AS id
