// Assertions per relation (GraphStat cells kept at load time): how many, how many
// kept, distinct intentions, mean filter score.
MATCH (g:GraphStat)
WHERE g.facet = 'all' AND g.relation <> $all
RETURN g.relation AS relation, g.assertions AS assertions, g.kept AS kept,
       g.intentions AS intentions,
       CASE WHEN g.filter_scored = 0 THEN null
            ELSE g.filter_sum / g.filter_scored END AS mean_filter_score
ORDER BY assertions DESC, relation
SKIP $skip LIMIT $limit
