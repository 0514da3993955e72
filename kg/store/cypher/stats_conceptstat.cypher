// Upsert ConceptStat aggregate nodes (kg.store.stats). Row: concept_id, cell, relation, facet, value, assertions, kept, intentions, kept_intentions, scored, kept_scored, score_sum, kept_score_sum, linked, children, about_score, scope, top, top_kept.
UNWIND $rows AS row
MERGE (s:ConceptStat {id: row.id})
SET s.concept_id = row.concept_id,
    s.cell = row.cell,
    s.relation = row.relation,
    s.facet = row.facet,
    s.value = row.value,
    s.assertions = row.assertions,
    s.kept = row.kept,
    s.intentions = row.intentions,
    s.kept_intentions = row.kept_intentions,
    s.scored = row.scored,
    s.kept_scored = row.kept_scored,
    s.score_sum = row.score_sum,
    s.kept_score_sum = row.kept_score_sum,
    s.linked = row.linked,
    s.children = row.children,
    s.about_score = row.about_score,
    s.scope = row.scope,
    s.top = row.top,
    s.top_kept = row.top_kept
