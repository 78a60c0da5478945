"""The schema coordinates (Type.field) a document selects: the "fields returned" of an audit entry."""

from __future__ import annotations

from collections import OrderedDict

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode, TypeInfo, TypeInfoVisitor, Visitor, visit

__all__ = ["operation_name", "selected_coordinates"]


_CACHE: OrderedDict[tuple[int, str], frozenset[str]] = OrderedDict()
_CACHE_SIZE = 2000


def _coordinates(schema: GraphQLSchema, document: DocumentNode) -> frozenset[str]:
    type_info = TypeInfo(schema)
    found: set[str] = set()

    class Collect(Visitor):
        def enter_field(self, node, *_args):  # type: ignore[no-untyped-def]
            parent = type_info.get_parent_type()
            if parent is not None and not node.name.value.startswith("__"):
                found.add(f"{parent.name}.{node.name.value}")

    visit(document, TypeInfoVisitor(type_info, Collect()))
    return frozenset(found)


def selected_coordinates(schema: GraphQLSchema, document: DocumentNode, query: str | None) -> frozenset[str]:
    """Every Type.field the document selects (fragments included). Cached by query text."""
    if query is None:
        return _coordinates(schema, document)
    key = (id(schema), query)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = _coordinates(schema, document)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def operation_name(document: DocumentNode, requested: str | None) -> str:
    """The name of the operation that runs ('' for an anonymous one)."""
    if requested:
        return requested
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) == 1 and operations[0].name is not None:
        return operations[0].name.value
    return ""
