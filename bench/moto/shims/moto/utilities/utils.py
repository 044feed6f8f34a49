"""load_resource: moto's fixed signing keys. The emulator signs with a key of its own per pool,
so the keys stand for "the key the token's pool publishes" (see joserfc/)."""

POOL_KEY = {"gatehouse": "the issuing pool's published key"}


def load_resource(_path):
    return {"keys": [POOL_KEY], **POOL_KEY}
