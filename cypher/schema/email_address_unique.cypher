// Purpose: emails are shared nodes, one per lower-cased address
// Parameters: none
CREATE CONSTRAINT email_address_unique IF NOT EXISTS FOR (e:Email) REQUIRE e.address IS UNIQUE
