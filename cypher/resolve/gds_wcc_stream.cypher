// Purpose: weakly connected components of the projected link graph, per record uid
// Parameters: $graph_name
CALL gds.wcc.stream($graph_name) YIELD nodeId, componentId
RETURN gds.util.asNode(nodeId).uid AS uid, componentId AS component
