// Purpose: index Address.postcode so that searchPeople finds candidates without scanning every address
// Parameters: none
CREATE INDEX api_address_postcode IF NOT EXISTS FOR (n:Address) ON (n.postcode)
