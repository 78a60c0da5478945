"""Bearer-token authentication: who is asking (user, agency, role, clearances).

Tokens are OIDC-style JWTs. Only the configured algorithms are accepted, each only with a key of
its own kind (an HS256 token is never checked against an RSA public key: no algorithm confusion),
and ``iss``, ``aud``, ``exp``, ``iat`` and ``sub`` are required. Development signs and verifies with
a local HS256 key (``mashgraph token``); production verifies RS256/ES256 signatures with a public key
or a JWKS file from the identity provider and holds no signing key.

Claims: ``sub`` (user id), ``agency``, ``role`` (one role per token), optional ``clearances`` (list).
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from api.config import ApiSettings, dev_secret
from api.errors import Unauthenticated
from api.policy import Policy
from graph_model.errors import ConfigError

__all__ = ["Principal", "TokenVerifier", "UnknownToPolicy", "issue_dev_token"]

_RSA_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC_ALGS = frozenset({"ES256", "ES384", "ES512"})
_HMAC_ALGS = frozenset({"HS256", "HS384", "HS512"})
_REQUIRED = ["exp", "iat", "iss", "aud", "sub"]
_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller."""

    user: str
    agency: str
    role: str
    clearances: frozenset[str] = field(default_factory=frozenset)
    expires_at: float = 0.0


class UnknownToPolicy(Unauthenticated):
    """A validly signed token naming an agency or role the policy in force does not know."""

    def __init__(self, principal: Principal) -> None:
        super().__init__("the token names an agency or role the sharing policy does not know")
        self.principal = principal


def _claims_to_principal(claims: dict[str, Any]) -> Principal:
    problems = [name for name in ("sub", "agency", "role") if not isinstance(claims.get(name), str) or not claims[name]]
    if problems:
        raise Unauthenticated(f"the token lacks the claim(s) {', '.join(problems)}")
    clearances = claims.get("clearances") or []
    if not isinstance(clearances, list) or not all(isinstance(c, str) for c in clearances):
        raise Unauthenticated("the token's clearances claim must be a list of strings")
    return Principal(user=claims["sub"], agency=claims["agency"], role=claims["role"],
                     clearances=frozenset(clearances), expires_at=float(claims["exp"]))


class TokenVerifier:
    """Verifies bearer tokens against the configured keys. Build once; thread-safe for reads."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.algorithms = frozenset(settings.jwt_algorithms)
        self._hmac_key: str | None = None
        self._public_key: Any = None
        self._public_algorithms: frozenset[str] = frozenset()
        self._jwks: jwt.PyJWKSet | None = None
        self._cache: OrderedDict[tuple[str, str], Principal] = OrderedDict()
        if self.algorithms & _HMAC_ALGS:
            self._hmac_key = dev_secret(settings)
        if settings.jwt_public_key_file:
            try:
                key = load_pem_public_key(settings.jwt_public_key_file.read_bytes())
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot load the public key {settings.jwt_public_key_file}: {exc}") from exc
            if isinstance(key, rsa.RSAPublicKey):
                self._public_algorithms = self.algorithms & _RSA_ALGS
            elif isinstance(key, ec.EllipticCurvePublicKey):
                self._public_algorithms = self.algorithms & _EC_ALGS
            else:
                raise ConfigError("the public key must be an RSA or EC key")
            if not self._public_algorithms:
                raise ConfigError(f"no accepted algorithm fits the {type(key).__name__} public key "
                                  f"(MASHGRAPH_JWT_ALGORITHMS={','.join(sorted(self.algorithms))})")
            self._public_key = key
        if settings.jwt_jwks_file:
            try:
                self._jwks = jwt.PyJWKSet.from_json(settings.jwt_jwks_file.read_text(encoding="utf-8"))
            except (OSError, ValueError, jwt.PyJWTError) as exc:
                raise ConfigError(f"cannot load the JWKS file {settings.jwt_jwks_file}: {exc}") from exc

    def verify(self, token: str, policy: Policy | None = None) -> Principal:
        """The caller named by a valid token; :class:`Unauthenticated` otherwise (message safe to show).

        With a ``policy``, the token's agency and role must also be ones it knows. The outcome is cached
        under the policy's digest with the token: a policy change (a reload) starts from a fresh check,
        so no token admitted under an old policy stays admitted under a new one.
        """
        now = time.time()
        key = (policy.digest if policy is not None else "", token)
        cached = self._cache.get(key)
        if cached is not None and cached.expires_at + self.settings.jwt_leeway > now:
            self._cache.move_to_end(key)
            return cached
        principal = self._verify(token)
        if policy is not None and (principal.agency not in policy.agencies or principal.role not in policy.roles):
            raise UnknownToPolicy(principal)
        self._cache[key] = principal
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return principal

    def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("the bearer token is malformed") from exc
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise Unauthenticated("the token's signing algorithm is not accepted")
        key: Any
        if algorithm in _HMAC_ALGS:
            key = self._hmac_key
        elif self._jwks is not None and header.get("kid"):
            try:
                jwk = self._jwks[str(header["kid"])]
            except KeyError:
                raise Unauthenticated("the token's key id is unknown") from None
            if jwk.algorithm_name and jwk.algorithm_name != algorithm:
                raise Unauthenticated("the token's algorithm does not match its key")
            key = jwk.key
            expected = _RSA_ALGS if isinstance(key, rsa.RSAPublicKey) else _EC_ALGS
            if algorithm not in expected:
                raise Unauthenticated("the token's algorithm does not match its key")
        elif algorithm in self._public_algorithms:
            key = self._public_key
        else:
            raise Unauthenticated("no key is configured for the token's algorithm")
        if key is None:
            raise Unauthenticated("no key is configured for the token's algorithm")
        try:
            claims = jwt.decode(token, key, algorithms=[algorithm], audience=self.settings.jwt_audience,
                                issuer=self.settings.jwt_issuer, leeway=self.settings.jwt_leeway,
                                options={"require": _REQUIRED})
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated("the token is for another audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("the token is from an unknown issuer") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"the token lacks the {exc.claim} claim") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("the token's signature or claims are invalid") from exc
        return _claims_to_principal(claims)


def issue_dev_token(settings: ApiSettings, *, user: str, agency: str, role: str, ttl: int = 3600,
                    clearances: list[str] | None = None, now: float | None = None) -> str:
    """A token signed with the development HS256 key (``mashgraph token``). Development mode only."""
    if ttl < 1:
        raise ConfigError("--ttl must be at least one second")
    secret = dev_secret(settings)
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {"sub": user, "agency": agency, "role": role, "iss": settings.jwt_issuer,
                              "aud": settings.jwt_audience, "iat": issued, "exp": issued + ttl,
                              "jti": uuid.uuid4().hex}
    if clearances:
        claims["clearances"] = list(clearances)
    return jwt.encode(claims, secret, algorithm="HS256")

