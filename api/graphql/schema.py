"""Building the schema: types, hardening extensions, and error logging without personal values."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any, cast

import strawberry
from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionContext
from strawberry.types.field import StrawberryField

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


class AcyclicExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context without its reference cycle.

    graphql-core gives resolvers helpers that are bound methods of the executor, and the executor keeps them: a
    cycle, so every finished request (its executor, field plans, context, loaders and views: ~250 objects) waited
    for the cyclic garbage collector, which then took about a third of the API's CPU. The helpers here refer to
    the executor weakly; it is alive for as long as resolvers can call them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gather = weakref.WeakMethod(self.gather_async_work)
        track = weakref.WeakMethod(self.track_async_work)

        def gather_async_work(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
            return cast(Any, gather())(values)

        def track_async_work(values: Sequence[Any]) -> None:
            cast(Any, track())(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather_async_work, track=track_async_work)


def _direct_resolver(field: StrawberryField, info_class: type[strawberry.Info]) -> Any:
    """A graphql-core resolver calling the method behind ``field`` directly, or None when strawberry's own is needed.

    For a sync method of ``self`` (and ``info``) without arguments, field extensions or permission classes, strawberry's
    resolver converts no arguments, chains no extensions and then calls ``method(source, info=Info(...))``: the same
    call, made here without the per-call argument conversion, closures and partials (most of a single view's ~20
    resolver calls are of this kind: a person's and each record's disclosed values).
    """
    resolver = field.base_resolver
    if (resolver is None or field.extensions or field.permission_classes or field.arguments or resolver.is_async
            or resolver.self_parameter is None or resolver.root_parameter is not None
            or resolver.parent_parameter is not None):
        return None
    expected = {resolver.self_parameter.name} | ({resolver.info_parameter.name} if resolver.info_parameter else set())
    if set(resolver.signature.parameters) != expected:
        return None
    method: Any = resolver.wrapped_func
    if resolver.info_parameter is None:
        return lambda source, _info: method(source)
    name = resolver.info_parameter.name

    def resolve(source: Any, info: GraphQLResolveInfo) -> Any:
        return method(source, **{name: info_class(_raw_info=info, _field=field)})

    return resolve


class MashgraphSchema(strawberry.Schema):
    def __init__(self, *args: Any, direct_resolvers: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Exception handlers are matched in strawberry's own resolvers: none here, but keep them working if added.
        if not direct_resolvers or self.schema_converter._exception_handler_specs:
            return
        for graphql_type in self._schema.type_map.values():
            if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
                continue
            for graphql_field in graphql_type.fields.values():
                field = graphql_field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
                if isinstance(field, StrawberryField):
                    direct = _direct_resolver(field, self.config.info_class)
                    if direct is not None:
                        graphql_field.resolve = direct

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


def build_schema(settings: ApiSettings, *, direct_resolvers: bool = True) -> MashgraphSchema:
    """The schema for these settings (introspection only in development mode); ``direct_resolvers=False`` keeps
    strawberry's own resolver for every field (tests compare the two)."""
    return MashgraphSchema(
        query=Query, mutation=Mutation, types=[Person, Household, Record, ErrorCode, RedactionReason],
        extensions=hardening_extensions(max_depth=settings.max_depth, max_aliases=settings.max_aliases,
                                        max_tokens=settings.max_tokens, introspection=settings.development),
        config=StrawberryConfig(scalar_map=cast(dict[object, Any], SCALARS)),
        execution_context_class=AcyclicExecutionContext, direct_resolvers=direct_resolvers,
    )


def schema_sdl() -> str:
    """The schema's SDL as committed in schema.graphql (the same in every mode)."""
    return build_schema(ApiSettings(mode="development")).as_str() + "\n"
