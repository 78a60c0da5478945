// Purpose: the lock node real-time resolutions serialise on is unique, so concurrent MERGEs cannot
//          create two (ensure_schema also creates it up front)
// Parameters: none
CREATE CONSTRAINT resolve_lock_unique IF NOT EXISTS FOR (l:ResolveLock) REQUIRE l.name IS UNIQUE
