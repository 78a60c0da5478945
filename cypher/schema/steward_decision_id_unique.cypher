// Purpose: steward decisions (must-link / cannot-link) are nodes with unique ids, so they can be revoked and audited
// Parameters: none
CREATE CONSTRAINT steward_decision_id_unique IF NOT EXISTS FOR (d:StewardDecision) REQUIRE d.id IS UNIQUE
