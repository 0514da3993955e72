// The aggregates of the intentions row.id are up to date again.
UNWIND $rows AS row
MATCH (i:Intention {id: row.id})
REMOVE i.stats_dirty
