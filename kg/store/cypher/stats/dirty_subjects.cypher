// Posts and co-buys whose assertion edges a load created or changed (marked stale there,
// not on the intentions: any write to an Intention re-indexes its vector).
MATCH (s:Post)
WHERE s.stats_dirty = true
RETURN s.id AS id, 'post' AS kind
UNION ALL
MATCH (s:CoBuy)
WHERE s.stats_dirty = true
RETURN s.id AS id, 'cobuy' AS kind
