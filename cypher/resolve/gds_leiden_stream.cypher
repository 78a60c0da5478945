// Purpose: weighted Leiden communities of the projected link graph, per record uid (used to compare
//          community detection with the default constrained clustering)
// Parameters: $graph_name, $seed
CALL gds.leiden.stream($graph_name, {relationshipWeightProperty: 'weight', randomSeed: $seed, concurrency: 1})
YIELD nodeId, communityId
RETURN gds.util.asNode(nodeId).uid AS uid, communityId AS community
