// Purpose: store a steward's must-link or cannot-link constraint between two records, with who, why and when;
//          every constraint of one steward action (a split stores several) carries the action's id and kind
// Parameters: $id, $kind, $a, $b, $reason, $user, $agency, $decision (the action's id), $action (its kind)
MATCH (a:Record {uid: $a}), (b:Record {uid: $b})
CREATE (d:StewardDecision {id: $id, kind: $kind, reason: $reason, user: $user, agency: $agency,
                           at: datetime(), active: true, decision: $decision, action: $action})
CREATE (d)-[:ABOUT]->(a), (d)-[:ABOUT]->(b)
RETURN d.id AS id
