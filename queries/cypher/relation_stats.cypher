// Assertions per relation: how many, how many kept, distinct intentions, mean filter score.
MATCH ()-[r]->(i:Intention)
WHERE r.relation IS NOT NULL
RETURN r.relation AS relation,
       count(r) AS assertions,
       sum(CASE WHEN coalesce(r.keep, true) = true THEN 1 ELSE 0 END) AS kept,
       count(DISTINCT i) AS intentions,
       avg(r.filter_score) AS mean_filter_score
ORDER BY assertions DESC, relation
SKIP $skip LIMIT $limit
