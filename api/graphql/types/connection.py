"""Relay connections (``edges { cursor node }``, ``pageInfo``, ``totalCount``) and the paging they share.

Cursors are opaque. ``first`` is capped by the server (``MASHGRAPH_MAX_PAGE_SIZE``); asking for more is an
``INVALID_ARGUMENT`` error rather than a silently shorter page. Totals count only what the caller may see.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from api.errors import InvalidArgument
from api.graphql.types.page_info import PageInfo

__all__ = ["Connection", "Edge", "connection_from_slice", "page_window", "paginate"]

T = TypeVar("T")
S = TypeVar("S")
_PREFIX = "cursor:"


@strawberry.type(description="One item of a page, with the cursor to continue after it.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list that can grow.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many items the caller may see in the whole list.")


def encode_cursor(offset: int, prefix: str = _PREFIX) -> str:
    return base64.urlsafe_b64encode(f"{prefix}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, prefix: str = _PREFIX) -> int:
    """The position in a cursor this API issued with ``prefix`` (an offset; a journal position for changes)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(prefix):
            raise ValueError
        offset = int(text[len(prefix):])
        if offset < 0:
            raise ValueError
    except ValueError:
        raise InvalidArgument("the cursor is not one this API issued") from None
    return offset


def page_window(first: int | None, after: str | None, max_page_size: int, default: int) -> tuple[int, int]:
    """(offset, size) for ``first``/``after``, validated against the cap."""
    size = default if first is None else first
    if size < 0:
        raise InvalidArgument("first must not be negative")
    if size > max_page_size:
        raise InvalidArgument(f"first must be at most {max_page_size}")
    offset = decode_cursor(after) + 1 if after else 0
    return offset, size


def paginate(items: Sequence[S], first: int | None, after: str | None, max_page_size: int,
             build: Callable[[S], T], *, default: int = 20) -> Connection[T]:
    """One page of an already-filtered, deterministically ordered list."""
    offset, size = page_window(first, after, max_page_size, default)
    window = items[offset:offset + size]
    edges = [Edge(cursor=encode_cursor(offset + i), node=build(item)) for i, item in enumerate(window)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=offset + len(window) < len(items), has_previous_page=offset > 0,
                           start_cursor=edges[0].cursor if edges else None,
                           end_cursor=edges[-1].cursor if edges else None),
        total_count=len(items),
    )


def connection_from_slice(items: Sequence[S], offset: int, total: int, build: Callable[[S], T]) -> Connection[T]:
    """A page the database already cut (``offset`` into a list of ``total`` items)."""
    edges = [Edge(cursor=encode_cursor(offset + i), node=build(item)) for i, item in enumerate(items)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=offset + len(items) < total, has_previous_page=offset > 0,
                           start_cursor=edges[0].cursor if edges else None,
                           end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )
