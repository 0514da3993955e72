// Upsert IntentionStat aggregate nodes (kg.store.stats). Row: intention_id, relation, assertions, kept, subjects, kept_subjects, cells.
UNWIND $rows AS row
MERGE (s:IntentionStat {id: row.id})
SET s.intention_id = row.intention_id,
    s.relation = row.relation,
    s.assertions = row.assertions,
    s.kept = row.kept,
    s.subjects = row.subjects,
    s.kept_subjects = row.kept_subjects,
    s.cells = row.cells
