// Purpose: one audit chain head (the last sequence number and hash), whatever the number of API processes
// Parameters: none
CREATE CONSTRAINT audit_head_id_unique IF NOT EXISTS FOR (h:AuditHead) REQUIRE h.id IS UNIQUE
