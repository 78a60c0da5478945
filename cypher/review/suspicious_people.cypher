// Purpose: people whose cluster looks wrong: several valid NHS numbers (or UPNs, PNC ids), or an adult
//          linked to several households; ordered by impact (records and agencies involved), with each
//          record's source and sharing mark (who may see them)
// Parameters: $skip, $limit
MATCH (p:Person {status: 'active'})
OPTIONAL MATCH (p)<-[:RESOLVES_TO]-(:Record)-[:HAS_IDENTIFIER]->(i:Identifier)
WHERE i.valid AND i.scheme IN ['nhs_number', 'upn', 'pnc_id']
WITH p, i.scheme AS scheme, count(DISTINCT i) AS values
WITH p, [x IN collect([scheme, values]) WHERE x[1] > 1 | 'several_' + x[0]] AS identifier_flags
WITH p, identifier_flags + coalesce(p.flags, []) AS reasons
WHERE size(reasons) > 0
RETURN p.id AS person_id, reasons, p.record_count AS records, size(p.sources) AS agencies,
       p.record_count + size(p.sources) * 2 AS impact,
       [(p)<-[:RESOLVES_TO]-(r:Record) | [r.source, [(r)<-[:MARKS]-(m:SharingMark) | m.kind][0]]] AS seen_as
ORDER BY impact DESC, person_id
SKIP $skip LIMIT $limit
