// Purpose: project records and their SIMILAR_TO links at or above the link threshold (not cannot-link)
//          into a GDS in-memory graph, undirected, for connected components
// Parameters: $graph_name, $threshold
MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record)
WHERE s.weight >= $threshold AND s.cannot_link IS NULL
WITH gds.graph.project($graph_name, a, b, {relationshipProperties: {weight: s.weight}},
                       {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships
