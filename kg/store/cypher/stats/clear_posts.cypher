// The aggregates of the assertions of the posts row.id are up to date again.
UNWIND $rows AS row
MATCH (s:Post {id: row.id})
REMOVE s.stats_dirty
