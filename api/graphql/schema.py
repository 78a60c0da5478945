"""Building the schema: types, execution through prepared operations, and error logging without personal values."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any, cast

import strawberry
from graphql import ExecutionResult, GraphQLError, GraphQLObjectType, GraphQLResolveInfo, execute
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.exceptions import MissingQueryError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES, StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionContext
from strawberry.types.field import StrawberryField
from strawberry.types.graphql import OperationType

from api.config import ApiSettings
from api.graphql.mutation import Mutation
from api.graphql.prepared import Hardening, PreparedOperations
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


def _direct_resolver(field: StrawberryField, info_class: type[strawberry.Info], default_resolver: Any = getattr) -> Any:
    """A graphql-core resolver calling the method behind ``field`` directly, or None when strawberry's own is needed.

    For a method of ``self`` (and ``info``) without arguments, field extensions or permission classes, strawberry's
    resolver converts no arguments, chains no extensions and then calls ``method(source, info=Info(...))`` (awaiting
    it, for an async method): the same call, made here without the per-call argument conversion, closures and
    partials; graphql-core awaits what an async method returns (most of a single view's ~20 resolver calls are of
    this kind: a person's and each record's disclosed values, the household).

    A field without a resolver (a plain attribute), extensions or permission classes is read as strawberry's default
    resolver reads it (``getattr``), without the two calls strawberry's wrapper makes around it.
    """
    resolver = field.base_resolver
    if resolver is None:
        if field.extensions or field.permission_classes or field.arguments or default_resolver is not getattr:
            return None
        attribute = field.python_name
        return lambda source, _info: getattr(source, attribute)
    if (field.extensions or field.permission_classes or field.arguments or resolver.self_parameter is None
            or resolver.root_parameter is not None or resolver.parent_parameter is not None):
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
    """Strawberry's schema, executing through documents prepared once per query text (api/graphql/prepared.py)."""

    def __init__(self, *args: Any, hardening: Hardening, direct_resolvers: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared = PreparedOperations(self._schema, hardening)
        # Exception handlers are matched in strawberry's own resolvers: none here, but keep them working if added.
        if not direct_resolvers or self.schema_converter._exception_handler_specs:
            return
        for graphql_type in self._schema.type_map.values():
            if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
                continue
            for graphql_field in graphql_type.fields.values():
                field = graphql_field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
                if isinstance(field, StrawberryField):
                    direct = _direct_resolver(field, self.config.info_class, self.config.default_resolver)
                    if direct is not None:
                        graphql_field.resolve = direct

    async def execute(  # type: ignore[override]
            self, query: str | None, variable_values: dict[str, Any] | None = None, context_value: Any | None = None,
            root_value: Any | None = None, operation_name: str | None = None,
            allowed_operation_types: Iterable[OperationType] | None = None,
            operation_extensions: dict[str, Any] | None = None) -> ExecutionResult:
        """Strawberry's steps in its order (no query; parse errors; an operation name naming nothing; an operation
        type not allowed; validation errors; execution), with what depends only on the text prepared once.

        A valid document notes for the audit entry which operation runs and which fields it selects."""
        if not query:
            raise MissingQueryError
        prepared = self.prepared.get(query, operation_name)
        if prepared.parse_errors:
            self.log_errors(prepared.parse_errors, context_value)
            return ExecutionResult(data=None, errors=list(prepared.parse_errors))
        if prepared.operation_type is None:
            raise CannotGetOperationTypeError(operation_name)
        allowed = DEFAULT_ALLOWED_OPERATION_TYPES if allowed_operation_types is None else allowed_operation_types
        if prepared.operation_type not in allowed:
            raise InvalidOperationTypeError(prepared.operation_type)
        if prepared.errors:
            return ExecutionResult(data=None, errors=list(prepared.errors))
        assert prepared.document is not None
        scope = getattr(context_value, "scope", None)
        if scope is not None:
            scope.disclosure.fields = set(prepared.fields)
            scope.disclosure.operation = prepared.operation
        result = execute(self._schema, prepared.document, root_value, context_value, variable_values, operation_name,
                         executor_class=self.execution_context_class,
                         is_awaitable=cast(Any, optimized_is_awaitable),
                         operation_extensions=operation_extensions)
        if optimized_is_awaitable(result):
            result = await cast(Awaitable[ExecutionResult], result)
        result = cast(ExecutionResult, result)
        if result.errors:
            self.log_errors(result.errors, context_value)
        return result

    def execute_sync(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the API executes operations asynchronously, through MashgraphSchema.execute")

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        self.log_errors(errors, execution_context.context if execution_context else None)

    def log_errors(self, errors: Sequence[GraphQLError], context: Any) -> None:
        """Log errors by type and request id only: messages may echo a caller's variables (personal values)."""
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
        hardening=Hardening.of(max_depth=settings.max_depth, max_aliases=settings.max_aliases,
                               max_tokens=settings.max_tokens, introspection=settings.development),
        config=StrawberryConfig(scalar_map=cast(dict[object, Any], SCALARS)),
        execution_context_class=AcyclicExecutionContext, direct_resolvers=direct_resolvers,
    )


def schema_sdl() -> str:
    """The schema's SDL as committed in schema.graphql (the same in every mode)."""
    return build_schema(ApiSettings(mode="development")).as_str() + "\n"
