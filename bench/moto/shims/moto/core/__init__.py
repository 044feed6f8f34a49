"""moto.core's names the cognito-idp tests import."""
DEFAULT_ACCOUNT_ID = "123456789012"


def set_initial_no_auth_action_count(_count):
    """moto's IAM-enforcement counter; the emulator does not model IAM, so this is a no-op."""

    def decorate(func):
        return func

    return decorate
