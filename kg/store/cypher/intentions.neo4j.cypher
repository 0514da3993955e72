// Upsert canonical Intention nodes; Neo4j's vector index reads a plain list of floats.
// A null embedding leaves a stored one in place (same as the FalkorDB variant).
// Row: id, text, aliases, support, abstract, embedding (list of floats or null).
UNWIND $rows AS row
MERGE (n:Intention {id: row.id})
SET n.text = row.text,
    n.aliases = row.aliases,
    n.support = row.support,
    n.abstract = coalesce(row.abstract, n.abstract, false),
    n.embedding = coalesce(row.embedding, n.embedding)
