// Purpose: the stored values of the given records, to show two records side by side for review
// Parameters: $uids
MATCH (r:Record) WHERE r.uid IN $uids
RETURN r.uid AS uid, r.source AS source, r.source_id AS source_id, r.given_name AS given_name,
       r.middle_names AS middle_names, r.family_name AS family_name, r.dob AS dob, r.sex AS sex,
       [(r)-[:HAS_ADDRESS]->(a:Address) | a.display] AS addresses,
       [(r)-[:HAS_PHONE]->(p:Phone) | p.e164] AS phones,
       [(r)-[:HAS_IDENTIFIER]->(i:Identifier) | i.scheme + ':' + i.value] AS identifiers,
       r.recorded_at AS recorded_at
