"""pytest plugin: moto's cognito-idp tests against the emulator the runner started.

- Puts shims/ first on sys.path: moto's decorators reset the emulator instead of patching
  botocore (shims/moto), moto's test helpers (shims/tests), pycognito's SRP client and joserfc's
  JWT decoding, which Debian does not package (shims/pycognito, shims/joserfc).
- Points every boto3 cognito-idp client at the emulator (endpoint_url), one attempt per call
  (a retried 5xx would hide the fault), and refuses clients of any other service.
- Skips the tests of skips.json (written by run.ts from skips.ts) with their reasons.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "shims"))

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ["AWS_MAX_ATTEMPTS"] = "1"
os.environ["AWS_RETRY_MODE"] = "standard"
os.environ.pop("AWS_PROFILE", None)

import boto3.session  # noqa: E402
import pytest  # noqa: E402

ENDPOINT = os.environ["GATEHOUSE_MOTO_ENDPOINT"]
_client = boto3.session.Session.client


def _emulated_client(self, service_name, *args, **kwargs):
    if service_name != "cognito-idp":
        raise RuntimeError(f"{service_name} is not emulated; only cognito-idp is")
    kwargs["endpoint_url"] = ENDPOINT
    return _client(self, service_name, *args, **kwargs)


boto3.session.Session.client = _emulated_client
boto3.DEFAULT_SESSION = None

with open(os.environ["GATEHOUSE_MOTO_SKIPS"], encoding="utf-8") as f:
    SKIPS = json.load(f)


def pytest_configure(config):
    config.addinivalue_line("markers", "aws_verified: moto's marker for tests also run against AWS")


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = SKIPS.get(item.name) or SKIPS.get(getattr(item, "originalname", item.name))
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
