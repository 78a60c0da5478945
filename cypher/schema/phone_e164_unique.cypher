// Purpose: phones are shared nodes, one per E.164 number
// Parameters: none
CREATE CONSTRAINT phone_e164_unique IF NOT EXISTS FOR (p:Phone) REQUIRE p.e164 IS UNIQUE
