"""The GraphQL types, one per module, each built from a domain view it keeps private."""
