"""The part of joserfc the tests use, on Debian's PyJWT.

moto signs every token with one fixed key (moto/utilities/utils.py's load_resource). The
emulator signs with a key per pool, published at <iss>/.well-known/jwks.json, so "decode with
moto's key" becomes "verify against the key the token's issuer publishes": the signature is
still checked, only the key comes from the place AWS publishes it.
"""
import json
import urllib.request

import jwt as _pyjwt


class _Token:
    def __init__(self, header, claims):
        self.header = header
        self.claims = claims


class jwk:  # noqa: N801 - joserfc's module name
    class RSAKey:
        @staticmethod
        def import_key(data):
            return data


def _published_key(token):
    header = _pyjwt.get_unverified_header(token)
    issuer = _pyjwt.decode(token, options={"verify_signature": False})["iss"]
    with urllib.request.urlopen(f"{issuer}/.well-known/jwks.json") as response:
        keys = json.load(response)["keys"]
    for key in keys:
        if key["kid"] == header["kid"]:
            return _pyjwt.PyJWK(key).key
    raise ValueError("no published key with the token's kid")


class jwt:  # noqa: N801
    @staticmethod
    def decode(token, key=None, algorithms=None):
        if isinstance(token, bytes):
            token = token.decode("ascii")
        verifying = _published_key(token)
        claims = _pyjwt.decode(
            token, verifying, algorithms=algorithms or ["RS256"], options={"verify_aud": False, "verify_exp": False}
        )
        return _Token(_pyjwt.get_unverified_header(token), claims)


class jws:  # noqa: N801
    class _Compact:
        def __init__(self, token):
            self._header = _pyjwt.get_unverified_header(token)

        def headers(self):
            return self._header

    @staticmethod
    def extract_compact(token):
        if isinstance(token, bytes):
            token = token.decode("ascii")
        return jws._Compact(token)

    @staticmethod
    def validate_compact(*_args, **_kwargs):
        raise RuntimeError("moto's joserfc internals are not available against the emulator")
