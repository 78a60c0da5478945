// Purpose: active people with no record left: keep only the id (audit entries and old links name it) with
//          the status erased, and take them out of their household (people that re-resolution retired keep
//          their status and succession)
// Parameters: $ids (person ids)
UNWIND $ids AS id
MATCH (p:Person {id: id})
WHERE (p.status IS NULL OR p.status = 'active') AND NOT (p)<-[:RESOLVES_TO]-(:Record)
CALL (p) {
  OPTIONAL MATCH (p)-[membership:MEMBER_OF]->()
  DELETE membership
}
SET p = p {.id, .created_at}, p.status = 'erased', p.erased_at = datetime()
RETURN count(p) AS erased
