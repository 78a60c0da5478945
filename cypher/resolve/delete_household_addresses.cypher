// Purpose: drop the address links of the given households before they are written again
// Parameters: $household_ids
MATCH (h:Household)-[x:AT]->()
WHERE h.id IN $household_ids
DELETE x
