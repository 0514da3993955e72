// Nodes per label (each branch a plain label count, which the stores answer from
// their label index) and the assertion totals (GraphStat cell $cell): the graph's size.
MATCH (n:Post) RETURN 'posts' AS key, count(n) AS n
UNION ALL
MATCH (n:Product) RETURN 'products' AS key, count(n) AS n
UNION ALL
MATCH (n:CoBuy) RETURN 'cobuys' AS key, count(n) AS n
UNION ALL
MATCH (n:Intention) RETURN 'intentions' AS key, count(n) AS n
UNION ALL
MATCH (n:Concept) RETURN 'concepts' AS key, count(n) AS n
UNION ALL
MATCH (g:GraphStat {id: $cell}) RETURN 'assertions' AS key, g.assertions AS n
UNION ALL
MATCH (g:GraphStat {id: $cell}) RETURN 'kept' AS key, g.kept AS n
