// The aggregates of the concepts row.id are up to date again.
UNWIND $rows AS row
MATCH (c:Concept {id: row.id})
REMOVE c.stats_dirty
