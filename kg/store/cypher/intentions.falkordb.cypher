// Upsert canonical Intention nodes; FalkorDB's vector index needs a vecf32 value.
// An existing node is written only when something changed: every write to an
// Intention leaves a tombstone in FalkorDB's HNSW index, and tombstones crowd live
// nodes out of kNN results (see dialect.vector_query, which also over-fetches).
// A node with an embedding also gets the label IntentionVector, which holds the vector
// index (dialect.VECTOR_LABEL: rebuilt last after a restart).
// Row: id, text, aliases, support, abstract, embedding (list of floats or null).
UNWIND $rows AS row
MERGE (n:Intention {id: row.id})
ON CREATE SET n.text = row.text,
    n.aliases = row.aliases,
    n.support = row.support,
    n.abstract = coalesce(row.abstract, false),
    n.embedding = CASE WHEN row.embedding IS NULL THEN null ELSE vecf32(row.embedding) END
WITH n, row
FOREACH (_ IN CASE WHEN row.embedding IS NULL OR n:IntentionVector THEN [] ELSE [1] END |
    SET n:IntentionVector)
WITH n, row,
     n.text <> row.text OR n.aliases <> row.aliases OR n.support <> row.support
     OR (row.abstract IS NOT NULL AND n.abstract <> row.abstract)
     OR (row.embedding IS NOT NULL AND (n.embedding IS NULL OR n.embedding <> vecf32(row.embedding)))
     AS changed
FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END |
    SET n.text = row.text,
        n.aliases = row.aliases,
        n.support = row.support,
        n.abstract = coalesce(row.abstract, n.abstract, false),
        n.embedding = CASE WHEN row.embedding IS NULL THEN n.embedding ELSE vecf32(row.embedding) END)
