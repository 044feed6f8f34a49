"""Stand-in for moto's entry points: `mock_aws` resets the emulator instead of patching botocore.

moto's own `mock_aws` intercepts botocore in-process; here every request goes over HTTP to the
emulator the runner started (conftest.py points every boto3 cognito-idp client at it), and
entering `mock_aws` starts from an empty emulator, as moto starts from empty backends.
"""
import functools
import os
import urllib.request


def _reset():
    request = urllib.request.Request(os.environ["GATEHOUSE_MOTO_RESET"], method="POST", data=b"")
    with urllib.request.urlopen(request) as response:
        response.read()


class _MockAws:
    def __call__(self, func=None, *args, **kwargs):
        if func is None or not callable(func):
            return self
        if isinstance(func, type):
            return func

        @functools.wraps(func)
        def wrapper(*a, **kw):
            _reset()
            return func(*a, **kw)

        return wrapper

    def __enter__(self):
        _reset()
        return self

    def __exit__(self, *exc):
        return False

    def start(self):
        _reset()

    def stop(self):
        pass


mock_aws = _MockAws()


class settings:  # noqa: N801 - moto's module name
    # A server on the other end of a socket: moto's own "server mode", in which the tests that
    # patch moto's models or environment skip themselves.
    TEST_SERVER_MODE = True
    TEST_DECORATOR_MODE = False
