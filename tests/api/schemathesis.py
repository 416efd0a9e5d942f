"""Schemathesis, a client we did not write, against the running gateway.

Starts the test world (`mpos-testbed`: the real gateway process over TLS,
SMTP and the SMS provider), makes a phone user ready (login, activation,
a new password, the password re-entered), then lets schemathesis generate
requests from docs/openapi.json for every operation: the phone's with the
user's session, the administrator's with the admin token. Its checks: no
server error, status codes, content types, headers and bodies as
documented, malformed input refused. Failures accepted as intended are
listed, each with its reason, in tests/api/schemathesis-baseline.yaml.

Usage: python3 tests/api/schemathesis.py ST_BINARY TESTBED_BINARY
Prints the standard summary line: `N passed, N failed` (one per pass).
"""

import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "docs", "openapi.json")
BASELINE = os.path.join(ROOT, "tests", "api", "schemathesis-baseline.yaml")
PASSWORD = "864209"
# Bounded: a few examples per operation and a time budget per pass.
MAX_EXAMPLES = os.environ.get("MPOS_SCHEMATHESIS_EXAMPLES", "12")
MAX_TIME = os.environ.get("MPOS_SCHEMATHESIS_SECONDS", "150")
SEED = os.environ.get("MPOS_SCHEMATHESIS_SEED", "20261206")


def call(context, base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def ready_session(world):
    context = ssl.create_default_context(cadata=world["cert_pem"])
    base = world["gateway_url"]
    control = world["control_url"]
    request = urllib.request.Request(
        control + "/users",
        data=json.dumps({"per_transaction": 50000, "per_day": 200000}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        user = json.loads(response.read())
    login = call(context, base, "POST", "/v1/app/login", {
        "username": user["username"],
        "password": user["default_password"],
        "reader_serial": "SCHEMATHESIS-1",
    })
    token = login["session_token"]
    call(context, base, "POST", "/v1/app/activate", {"activation_code": user["activation_code"]}, token)
    call(context, base, "POST", "/v1/app/password", {"new_password": PASSWORD}, token)
    call(context, base, "POST", "/v1/app/verify-password", {"password": PASSWORD}, token)
    return token


def run_pass(st, world, ca_path, name, token, include, exclude):
    command = [
        st, "run", SCHEMA,
        "--url", world["gateway_url"],
        "--tls-verify", ca_path,
        "--checks", "all",
        # A schema-valid request is not always an acceptable one: card data
        # that does not decrypt, a login without a reader, a settlement with
        # nothing to settle, a refund of an unknown authorization code are
        # refused by rules the schema cannot state (docs/security.md).
        "--exclude-checks", "positive_data_acceptance",
        "--max-examples", MAX_EXAMPLES,
        "--max-time", MAX_TIME,
        "--seed", SEED,
        "--workers", "1",
        # One coverage request in one fresh-clone CI run on the loaded 2-core
        # host ended in a TLS EOF before any answer (not reproduced since);
        # a client retries a request the network dropped, and a status or
        # schema failure is never retried.
        "--request-retries", "2",
        "--header", "Authorization: Bearer " + token,
        "--warnings", "off",
    ]
    if os.path.exists(BASELINE):
        command += ["--baseline", BASELINE]
    command += ["--include-path-regex", include]
    for operation in exclude:
        command += ["--exclude-operation-id", operation]
    print(f"== schemathesis: {name}", flush=True)
    return subprocess.run(command).returncode


def main():
    st, testbed = sys.argv[1], sys.argv[2]
    world_process = subprocess.Popen(
        [testbed], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        world = json.loads(world_process.stdout.readline())
        with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as ca:
            ca.write(world["cert_pem"])
        token = ready_session(world)
        passes = [
            # The phone's operations with a ready session. Logging out would
            # end the session the rest of the pass needs; it is tested in auth.rs.
            ("the phone app's operations", token, "^/(v1/app/|r/|health$|v1/openapi.json$)", ["logout"]),
            ("the merchant administrator's operations", world["admin_token"], "^/v1/admin/", []),
        ]
        passed = failed = 0
        for name, bearer, include, exclude in passes:
            if run_pass(st, world, ca.name, name, bearer, include, exclude) == 0:
                passed += 1
            else:
                failed += 1
        print(f"{passed} passed, {failed} failed")
        return 0 if failed == 0 else 1
    finally:
        world_process.stdin.close()
        world_process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
