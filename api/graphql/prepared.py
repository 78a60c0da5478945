"""Operations prepared once per query text: parsed (token limit), validated (depth, alias and introspection rules
with graphql-core's own), with the audit's selected fields and operation name.

Everything here depends only on the query text and the operation name, never on the caller, the variables or the
data, so it is worked out once per distinct (text, operation name) and kept (least recently used out). Strawberry's
``Schema.execute`` redid the bookkeeping around the same work for every request (five schema extensions built and
entered as context managers around parse, validation and execution, an execution context, a middleware manager),
only to find the parsed and validated document in caches: ~8% of a worker's CPU a single view.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

from api.graphql.coordinates import operation_name, selected_coordinates

__all__ = ["Hardening", "PreparedOperation", "PreparedOperations"]

_CACHE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Hardening:
    """The document limits: at most ``max_tokens`` tokens (checked while parsing, so a huge document is never
    built) and the validation rules (graphql-core's specified rules, strawberry's depth and alias limiters, and no
    introspection outside development). The rules are made once: they are part of the validation's identity."""

    max_tokens: int
    rules: tuple[type[ASTValidationRule], ...]

    @classmethod
    def of(cls, *, max_depth: int, max_aliases: int, max_tokens: int, introspection: bool) -> Hardening:
        rules: list[type[ASTValidationRule]] = [*specified_rules, depth_rule(max_depth, None), alias_rule(max_aliases)]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        return cls(max_tokens=max_tokens, rules=tuple(rules))


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    """One (query text, operation name), ready to execute when ``errors`` is empty and ``operation_type`` is set.

    ``parse_errors``: the text does not parse (or has too many tokens): nothing else was worked out.
    ``operation_type``: None when the operation name names no operation of the document.
    ``errors``: validation errors (limits included); the document is not executed."""

    document: DocumentNode | None
    parse_errors: Sequence[GraphQLError]
    operation_type: OperationType | None
    errors: Sequence[GraphQLError]
    fields: frozenset[str]
    operation: str


class PreparedOperations:
    """A bounded cache of prepared operations for one schema and one set of limits."""

    def __init__(self, schema: GraphQLSchema, hardening: Hardening, size: int = _CACHE_SIZE) -> None:
        self.schema = schema
        self.hardening = hardening
        self.size = size
        self._prepared: OrderedDict[tuple[str, str | None], PreparedOperation] = OrderedDict()

    def get(self, query: str, requested_operation: str | None) -> PreparedOperation:
        key = (query, requested_operation)
        prepared = self._prepared.get(key)
        if prepared is not None:
            self._prepared.move_to_end(key)
            return prepared
        prepared = self._prepared[key] = self._prepare(query, requested_operation)
        if len(self._prepared) > self.size:
            self._prepared.popitem(last=False)
        return prepared

    def _prepare(self, query: str, requested_operation: str | None) -> PreparedOperation:
        # A kept error keeps no traceback: its frames would hold on to the request that first sent the text.
        try:
            document = parse(query, max_tokens=self.hardening.max_tokens)
        except GraphQLError as error:
            return PreparedOperation(None, (error.with_traceback(None),), None, (), frozenset(), "")
        except Exception as error:  # as strawberry: any parser failure is the document's error
            kept = GraphQLError(str(error), original_error=error.with_traceback(None))
            return PreparedOperation(None, (kept,), None, (), frozenset(), "")
        try:
            operation_type: OperationType | None = get_operation_type(document, requested_operation)
        except RuntimeError:
            operation_type = None
        errors = validate_document(self.schema, document, self.hardening.rules)
        fields = selected_coordinates(self.schema, document, None) if not errors else frozenset()
        return PreparedOperation(document, (), operation_type, tuple(errors), fields,
                                 operation_name(document, requested_operation))
