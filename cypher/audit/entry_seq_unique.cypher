// Purpose: audit entries are numbered once each (the chain order), and looked up by number
// Parameters: none
CREATE CONSTRAINT audit_entry_seq_unique IF NOT EXISTS FOR (e:AuditEntry) REQUIRE e.seq IS UNIQUE
