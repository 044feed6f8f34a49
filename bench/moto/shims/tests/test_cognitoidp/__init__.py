"""moto's cognitoidp_aws_verified: a pool and a client made for the test, deleted after.

As moto's, except that with_mfa gives the pool an SnsCallerArn without creating the IAM role
(the emulator does not model IAM or send SMS through SNS).
"""
import functools
from uuid import uuid4

import boto3

from moto import mock_aws


def cognitoidp_aws_verified(
    username_attributes=None,
    read_attributes=None,
    explicit_auth_flows=None,
    generate_secret=False,
    recovery=None,
    verified_attributes=None,
    with_mfa=None,
    with_software_mfa=True,
):
    def inner(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with mock_aws():
                conn = boto3.client("cognito-idp", "us-west-2")
                pool_args = {}
                if username_attributes:
                    pool_args["UsernameAttributes"] = username_attributes
                if recovery:
                    pool_args["AccountRecoverySetting"] = {"RecoveryMechanisms": recovery}
                if with_mfa:
                    pool_args["MfaConfiguration"] = with_mfa
                    pool_args["SmsConfiguration"] = {
                        "SnsCallerArn": f"arn:aws:iam::123456789012:role/test-role-{str(uuid4())[0:6]}"
                    }
                if verified_attributes:
                    pool_args["AutoVerifiedAttributes"] = verified_attributes
                user_pool = conn.create_user_pool(PoolName=f"TestUserPool_{str(uuid4())[0:6]}", **pool_args)
                pool_id = user_pool["UserPool"]["Id"]
                if with_mfa and with_software_mfa:
                    conn.set_user_pool_mfa_config(
                        UserPoolId=pool_id,
                        SoftwareTokenMfaConfiguration={"Enabled": True},
                        MfaConfiguration=with_mfa,
                    )
                client_args = {}
                if read_attributes:
                    client_args["ReadAttributes"] = read_attributes
                if explicit_auth_flows:
                    client_args["ExplicitAuthFlows"] = explicit_auth_flows
                if generate_secret:
                    client_args["GenerateSecret"] = True
                try:
                    client = conn.create_user_pool_client(UserPoolId=pool_id, ClientName="TestAppClient", **client_args)
                    kwargs["user_pool"] = user_pool
                    kwargs["user_pool_client"] = client
                    return func(*args, **kwargs)
                finally:
                    conn.delete_user_pool(UserPoolId=pool_id)

        return wrapper

    return inner
