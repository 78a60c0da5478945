// Purpose: store a steward's must-link or cannot-link decision between two records, with who, why and when
// Parameters: $id, $kind, $a, $b, $reason, $user, $agency
MATCH (a:Record {uid: $a}), (b:Record {uid: $b})
CREATE (d:StewardDecision {id: $id, kind: $kind, reason: $reason, user: $user, agency: $agency,
                           at: datetime(), active: true})
CREATE (d)-[:ABOUT]->(a), (d)-[:ABOUT]->(b)
RETURN d.id AS id
