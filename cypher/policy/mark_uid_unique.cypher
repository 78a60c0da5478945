// Purpose: one sharing mark (held-not-disclosed or owner-restricted) per record uid
// Parameters: none
CREATE CONSTRAINT sharing_mark_uid_unique IF NOT EXISTS FOR (m:SharingMark) REQUIRE m.uid IS UNIQUE
