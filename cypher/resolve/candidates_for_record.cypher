// Purpose: candidate records for one record: shared identifier nodes (skipping super-nodes with more
//          than $cap records, invalid identifiers and placeholder addresses) and shared name/date keys
// Parameters: $uid, $cap, $limit
MATCH (r:Record {uid: $uid})
CALL (r) {
  MATCH (r)-[:HAS_IDENTIFIER|HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(n)<-[:HAS_IDENTIFIER|HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(o:Record)
  WHERE o <> r AND o.stub IS NULL AND coalesce(n.valid, true) AND NOT coalesce(n.placeholder, false)
    AND COUNT { (n)<-[]-(:Record) } <= $cap
  RETURN o
  UNION
  MATCH (o:Record {family_phonetic: r.family_phonetic})
  WHERE o <> r AND o.stub IS NULL AND left(o.dob, 4) = left(r.dob, 4)
  RETURN o
  UNION
  MATCH (o:Record {dob: r.dob})
  WHERE o <> r AND o.stub IS NULL AND size(r.dob) = 10
  RETURN o
  UNION
  MATCH (o:Record {family_norm: r.family_norm})
  WHERE o <> r AND o.stub IS NULL AND any(g IN o.given_groups WHERE g IN r.given_groups)
  RETURN o
}
RETURN DISTINCT o.uid AS uid
LIMIT $limit
