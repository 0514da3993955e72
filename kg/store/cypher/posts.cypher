// Upsert Post nodes. Row: Post fields (id, source, source_id, text, clean_text, lang, created_at, author, label).
UNWIND $rows AS row
MERGE (p:Post {id: row.id})
SET p.source = row.source,
    p.source_id = row.source_id,
    p.text = row.text,
    p.clean_text = row.clean_text,
    p.lang = row.lang,
    p.created_at = row.created_at,
    p.author = row.author,
    p.label = row.label,
    p.hashtags = row.hashtags
