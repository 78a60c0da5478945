// Purpose: addresses are shared nodes, one per normalised address key
// Parameters: none
CREATE CONSTRAINT address_key_unique IF NOT EXISTS FOR (a:Address) REQUIRE a.key IS UNIQUE
