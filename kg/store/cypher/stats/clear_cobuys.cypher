// The aggregates of the assertions of the co-buys row.id are up to date again.
UNWIND $rows AS row
MATCH (s:CoBuy {id: row.id})
REMOVE s.stats_dirty
