// Purpose: drop the MEMBER_OF link of each person whose household changes in this run (moved to another household,
//          no household any more, or the person's id retired); a person who stays in its household keeps its link
// Parameters: $person_ids (list of person ids)
UNWIND $person_ids AS person_id
MATCH (:Person {id: person_id})-[m:MEMBER_OF]->(:Household)
DELETE m
RETURN count(m) AS dropped
