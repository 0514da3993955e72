// Nodes per label from the server's own counters (db.meta.stats: no node is read; a
// label count scans the label here) and the assertion totals (GraphStat cell $cell).
CALL db.meta.stats() YIELD labels
UNWIND [['posts', 'Post'], ['products', 'Product'], ['cobuys', 'CoBuy'],
        ['intentions', 'Intention'], ['concepts', 'Concept']] AS kv
RETURN kv[0] AS key, coalesce(labels[kv[1]], 0) AS n
UNION ALL
MATCH (g:GraphStat {id: $cell}) RETURN 'assertions' AS key, g.assertions AS n
UNION ALL
MATCH (g:GraphStat {id: $cell}) RETURN 'kept' AS key, g.kept AS n
