// Purpose: records that could be the person searched for (same family name or its phonetic key, same date of
//          birth, same identifier, an address at the postcode), the records meeting most criteria first
// Parameters: $family, $phonetic, $dob, $identifier (scheme:value key), $postcode, $limit
CALL () {
  MATCH (r:Record {family_norm: $family}) RETURN r
  UNION ALL
  MATCH (r:Record {family_phonetic: $phonetic}) RETURN r
  UNION ALL
  MATCH (r:Record {dob: $dob}) RETURN r
  UNION ALL
  MATCH (:Identifier {key: $identifier})<-[:HAS_IDENTIFIER]-(r:Record) RETURN r
  UNION ALL
  MATCH (:Address {postcode: $postcode})<-[:HAS_ADDRESS]-(r:Record) RETURN r
}
WITH r, count(*) AS hits
WHERE r.stub IS NULL
MATCH (r)-[:RESOLVES_TO]->(p:Person)
RETURN r.uid AS uid, p.id AS person_id, hits
ORDER BY hits DESC, uid
LIMIT $limit
