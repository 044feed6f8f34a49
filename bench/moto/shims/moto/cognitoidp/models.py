"""moto's in-process models do not exist here; tests that reach into them are in skips.py."""


class _Internal:
    def __getattr__(self, name):
        raise RuntimeError(f"moto internals ({name}) are not available against the emulator")


CognitoIdpUserPoolAttribute = _Internal()
cognitoidp_backends = _Internal()
