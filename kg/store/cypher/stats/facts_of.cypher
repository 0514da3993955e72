// The assertions of the intentions $ids grouped for kg.store.stats.Fact (as facts.cypher
// does for the whole graph): the incremental refresh reads only the intentions a load touched.
UNWIND $ids AS id
MATCH (i:Intention {id: id})
MATCH (s)-[r]->(i)
WHERE r.relation IS NOT NULL
WITH i.id AS intention_id, r.relation AS relation, s,
     count(r) AS n,
     sum(CASE WHEN coalesce(r.keep, true) = true THEN 1 ELSE 0 END) AS k,
     count(r.filter_score) AS fn,
     sum(coalesce(r.filter_score, 0.0)) AS fs
WITH intention_id, relation, s.source AS source, s.category AS category,
     CASE WHEN s.created_at IS NULL THEN null ELSE substring(s.created_at, 0, 7) END AS month,
     n, k, fn, fs
RETURN intention_id, relation, source, category, month,
       sum(n) AS assertions, sum(k) AS kept, count(*) AS subjects,
       sum(CASE WHEN k > 0 THEN 1 ELSE 0 END) AS kept_subjects,
       sum(fn) AS filter_scored, sum(fs) AS filter_sum
