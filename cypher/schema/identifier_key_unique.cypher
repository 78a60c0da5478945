// Purpose: identifiers (NHS number, UPN, PNC id, UPRN...) are shared nodes keyed "<scheme>:<value>"
// Parameters: none
CREATE CONSTRAINT identifier_key_unique IF NOT EXISTS FOR (i:Identifier) REQUIRE i.key IS UNIQUE
