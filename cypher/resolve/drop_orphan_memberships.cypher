// Purpose: drop the household links of people no record resolves to any more (their records were erased or
//          deleted since the run before, so no run decides their household: without this they would keep it)
// Parameters: none
MATCH (p:Person)-[m:MEMBER_OF]->(:Household)
WHERE NOT EXISTS { (p)<-[:RESOLVES_TO]-(:Record) }
DELETE m
RETURN count(m) AS dropped
