"""Schema extensions: hardening rules (built once, so the validation cache keeps working) and redactions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import ASTValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from api.graphql.coordinates import operation_name, selected_coordinates

__all__ = ["AuditFieldsExtension", "RedactionsExtension", "hardening_extensions"]

_CACHE_SIZE = 1000


class RedactionsExtension(SchemaExtension):
    """Puts ``redactions`` (path, reason, rule, field for every withheld value) into the response extensions."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        scope = getattr(context, "scope", None)
        return {"redactions": list(scope.disclosure.redactions) if scope is not None else []}


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
        lambda: ValidationCache(maxsize=_CACHE_SIZE),
        RedactionsExtension,
        AuditFieldsExtension,
    ]
