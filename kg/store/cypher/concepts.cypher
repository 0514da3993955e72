// Upsert Concept nodes. Row: id, name, source, synset, gloss.
UNWIND $rows AS row
MERGE (c:Concept {id: row.id})
SET c.name = row.name,
    c.source = row.source,
    c.synset = row.synset,
    c.gloss = row.gloss
