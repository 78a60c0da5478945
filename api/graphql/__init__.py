"""The GraphQL schema: root types, one module per type under ``types/``, hardening extensions.

Public face: :func:`build_schema` and :func:`schema_sdl`.
"""

from api.graphql.schema import MashgraphSchema, build_schema, schema_sdl

__all__ = ["MashgraphSchema", "build_schema", "schema_sdl"]
