"""Schema extensions: hardening rules (built once, so the validation cache keeps working) and the audit's fields."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

from graphql import ASTValidationRule, GraphQLError, GraphQLSchema
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

from api.graphql.coordinates import operation_name, selected_coordinates

__all__ = ["AuditFieldsExtension", "QueryValidationCache", "hardening_extensions"]

_CACHE_SIZE = 1000

_ValidationKey = tuple[GraphQLSchema, str, tuple[type[ASTValidationRule], ...]]
_VALIDATED: OrderedDict[_ValidationKey, list[GraphQLError]] = OrderedDict()


class QueryValidationCache(SchemaExtension):
    """Strawberry's ValidationCache, keyed by the query text instead of the parsed document.

    The document comes from the parser cache, so it is the same object for the same text, but graphql-core 3.3's
    AST nodes are frozen dataclasses whose hash walks the whole tree every time: 25 us a single view's document
    (of ~1.3 ms of API CPU a request), to find the answer cached under it. The text's hash is cached by Python.
    Every validation rule still runs, once per distinct (schema, text, rules); the errors are the same.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.query is not None:
            key = (context.schema._schema, context.query, tuple(context.validation_rules))
            errors = _VALIDATED.get(key)
            if errors is None:
                errors = _VALIDATED[key] = validate_document(key[0], document, key[2])
                if len(_VALIDATED) > _CACHE_SIZE:
                    _VALIDATED.popitem(last=False)
            else:  # least recently used first out, as strawberry's ValidationCache (an lru_cache) evicted
                _VALIDATED.move_to_end(key)
            context.pre_execution_errors = errors
        yield


class AuditFieldsExtension(SchemaExtension):
    """Notes for the audit entry which operation runs and which fields it selects (valid documents only)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        scope = getattr(context.context, "scope", None)
        if scope is not None and context.graphql_document is not None:
            scope.disclosure.fields = set(selected_coordinates(context.schema._schema, context.graphql_document,
                                                                   context.query))
            scope.disclosure.operation = operation_name(context.graphql_document, context.operation_name)
        yield


def hardening_extensions(*, max_depth: int, max_aliases: int, max_tokens: int,
                         introspection: bool) -> list[Callable[[], SchemaExtension]]:
    """Factories for per-request extension instances (instances must not be shared between requests).

    The validation rules are created here once: the validation cache is keyed by the rule classes,
    so rules made per request would never hit it.
    """
    rules: list[type[ASTValidationRule]] = [depth_rule(max_depth, None), alias_rule(max_aliases)]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    frozen_rules = list(rules)
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: AddValidationRules(frozen_rules),
        lambda: ParserCache(maxsize=_CACHE_SIZE),
        QueryValidationCache,
        # extensions.redactions is written by api.execution from the request's disclosure (no extension needed).
        AuditFieldsExtension,
    ]
