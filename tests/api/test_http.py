"""Through real HTTP: uvicorn on 127.0.0.1 with a random free port, the real Neo4j, real tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from neo4j import Driver

from api.auth import Principal, issue_dev_token
from api.config import ApiSettings
from api.execution import execute_operation
from api.policy import load_policy
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded

SHIPPED_VERSION = load_policy().version  # the shipped policy's, whatever it is now

PERSON = "query One($id: ID!) { person(id: $id) { id givenName familyName } }"


def test_health_and_readiness(api: ApiServer) -> None:
    health = api.http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = api.http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "policyVersion": SHIPPED_VERSION}


def test_a_permitted_request(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    response = api.post(PERSON, token=api.token(agency="police", role="practitioner"), purpose="s47_enquiry",
                        variables={"id": ava})
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["person"] == {"id": ava, "givenName": "Ava", "familyName": "Khan"}
    assert body["extensions"]["requestId"] == response.headers["x-request-id"]
    assert body["extensions"]["policyVersion"] == SHIPPED_VERSION and body["extensions"]["redactions"] == []
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"].startswith("application/json")


def test_the_graphql_endpoint_answers_in_full_outside_starlettes_route(api: ApiServer, seeded: Seeded) -> None:
    # POST /graphql is answered by api.app.GraphQLEndpoint without Starlette's request and response objects: every
    # header the responses carried before, a chunked body read whole, the first of repeated headers used.
    token = api.token(agency="police", role="practitioner")
    ava = seeded.person("health:H-AVA")
    body = json.dumps({"query": PERSON, "variables": {"id": ava}}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 7):
            yield body[start:start + 7]

    response = api.http.post("/graphql", content=chunks(), headers={
        "content-type": "application/json", "authorization": f"Bearer {token}", "x-purpose": "s47_enquiry"})
    assert response.status_code == 200 and response.json()["data"]["person"]["givenName"] == "Ava"
    assert "content-length" in response.headers and "transfer-encoding" not in response.headers
    expected = {"cache-control": "no-store", "pragma": "no-cache", "x-content-type-options": "nosniff",
                "x-frame-options": "DENY", "referrer-policy": "no-referrer",
                "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
                "content-type": "application/json"}
    assert {k: response.headers[k] for k in expected} == expected
    assert len(response.headers["x-request-id"]) == 32
    repeated = api.http.post("/graphql", content=body, headers=[
        ("content-type", "application/json"), ("authorization", f"Bearer {token}"), ("x-purpose", "s47_enquiry"),
        ("x-purpose", "curiosity")])
    assert repeated.status_code == 200
    assert api.http.put("/graphql", content=body).status_code == 405  # other methods: Starlette's route, as before


def test_an_unexpected_failure_outside_execution_is_a_masked_500(api: ApiServer, seeded: Seeded,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    class BrokenVerifier:
        def verify(self, token: str, policy: object) -> Principal:
            raise RuntimeError("Ava Khan")  # a message that must not reach the caller

    verifier = api.app.state.verifier
    api.app.state.verifier = BrokenVerifier()
    try:
        with caplog.at_level(logging.ERROR, logger="mashgraph.api"):
            response = api.post(PERSON, token=api.token(agency="police", role="practitioner"), purpose="s47_enquiry",
                                variables={"id": seeded.person("health:H-AVA")})
    finally:
        api.app.state.verifier = verifier
    request_id = response.headers["x-request-id"]
    assert response.status_code == 500 and response.headers["cache-control"] == "no-store"
    assert response.json()["errors"][0] == {"message": f"internal error (request id {request_id})",
                                            "extensions": {"code": "INTERNAL", "requestId": request_id}}
    assert "Ava" not in response.text
    assert any(request_id in record.getMessage() for record in caplog.records)


def _expect_401(api: ApiServer, token: str | None, headers: dict[str, str] | None = None) -> None:
    response = api.post(PERSON, token=token, purpose="s47_enquiry", variables={"id": "per_0000000000000000"},
                        headers=headers)
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" and "data" not in body
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_no_or_bad_token_is_401(api: ApiServer, api_settings: ApiSettings) -> None:
    now = time.time()
    claims = {"sub": "u", "agency": "police", "role": "practitioner", "iss": api_settings.jwt_issuer,
              "aud": api_settings.jwt_audience, "iat": int(now), "exp": int(now) + 600}
    secret = api_settings.jwt_secret or ""
    _expect_401(api, None)
    _expect_401(api, None, headers={"authorization": "Basic dXNlcjpwYXNz"})
    _expect_401(api, "not-a-jwt")
    _expect_401(api, jwt.encode(claims, "another-secret-of-sufficient-length-0123456789", algorithm="HS256"))
    _expect_401(api, issue_dev_token(api_settings, user="u", agency="police", role="practitioner", ttl=60,
                                     now=now - 3600))  # expired
    _expect_401(api, jwt.encode({**claims, "aud": "someone-else"}, secret, algorithm="HS256"))
    _expect_401(api, jwt.encode({**claims, "iss": "https://evil.example"}, secret, algorithm="HS256"))
    _expect_401(api, jwt.encode({k: v for k, v in claims.items() if k != "exp"}, secret, algorithm="HS256"))
    _expect_401(api, jwt.encode({k: v for k, v in claims.items() if k != "agency"}, secret, algorithm="HS256"))
    _expect_401(api, jwt.encode({**claims, "role": "superuser"}, secret, algorithm="HS256"))  # not in the policy
    _expect_401(api, jwt.encode(claims, secret, algorithm="HS512"))  # an algorithm not accepted
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    _expect_401(api, unsigned)


def test_purpose_is_required(api: ApiServer, seeded: Seeded) -> None:
    token = api.token(agency="police", role="practitioner")
    for purpose in (None, "", "curiosity"):
        response = api.post(PERSON, token=token, purpose=purpose, variables={"id": seeded.person("health:H-AVA")})
        assert response.status_code == 403
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "PURPOSE_REQUIRED" and "s47_enquiry" in error["message"]
        assert "Ava" not in response.text


def test_only_json_posts_of_one_operation(api: ApiServer) -> None:
    token = api.token(agency="police", role="practitioner")
    form = api.post(token=token, purpose="s47_enquiry", content=b"query=%7B__typename%7D",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and form.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    huge = api.post("{ __typename }" + " " * 70000, token=token, purpose="s47_enquiry")
    assert huge.status_code == 400
    batch = api.post(body=[{"query": "{ __typename }"}, {"query": "{ __typename }"}], token=token,
                     purpose="s47_enquiry")
    assert batch.status_code == 400
    assert batch.json()["errors"][0]["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"
    no_query = api.post(body={"variables": {}}, token=token, purpose="s47_enquiry")
    assert no_query.status_code == 400
    subscription = api.post("subscription { person(id: \"x\") { id } }", token=token, purpose="s47_enquiry")
    assert subscription.status_code == 400
    get = api.http.get("/graphql", params={"query": "{ __typename }"})
    assert "text/html" in get.headers["content-type"] and "__typename" not in get.text  # GraphiQL in development


def test_unexpected_errors_are_masked_with_the_request_id(api: ApiServer, seeded: Seeded, driver: Driver,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    dan = seeded.person("health:H-DAN")
    # A record the service cannot read (a corrupted property) makes the resolver fail unexpectedly.
    driver.execute_query("MATCH (r:Record {uid: 'health:H-DAN'}) SET r.flags = 5")
    try:
        with caplog.at_level(logging.ERROR, logger="mashgraph.api"):
            response = api.post("query One($id: ID!) { person(id: $id) { id givenName } }",
                                token=api.token(agency="police", role="practitioner"), purpose="s47_enquiry",
                                variables={"id": dan})
    finally:
        driver.execute_query("MATCH (r:Record {uid: 'health:H-DAN'}) SET r.flags = []")
    request_id = response.headers["x-request-id"]
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert error["message"] == f"internal error (request id {request_id})"
    assert "TypeError" not in response.text and "Daniel" not in response.text
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and "TypeError" in logged[0].getMessage()
    assert all("Daniel" not in r.getMessage() for r in caplog.records)


def test_requests_time_out(api: ApiServer, seeded: Seeded) -> None:
    services = replace(api.services, settings=api.services.settings.with_changes(request_timeout=0.000001))
    principal = Principal("tester", "mash", "analyst", frozenset(), time.time() + 60)
    query = "query N($id: ID!) { network(personId: $id, hops: 3) { truncated } }"
    before = api.audit_count()
    outcome = api.call(execute_operation(services, api.app.state.schema, principal, "mash_enquiry", uuid.uuid4().hex,
                                         query, {"id": seeded.person("health:H-AVA")}))
    assert outcome.status == 504 and outcome.payload["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert outcome.payload["data"] is None
    assert api.audit_count() == before + 1


# ---------------------------------------------------------------------------------------------- production mode
@pytest.fixture(scope="module")
def production(api_settings: ApiSettings, tmp_path_factory: pytest.TempPathFactory,
               api: ApiServer) -> Iterator[tuple[ApiServer, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, Path]]:
    folder = tmp_path_factory.mktemp("keys")
    key = ec.generate_private_key(ec.SECP256R1())
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = folder / "idp.pem"
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    settings = ApiSettings.from_mapping({"MASHGRAPH_ENV": "production", "MASHGRAPH_JWT_ISSUER": "https://idp.example",
                                         "MASHGRAPH_JWT_PUBLIC_KEY_FILE": str(public)},
                                        database=api_settings.database)
    server = ApiServer(settings).start()
    yield server, key, other_rsa, public
    server.stop()


def _claims(issuer: str = "https://idp.example") -> dict[str, object]:
    now = int(time.time())
    return {"sub": "u", "agency": "police", "role": "practitioner", "iss": issuer, "aud": "mashgraph",
            "iat": now, "exp": now + 300}


def _hs256(claims: dict[str, object], secret: bytes) -> str:
    """An HS256 token signed by hand (PyJWT rightly refuses to use a public key as an HMAC secret)."""
    def encode(part: bytes) -> bytes:
        return base64.urlsafe_b64encode(part).rstrip(b"=")

    signing_input = encode(b'{"alg":"HS256","typ":"JWT"}') + b"." + encode(json.dumps(claims).encode())
    return (signing_input + b"." + encode(hmac.new(secret, signing_input, hashlib.sha256).digest())).decode()


def test_production_accepts_only_the_identity_providers_signatures(production, seeded: Seeded,  # type: ignore[no-untyped-def]
                                                                  api_settings: ApiSettings) -> None:
    server, key, other_rsa, public = production
    ava = seeded.person("health:H-AVA")
    good = jwt.encode(_claims(), key, algorithm="ES256")
    ok = server.post(PERSON, token=good, purpose="s47_enquiry", variables={"id": ava})
    assert ok.status_code == 200 and ok.json()["data"]["person"]["givenName"] == "Ava"
    rejected = [
        # The development HS256 key: never accepted in production.
        issue_dev_token(api_settings, user="u", agency="police", role="practitioner"),
        _hs256(_claims(), public.read_bytes()),  # algorithm confusion: the public key used as an HMAC secret
        jwt.encode(_claims(), ec.generate_private_key(ec.SECP256R1()), algorithm="ES256"),  # another key
        jwt.encode(_claims(), other_rsa, algorithm="RS256"),  # RS256 with a key the server does not have
        jwt.encode(_claims("https://idp.other"), key, algorithm="ES256"),  # wrong issuer
    ]
    for token in rejected:
        assert server.post(PERSON, token=token, purpose="s47_enquiry", variables={"id": ava}).status_code == 401


def test_production_has_no_introspection_or_graphiql(production) -> None:  # type: ignore[no-untyped-def]
    server, key, _, _ = production
    token = jwt.encode(_claims(), key, algorithm="ES256")
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Person") { fields { name } } }'):
        response = server.post(query, token=token, purpose="s47_enquiry")
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert server.http.get("/graphql").status_code == 405
    # __typename alone is not introspection of the schema.
    assert server.post("{ __typename }", token=token, purpose="s47_enquiry").json()["data"] == {
        "__typename": "Query"}


def test_validation_answers_are_not_carried_between_schemas(api: ApiServer, production) -> None:  # type: ignore[no-untyped-def]
    # Prepared documents are cached by query text (api/graphql/prepared.py): the same text validated by the
    # development schema first (introspection allowed) must still be refused by the production schema.
    server, key, _, _ = production
    query = "{ __schema { queryType { name } } }"
    developer = api.post(query, token=api.token(agency="police", role="practitioner"), purpose="s47_enquiry")
    assert developer.status_code == 200 and developer.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    refused = server.post(query, token=jwt.encode(_claims(), key, algorithm="ES256"), purpose="s47_enquiry")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_jwks_keys_are_chosen_by_key_id(api_settings: ApiSettings, tmp_path: Path, seeded: Seeded) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
    settings = ApiSettings.from_mapping({"MASHGRAPH_ENV": "production", "MASHGRAPH_JWT_ISSUER": "https://idp.example",
                                         "MASHGRAPH_JWT_JWKS_FILE": str(jwks)}, database=api_settings.database)
    server = ApiServer(settings).start()
    try:
        good = jwt.encode(_claims(), key, algorithm="RS256", headers={"kid": "k1"})
        assert server.post(PERSON, token=good, purpose="s47_enquiry",
                           variables={"id": seeded.person("health:H-AVA")}).status_code == 200
        unknown_kid = jwt.encode(_claims(), key, algorithm="RS256", headers={"kid": "k2"})
        assert server.post(PERSON, token=unknown_kid, purpose="s47_enquiry",
                           variables={"id": "per_0000000000000000"}).status_code == 401
    finally:
        server.stop()


def test_production_settings_refuse_a_development_setup() -> None:
    from graph_model.config import Settings
    from graph_model.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        ApiSettings.from_mapping({"MASHGRAPH_JWT_ALGORITHMS": "HS256,none", "MASHGRAPH_MAX_DEPTH": "0"},
                                 database=Settings())
    message = str(caught.value)
    for problem in ("unsupported", "only RS*/ES*/PS*", "needs MASHGRAPH_JWT_PUBLIC_KEY_FILE",
                    "needs MASHGRAPH_JWT_ISSUER", "MASHGRAPH_MAX_DEPTH must be at least 1"):
        assert problem in message
