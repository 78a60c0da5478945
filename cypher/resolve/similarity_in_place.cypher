// Purpose: the SIMILAR_TO edges already in the graph, so that a run rewrites only what changed (it keeps an edge it
//          finds again, sets its properties where they changed, and deletes the edges it no longer finds; before,
//          every run deleted and recreated every edge: 205,264 at 200k records, ~9 s of the server's CPU). Each edge
//          as [from uid, to uid, elementId], $batch_size to a result row (the driver's cost is per message)
// Parameters: $batch_size
MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record)
WITH collect([a.uid, b.uid, elementId(s)]) AS edges
UNWIND range(0, size(edges) - 1, $batch_size) AS start
RETURN edges[start..start + $batch_size] AS edges
