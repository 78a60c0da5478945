// Purpose: one (:Record) per agency record; uid is "<source>:<source_id>" (upsert key)
// Parameters: none
CREATE CONSTRAINT record_uid_unique IF NOT EXISTS FOR (r:Record) REQUIRE r.uid IS UNIQUE
