// Purpose: drop a projected GDS graph (no error if it is gone)
// Parameters: $graph_name
CALL gds.graph.drop($graph_name, false) YIELD graphName
RETURN graphName
