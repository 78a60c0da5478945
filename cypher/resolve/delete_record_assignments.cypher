// Purpose: drop the person links of the given records before a real-time resolve re-assigns them
// Parameters: $uids
MATCH (r:Record)-[x:RESOLVES_TO]->()
WHERE r.uid IN $uids
DELETE x
