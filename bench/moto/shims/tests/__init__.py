"""moto's tests/__init__.py helpers."""
import functools

from moto import mock_aws

DEFAULT_ACCOUNT_ID = "123456789012"


def allow_aws_request():
    return False


def aws_verified(func):
    @functools.wraps(func)
    def wrapper(**kwargs):
        with mock_aws():
            return func(**kwargs)

    return wrapper
