// Purpose: erase records with everything that hangs off them alone: their sharing marks and the steward
//          decisions about them (a decision about a pair means nothing once one record is gone); the
//          relationships to shared values go with the record (the values themselves: retention/delete_orphans)
// Parameters: $uids (record uids)
UNWIND $uids AS uid
MATCH (r:Record {uid: uid})
CALL (r) {
  OPTIONAL MATCH (r)<-[:MARKS|ABOUT]-(attached)
  WHERE attached:SharingMark OR attached:StewardDecision
  DETACH DELETE attached
}
DETACH DELETE r
RETURN count(*) AS erased
