// Purpose: weakly connected components of a graph projected from record positions, as two parallel lists
//          (one result row: the driver's cost is per row as much as per value). nodeId is the position the
//          projection was given, not a Neo4j node id
// Parameters: $graph_name
CALL gds.wcc.stream($graph_name) YIELD nodeId, componentId
RETURN collect(nodeId) AS positions, collect(componentId) AS components
