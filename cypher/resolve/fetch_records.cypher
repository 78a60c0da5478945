// Purpose: every (non-stub) record with the features resolution compares, in one pass; identifiers
//          only when valid, addresses only when not placeholders (with the street and postcodes of addresses
//          that have no dwelling key)
//          and the record's elementId (the full resolve's writes find each record by it: a seek, where a
//          lookup by uid in a write transaction is a locking unique-index seek with a fresh index reader).
//          Records come $batch_size to a result row, each as a list of values in the order of
//          resolvers.features.COLUMNS then the elementId: the driver's cost is per Bolt message and per
//          value, and a message per record with named columns cost it ~40% more Python CPU at 200k records
// Parameters: $batch_size (records per result row)
MATCH (r:Record) WHERE r.stub IS NULL
WITH collect(r) AS records
UNWIND range(0, size(records) - 1, $batch_size) AS start
RETURN [r IN records[start..start + $batch_size] |
        [r.uid, r.source, r.given_name, r.family_name, r.given_norm, r.given_canon,
         r.given_groups, r.middle_norm, r.family_norm,
         r.family_parts, r.family_phonetic, r.dob, r.sex,
         r.recorded_at,
         [(r)-[h:HAS_ADDRESS]->(a:Address) WHERE a.placeholder IS NULL OR NOT a.placeholder
            | {key: a.key, postcode: a.postcode, other_postcode: a.other_postcode, from: h.from, to: h.to, current: h.current}],
         [(r)-[:HAS_PHONE]->(p:Phone) | [p.e164, p.kind]],
         [(r)-[:HAS_EMAIL]->(e:Email) | e.address],
         [(r)-[:HAS_IDENTIFIER]->(i:Identifier) WHERE i.valid | [i.scheme, i.value]],
         [(r)-[:ATTENDS]->(s:School) | s.urn],
         [(r)-[rel:RELATED]-(o:Record) | [o.uid, rel.type, startNode(rel) = r]],
         r.street_address, r.unkeyed_postcodes, elementId(r)]] AS records
