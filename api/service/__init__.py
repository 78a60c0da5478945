"""The service layer between resolvers and the graph: per-request scope and loaders, the policy applied to
people, records and households (views), search, networks and governance operations. Every value that leaves
it has been through the policy decision point."""

from api.service.scope import Disclosure, RequestScope, Services

__all__ = ["Disclosure", "RequestScope", "Services"]
