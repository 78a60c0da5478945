// Purpose: project the full run's links, given as pairs of record positions (integers, not nodes), into a
//          GDS in-memory graph, undirected, for connected components. The run holds the links in memory
//          already; reading them back from SIMILAR_TO would wait for the edges' writes and cost a scan.
// Parameters: $graph_name, $pairs (list of [position, position])
UNWIND $pairs AS pair
WITH gds.graph.project($graph_name, pair[0], pair[1], {}, {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships
