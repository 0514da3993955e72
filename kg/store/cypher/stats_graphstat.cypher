// Upsert GraphStat aggregate nodes (kg.store.stats). Row: cell, relation, facet, value, assertions, kept, intentions, kept_intentions, filter_scored, filter_sum.
UNWIND $rows AS row
MERGE (s:GraphStat {id: row.id})
SET s.cell = row.cell,
    s.relation = row.relation,
    s.facet = row.facet,
    s.value = row.value,
    s.assertions = row.assertions,
    s.kept = row.kept,
    s.intentions = row.intentions,
    s.kept_intentions = row.kept_intentions,
    s.filter_scored = row.filter_scored,
    s.filter_sum = row.filter_sum
