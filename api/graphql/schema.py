"""Building the schema: types, hardening extensions, and error logging without personal values."""

from __future__ import annotations

import logging
from typing import Any, cast

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.config import ApiSettings
from api.graphql.extensions import hardening_extensions
from api.graphql.mutation import Mutation
from api.graphql.query import Query
from api.graphql.scalars import SCALARS
from api.graphql.types.error_code import ErrorCode
from api.graphql.types.household import Household
from api.graphql.types.person import Person
from api.graphql.types.record import Record
from api.graphql.types.redaction_reason import RedactionReason

__all__ = ["MashgraphSchema", "build_schema"]

log = logging.getLogger("mashgraph.api")


class MashgraphSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log errors by type and request id only: messages may echo a caller's variables (personal values)."""
        context: Any = execution_context.context if execution_context else None
        scope = getattr(context, "scope", None)
        request_id = scope.request_id if scope is not None else "-"
        for error in errors:
            original = error.original_error
            if original is None:
                continue  # parse and validation errors: the client's own document
            from api.errors import ApiError

            if isinstance(original, ApiError):
                continue
            log.error("unexpected %s in request %s at %s", type(original).__name__, request_id,
                      ".".join(str(p) for p in error.path or ()), exc_info=(type(original), original,
                                                                               original.__traceback__))


def build_schema(settings: ApiSettings) -> MashgraphSchema:
    """The schema for these settings (introspection only in development mode)."""
    return MashgraphSchema(
        query=Query, mutation=Mutation, types=[Person, Household, Record, ErrorCode, RedactionReason],
        extensions=hardening_extensions(max_depth=settings.max_depth, max_aliases=settings.max_aliases,
                                        max_tokens=settings.max_tokens, introspection=settings.development),
        config=StrawberryConfig(scalar_map=cast(dict[object, Any], SCALARS)),
    )


def schema_sdl() -> str:
    """The schema's SDL as committed in schema.graphql (the same in every mode)."""
    return build_schema(ApiSettings(mode="development")).as_str() + "\n"
