// Purpose: every (non-stub) record with the features resolution compares, in one pass; identifiers
//          only when valid, addresses only when not placeholders (with the street and postcodes of addresses
//          that have no dwelling key)
//          and the record's elementId (the full resolve's writes find each record by it: a seek, where a
//          lookup by uid in a write transaction is a locking unique-index seek with a fresh index reader).
//          Records come $batch_size to a result row, each as a list of values in the order of
//          resolvers.features.COLUMNS, then the elementId, the id of the person it resolves to now and that
//          person's household's id (or nulls: re-runs keep person and household ids with them; read apart, a
//          row each, they took ~2 s of Python at 200k records). The driver's cost is per Bolt message and per
//          value, and a message per record with named columns cost it ~40% more Python CPU at 200k records.
//          Addresses, phones and identifiers as lists of values, not maps (a shape the reader can key by: the
//          members of a household read the same lists, see resolvers.features.SharedValues).
//          Each record's properties are read once (properties(r): each r.x walks the record's property chain
//          from its start) and its outgoing identifier relationships in one expansion, split by type here (a
//          pattern per type walked the record's relationships, SIMILAR_TO and RESOLVES_TO included, once
//          per type): at 200k records 3.2-3.4 s of server CPU instead of 4.3-4.7
// Parameters: $batch_size (records per result row)
MATCH (r:Record) WHERE r.stub IS NULL
WITH collect(r) AS records
UNWIND range(0, size(records) - 1, $batch_size) AS start
CALL (records, start) {
  UNWIND records[start..start + $batch_size] AS r
  WITH r, properties(r) AS p,
       [(r)-[x:HAS_ADDRESS|HAS_PHONE|HAS_EMAIL|HAS_IDENTIFIER|ATTENDS|RESOLVES_TO]->(o) | [type(x), x, o]] AS links
  WITH r, p, links, [t IN links WHERE t[0] = 'RESOLVES_TO' | t[2]][0] AS person
  RETURN collect([p.uid, p.source, p.given_norm, p.given_canon, p.given_groups, p.middle_norm, p.family_norm,
                  p.family_parts, p.family_phonetic, p.dob, p.sex,
                  p.recorded_at,
                  [t IN links WHERE t[0] = 'HAS_ADDRESS' AND (t[2].placeholder IS NULL OR NOT t[2].placeholder)
                     | [t[2].key, t[2].postcode, t[2].other_postcode, t[1].from, t[1].to, t[1].current]],
                  [t IN links WHERE t[0] = 'HAS_PHONE' | [t[2].e164, t[2].kind]],
                  [t IN links WHERE t[0] = 'HAS_EMAIL' | t[2].address],
                  [t IN links WHERE t[0] = 'HAS_IDENTIFIER' AND t[2].valid | [t[2].scheme, t[2].value]],
                  [t IN links WHERE t[0] = 'ATTENDS' | t[2].urn],
                  [(r)-[rel:RELATED]-(o:Record) | [o.uid, rel.type, startNode(rel) = r]],
                  p.street_address, p.unkeyed_postcodes, elementId(r),
                  person.id, [(person)-[:MEMBER_OF]->(h:Household) | h.id][0]]) AS batch
}
RETURN batch AS records
