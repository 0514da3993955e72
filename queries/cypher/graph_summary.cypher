// Nodes per label and the assertion totals (GraphStat cell $cell): the graph's size.
MATCH (p:Post) WITH count(p) AS posts
MATCH (x:Product) WITH posts, count(x) AS products
MATCH (cb:CoBuy) WITH posts, products, count(cb) AS cobuys
MATCH (i:Intention) WITH posts, products, cobuys, count(i) AS intentions
MATCH (c:Concept) WITH posts, products, cobuys, intentions, count(c) AS concepts
OPTIONAL MATCH (g:GraphStat {id: $cell})
RETURN posts, products, cobuys, intentions, concepts,
       coalesce(g.assertions, 0) AS assertions, coalesce(g.kept, 0) AS kept
