"""The typed GraphQL context: the request's scope, and how resolvers report what they withhold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from strawberry.types import Info as StrawberryInfo

from api.service.scope import RequestScope
from api.service.views import Withheld

__all__ = ["AppContext", "Info", "disclose"]

T = TypeVar("T")


@dataclass
class AppContext:
    """Per request: never shared between users (its loaders cache what one caller may see)."""

    scope: RequestScope


Info: TypeAlias = StrawberryInfo[AppContext, None]


def disclose(info: Info, value: T | Withheld, field_name: str) -> T | None:
    """The value, or None with the redaction (path, reason, rule) listed in ``extensions.redactions``."""
    if isinstance(value, Withheld):
        info.context.scope.disclosure.redact(info.path.as_list(), value, field_name)
        return None
    return value
