/**
 * Input rewrites: where a moto test starts with a call AWS itself would refuse, the rewritten
 * run replaces that input with a valid one so the rest of the test still measures the emulator.
 * Each names the test, the exact text replaced inside that test's function (the runner fails if
 * it is not there, so a change in moto's file is noticed), and the AWS fact that makes moto's
 * input invalid.
 */
import { poolSettingsRewrites } from "./pool-settings-triage.ts";

export interface Rewrite {
  /** The test, or the helper of several tests, whose function the text is replaced in. */
  readonly test: string;
  readonly from: string;
  readonly to: string;
  /** What AWS does with moto's input, from the API reference or the Developer Guide. */
  readonly fact: string;
  /** Replace every occurrence in the test (default: exactly one must be there). */
  readonly all?: boolean;
}

/** Facts several rewrites rest on. */
const facts = {
  flows:
    "A client created without ExplicitAuthFlows supports only ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH (API reference, CreateUserPoolClient, ExplicitAuthFlows); AWS refuses a password sign-in on it ('… flow not enabled for this client'). moto allows every flow; the rewrite names the flows the test uses.",
  secretHash:
    "A client with a secret needs SECRET_HASH, Base64(HMAC-SHA256(client secret, username + client id)), on SignUp, ConfirmSignUp, ForgotPassword and password sign-ins; without it AWS answers NotAuthorizedException 'Client <id> is configured for secret but secret was not received' (developer guide, 'Computing secret hash values'). The rewrite sends it, or makes the client one without a secret where the test never sends it.",
  anyCode:
    "AWS confirms a sign-up only with the code it sent (CodeMismatchException otherwise), and an admin-created user in FORCE_CHANGE_PASSWORD cannot be confirmed with ConfirmSignUp at all ('User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD'); moto accepts any code. AdminConfirmSignUp (a signed-up user) or AdminSetUserPassword Permanent (an admin-created one) gives the CONFIRMED user the rest of the test needs.",
  poolTotp:
    "AssociateSoftwareToken is refused with SoftwareTokenMFANotFoundException 'Software Token MFA has not been enabled by the userPool' unless the pool has TOTP MFA active (developer guide, 'TOTP software token MFA'); moto's pool has MFA OFF. The rewrite turns on optional TOTP MFA with SetUserPoolMfaConfig.",
  totpOnce:
    "A TOTP code is good once: AWS refuses a code of a time step already used (by VerifySoftwareToken or an earlier challenge) with ExpiredCodeException 'Your software token has already been used once.' (aws-amplify/amplify-swift's TOTP sign-in integration tests wait 30 s for it; moto's own comment in the test quotes it), and accepts the step before and after the current one for drift (developer guide, 'TOTP software token MFA'). moto's tests run against AWS wait for the next step; the rewrite uses a neighbouring step instead.",
  temporaryPassword:
    "AdminCreateUser's TemporaryPassword 'must conform to the password policy that you specified when you created the user pool' (API reference); moto's uuid passwords have no upper-case letter or symbol, which the default policy requires, so AWS answers InvalidPasswordException.",
  password:
    "A new password must conform to the pool's password policy (API reference, ConfirmForgotPassword and AdminSetUserPassword, InvalidPasswordException); moto's uuid passwords have no upper-case letter or symbol, which the default policy requires.",
  thing:
    "AdminCreateUser refuses attributes the pool's schema lacks ('Attributes did not conform to the schema: thing: Attribute does not exist in the schema.'); moto writes an attribute 'thing'. A standard attribute every pool has stands in for it.",
  tokenPattern:
    "AccessToken must match [A-Za-z0-9-_=.]+ (API reference, GetUser, GlobalSignOut, UpdateUserAttributes); AWS answers 'n/a' with InvalidParameterException before it reads the token. A well-formed token that is not one still measures the NotAuthorizedException the test wants.",
  newPasswordParameters:
    "AWS's NEW_PASSWORD_REQUIRED challenge names the user in USER_ID_FOR_SRP, with requiredAttributes and userAttributes (amazon-cognito-identity-js reads exactly these in its newPasswordRequired callback); moto adds a USERNAME parameter AWS does not send.",
  mfaListAbsent:
    "AWS's AdminGetUser leaves UserMFASettingList and PreferredMfaSetting out for a user with no MFA preference (aws/aws-sdk-java-v2#4869, confirmed by the Cognito team in aws/aws-sdk#693); moto sends an empty list and ''. The rewrite reads an absent member as empty, so the test still checks that no factor is left on.",
  smsCode:
    "AWS takes only the code it texted (CodeMismatchException 'Invalid code or auth state for the user.' otherwise); moto takes '123456'. The rewrite reads the code from the emulator's outbox (/_outbox), where its SMS messages go, as a test against AWS would read the phone.",
  smsDelivery:
    "AdminSetUserMFAPreference turns on SMS_MFA only for a user with a phone number ('User does not have delivery config set to turn on SMS_MFA', the same answer aws/aws-sdk-js-v3#4645 quotes for SOFTWARE_TOKEN_MFA); moto's user has none. The rewrite gives the user one.",
} as const;

const userFlows = `ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]`;
const adminFlows = `ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]`;
/** SECRET_HASH in Python, for a test that has `conn`, `user_pool_id`, `client_id` and `username`. */
const pythonSecretHash = `base64.b64encode(hmac.new(conn.describe_user_pool_client(UserPoolId=user_pool_id, ClientId=client_id)["UserPoolClient"]["ClientSecret"].encode(), (username + client_id).encode(), hashlib.sha256).digest()).decode()`;
const signUp = "conn.sign_up(ClientId=client_id, Username=username, Password=password)";
const signUpWithHash = `conn.sign_up(ClientId=client_id, Username=username, Password=password, SecretHash=${pythonSecretHash})`;
const confirmAnyCode = `conn.confirm_sign_up(
        ClientId=client_id, Username=username, ConfirmationCode="123456"
    )`;
const adminConfirm = "conn.admin_confirm_sign_up(UserPoolId=user_pool_id, Username=username)";
const enableTotp = `conn.set_user_pool_mfa_config(UserPoolId=user_pool["UserPool"]["Id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL")`;
const uuidTemporary = "TemporaryPassword=str(uuid.uuid4())";
const validTemporary = 'TemporaryPassword="P2$Sword"';
const uuidPassword = "Password=str(uuid.uuid4())";
const validPassword = 'Password="P2$Sword3"';
const enableSms = `conn.set_user_pool_mfa_config(UserPoolId=user_pool_id, SmsMfaConfiguration={"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns-caller", "ExternalId": "moto"}}, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL")`;
/** The newest code the emulator sent the user, from its outbox, standing in for the phone's SMS. */
const smsCodeFromOutbox = `requests.get(f"{conn.meta.endpoint_url}/_outbox", params={"username": username}).json()["messages"][0]["code"]`;
const phone = '{"Name": "phone_number", "Value": "+15555550100"}';

/** A client without a secret, allowing `flows`, for a test that never sends SECRET_HASH. */
const secretlessClient = (test: string, flows: string): Rewrite => ({
  test,
  from: "ClientName=str(uuid.uuid4()), GenerateSecret=True",
  to: `ClientName=str(uuid.uuid4()), ${flows}`,
  fact: `${facts.flows} ${facts.secretHash}`,
});
/** A neighbouring TOTP step's code in place of the current one (`shift` is -30 or +30 seconds). */
const totpStep = (test: string, indent: string, shift: string): Rewrite => ({
  test,
  from: `(secret_code)\n${indent}user_code = totp.now()`,
  to: `(secret_code)\n${indent}user_code = totp.at(time.time() ${shift})`,
  fact: facts.totpOnce,
});

export const rewrites: readonly Rewrite[] = [
  ...poolSettingsRewrites,
  {
    test: "test_create_identity_provider",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_list_identity_providers",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_list_identity_providers_returns_max_items",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_list_identity_providers_returns_next_tokens",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_list_identity_providers_when_max_items_more_than_total_items",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_describe_identity_providers",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_update_identity_provider",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_delete_identity_providers",
    from: "provider_name = str(uuid.uuid4())",
    to: "provider_name = str(uuid.uuid4())[:32]",
    fact: "ProviderName is 1 to 32 characters (API reference, CreateIdentityProvider); moto's uuid names are 36, which AWS refuses with a validation error.",
  },
  {
    test: "test_update_identity_provider_no_user_pool",
    from: 'UserPoolId="foo"',
    to: 'UserPoolId="us-west-2_foo"',
    fact: "UserPoolId must match [\\w-]+_[0-9a-zA-Z]+ (API reference); AWS answers 'foo' with InvalidParameterException before it looks for the pool.",
  },
  {
    test: "test_other_attributes_in_id_token",
    from: "user_attribute_name = str(uuid.uuid4())",
    to: 'user_attribute_name = "given_name"',
    fact: "A client's ReadAttributes must be attributes of the pool's schema, and AdminCreateUser refuses attributes the schema lacks ('Attributes did not conform to the schema: …: Attribute does not exist in the schema.'); moto reads and writes an attribute named by a uuid. A standard attribute every pool has stands in for it.",
  },
  {
    test: "authentication_flow",
    from: "user_attribute_name = str(uuid.uuid4())",
    to: 'user_attribute_name = "given_name"',
    fact: "A client's ReadAttributes must be attributes of the pool's schema, and AdminCreateUser refuses attributes the schema lacks ('Attributes did not conform to the schema: …: Attribute does not exist in the schema.'); moto reads and writes an attribute named by a uuid. A standard attribute every pool has stands in for it.",
  },
  {
    test: "user_authentication_flow",
    from: "user_attribute_name = str(uuid.uuid4())",
    to: 'user_attribute_name = "given_name"',
    fact: "A client's ReadAttributes must be attributes of the pool's schema, and AdminCreateUser refuses attributes the schema lacks ('Attributes did not conform to the schema: …: Attribute does not exist in the schema.'); moto reads and writes an attribute named by a uuid. A standard attribute every pool has stands in for it.",
  },
  {
    test: "test_login_denied_if_account_disabled",
    from: "user_attribute_name = str(uuid.uuid4())",
    to: 'user_attribute_name = "given_name"',
    fact: "A client's ReadAttributes must be attributes of the pool's schema, and AdminCreateUser refuses attributes the schema lacks ('Attributes did not conform to the schema: …: Attribute does not exist in the schema.'); moto reads and writes an attribute named by a uuid. A standard attribute every pool has stands in for it.",
  },
  // Sign-in flows (issue 15, helper-20's group).
  ...["authentication_flow", "test_login_denied_if_account_disabled"].map((test): Rewrite => ({
    test,
    from: "ReadAttributes=[user_attribute_name],",
    to: `ReadAttributes=[user_attribute_name], ${adminFlows},`,
    fact: facts.flows,
  })),
  {
    test: "test_other_attributes_in_id_token",
    from: "ReadAttributes=[user_attribute_name],",
    to: `ReadAttributes=[user_attribute_name, "custom:myattr"], ${adminFlows},`,
    fact: `${facts.flows} And the ID token carries only the attributes the client may read (developer guide, 'Understanding the identity (ID) token': the client's read permissions decide its claims); moto's test reads custom:myattr from it but gives the client only the other attribute.`,
  },
  ...[
    "test_get_user_unknown_accesstoken",
    "test_global_sign_out_unknown_accesstoken",
    "test_update_user_attributes_unknown_accesstoken",
  ].map((test): Rewrite => ({
    test,
    from: 'AccessToken="n/a"',
    to: 'AccessToken="n-a"',
    fact: facts.tokenPattern,
  })),
  {
    test: "test_get_user_unknown_accesstoken",
    from: 'assert err["Message"] == "Invalid token"',
    to: 'assert err["Message"] == "Invalid Access Token"',
    fact: "AWS answers an access token it cannot read with NotAuthorizedException 'Invalid Access Token' (quoted from AWS in amazon-archives/aws-cognito-angular-quickstart#137); moto's 'Invalid token' is its own.",
  },
  {
    test: "test_admin_user_global_sign_out_unknown_userpool",
    from: 'UserPoolId="n/a"',
    to: 'UserPoolId="us-west-2_nonexistent"',
    fact: "UserPoolId must match [\\w-]+_[0-9a-zA-Z]+ (API reference); AWS answers 'n/a' with InvalidParameterException before it looks for the pool. A well-formed unknown id still measures the ResourceNotFoundException the test wants.",
  },
  ...["test_authentication_flow_invalid_flow", "test_initiate_auth_invalid_auth_flow"].map((test): Rewrite => ({
    test,
    from: `err["Message"]
        == "1 validation error detected: Value 'NO_SUCH_FLOW' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: ['ADMIN_NO_SRP_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'CUSTOM_AUTH', 'USER_PASSWORD_AUTH']"`,
    to: `err["Message"].startswith("1 validation error detected: Value 'NO_SUCH_FLOW' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [")`,
    fact: "AWS's validation messages list an enum's values unquoted, in the model's order, and AuthFlowType has gained values (USER_AUTH, 2024) since moto wrote its list; the rewrite keeps the message's AWS-fixed part and leaves the list to the model.",
  })),
  ...["test_authentication_flow_invalid_user_flow", "test_initiate_auth_invalid_admin_auth_flow"].map(
    (test): Rewrite => ({
      test,
      from: 'assert err["Message"] == "Initiate Auth method not supported"',
      to: 'assert err["Message"] == "Initiate Auth method not supported."',
      fact: "AWS's message ends with a period: 'Initiate Auth method not supported.' (awsdocs/aws-doc-sdk-examples#5289, from AWS, and soto-project/soto-cognito-authentication-kit#10).",
    }),
  ),
  {
    test: "test_token_legitimacy",
    from: `f"https://cognito-idp.us-west-2.amazonaws.com/{outputs['user_pool_id']}"`,
    to: `f"{conn.meta.endpoint_url}/{outputs['user_pool_id']}"`,
    fact: "Not an AWS fact but the runner's setting: its emulator runs without issuerBase, so a pool's issuer is the emulator's own URL, where the token's JWKS is served (the joserfc shim verifies signatures there); with issuerBase 'https://cognito-idp.{region}.amazonaws.com' the emulator gives AWS's issuers. The rewrite expects the issuer the runner configured.",
  },
  {
    test: "test_forgot_password_nonexistent_client_id",
    from: 'assert err["Message"] == "Username/client id combination not found."',
    to: 'assert err["Message"].startswith("User pool client ") and err["Message"].endswith(" does not exist.")',
    fact: "AWS answers an unknown ClientId with ResourceNotFoundException 'User pool client <id> does not exist.' (quoted from AWS in aws/aws-sdk-php#2183 for AdminInitiateAuth and anomalyco/guide#82 for SignUp); moto's message is the one AWS gives for an unknown user.",
  },
  {
    test: "test_initiate_auth_USER_PASSWORD_AUTH_with_FORCE_CHANGE_PASSWORD_status",
    from: 'assert result["ChallengeParameters"]["USERNAME"] == username',
    to: 'assert result["ChallengeParameters"]["USER_ID_FOR_SRP"] == username',
    fact: facts.newPasswordParameters,
  },
  {
    test: "test_initiate_auth_USER_PASSWORD_AUTH_with_FORCE_CHANGE_PASSWORD_status",
    from: '"USERNAME": result["ChallengeParameters"]["USERNAME"],',
    to: '"USERNAME": username,',
    fact: facts.newPasswordParameters,
  },
  ...(
    [
      ["test_setting_mfa", "user"],
      ["test_admin_setting_single_mfa", "result"],
      ["test_admin_setting_mfa_totp_and_sms", "result"],
    ] as const
  ).flatMap(([test, name]): Rewrite[] => [
    {
      test,
      from: `assert len(${name}["UserMFASettingList"]) == 0`,
      to: `assert len(${name}.get("UserMFASettingList", [])) == 0`,
      fact: facts.mfaListAbsent,
    },
    {
      test,
      from: `assert ${name}["PreferredMfaSetting"] == ""`,
      to: `assert ${name}.get("PreferredMfaSetting", "") == ""`,
      fact: facts.mfaListAbsent,
    },
  ]),
  {
    test: "test_admin_reset_password_multiple_invocations",
    from: 'UserAttributes=[{"Name": "email_verified", "Value": "true"}],',
    to: 'UserAttributes=[{"Name": "email", "Value": "reset@example.com"}, {"Name": "email_verified", "Value": "true"}],',
    fact: "AWS refuses email_verified for a user without an email: InvalidParameterException 'Email is required to verify/un-verify an email'; moto's user has none. The rewrite gives the user the address it verifies.",
  },
  {
    test: "authentication_flow",
    from: 'user_pool_id = conn.create_user_pool(PoolName=str(uuid.uuid4()))["UserPool"]["Id"]',
    to: `user_pool_id = conn.create_user_pool(PoolName=str(uuid.uuid4()))["UserPool"]["Id"]
    conn.set_user_pool_mfa_config(UserPoolId=user_pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL")`,
    fact: facts.poolTotp,
  },
  {
    test: "user_authentication_flow",
    from: "user_pool = conn.create_user_pool(PoolName=str(uuid.uuid4()))",
    to: `user_pool = conn.create_user_pool(PoolName=str(uuid.uuid4()))
        ${enableTotp}`,
    fact: facts.poolTotp,
  },
  {
    test: "user_authentication_flow",
    from: "GenerateSecret=True,",
    to: `GenerateSecret=True, ${userFlows},`,
    fact: facts.flows,
  },
  totpStep("user_authentication_flow", "        ", "- 30"),
  totpStep("test_user_authentication_flow_mfa_on", "    ", "- 30"),
  totpStep("test_user_authentication_flow_mfa_optional", "    ", "- 30"),
  totpStep("test_initiate_mfa_auth_USER_PASSWORD_AUTH_with_FORCE_CHANGE_PASSWORD_status", "    ", "- 30"),
  {
    test: "test_initiate_mfa_auth_USER_PASSWORD_AUTH_with_FORCE_CHANGE_PASSWORD_status",
    from: "third_user_code = totp.now()\n    if allow_aws_request",
    to: "third_user_code = totp.at(time.time() + 30)\n    if allow_aws_request",
    fact: facts.totpOnce,
  },
  totpStep("test_initiate_auth_USER_PASSWORD_AUTH_when_software_token_mfa_enabled", "    ", "+ 30"),
  {
    test: "test_initiate_auth_USER_PASSWORD_AUTH_when_software_token_mfa_enabled",
    from: 'AuthParameters={"USERNAME": username, "PASSWORD": password},',
    to: 'AuthParameters={"USERNAME": username, "PASSWORD": password, "SECRET_HASH": secret_hash},',
    fact: facts.secretHash,
  },
  {
    test: "test_initiate_auth_USER_PASSWORD_AUTH_user_not_found",
    from: 'AuthParameters={"USERNAME": "INVALIDUSER", "PASSWORD": result["password"]},',
    to: 'AuthParameters={"USERNAME": "INVALIDUSER", "PASSWORD": result["password"], "SECRET_HASH": base64.b64encode(hmac.new(result["client_secret"].encode(), ("INVALIDUSER" + result["client_id"]).encode(), hashlib.sha256).digest()).decode()},',
    fact: facts.secretHash,
  },
  {
    test: "test_initiate_auth_USER_PASSWORD_AUTH_user_incorrect_password",
    from: '"PASSWORD": "NotAuthorizedException",',
    to: '"PASSWORD": "NotAuthorizedException", "SECRET_HASH": result["secret_hash"],',
    fact: facts.secretHash,
  },
  secretlessClient("test_initiate_auth_USER_PASSWORD_AUTH_with_FORCE_CHANGE_PASSWORD_status", userFlows),
  secretlessClient("test_initiate_auth_USER_PASSWORD_AUTH_unconfirmed_user", userFlows),
  ...["test_initiate_auth_USER_SRP_AUTH", "test_initiate_auth_USER_SRP_AUTH_with_username_attributes"].flatMap(
    (test): Rewrite[] => [
      { test, from: signUp, to: signUpWithHash, fact: facts.secretHash },
      { test, from: confirmAnyCode, to: adminConfirm, fact: facts.anyCode },
    ],
  ),
  { test: "test_initiate_auth_for_unconfirmed_user", from: signUp, to: signUpWithHash, fact: facts.secretHash },
  { test: "test_initiate_auth_with_invalid_secret_hash", from: signUp, to: signUpWithHash, fact: facts.secretHash },
  { test: "test_initiate_auth_with_invalid_secret_hash", from: confirmAnyCode, to: adminConfirm, fact: facts.anyCode },
  {
    test: "test_confirm_sign_up",
    from: "_signup_and_confirm(client_id, conn, password, username)",
    to: `${signUpWithHash}
    ${adminConfirm}`,
    fact: `${facts.secretHash} ${facts.anyCode}`,
  },
  { test: "test_confirm_sign_up_with_username_attributes", from: signUp, to: signUpWithHash, fact: facts.secretHash },
  {
    test: "test_confirm_sign_up_with_username_attributes",
    from: confirmAnyCode,
    to: adminConfirm,
    fact: facts.anyCode,
  },
  {
    test: "test_respond_to_auth_challenge_with_invalid_secret_hash",
    from: `challenge = conn.initiate_auth(
        ClientId=result["client_id"],
        AuthFlow="USER_SRP_AUTH",`,
    to: `challenge = conn.initiate_auth(
        ClientId=result["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",`,
    fact: "AWS answers a PASSWORD_VERIFIER challenge whose PASSWORD_CLAIM_SIGNATURE is a uuid with NotAuthorizedException 'Incorrect username or password.' (the signature is an HMAC the SRP exchange must produce); moto accepts it. The rewrite reaches the SOFTWARE_TOKEN_MFA challenge the test is about with USER_PASSWORD_AUTH instead.",
  },
  {
    test: "test_respond_to_auth_challenge_with_invalid_secret_hash",
    from: `"SRP_A": uuid.uuid4().hex,
            "SECRET_HASH": valid_secret_hash,
        },
    )

    challenge = conn.respond_to_auth_challenge(
        ClientId=result["client_id"],
        ChallengeName=challenge["ChallengeName"],
        ChallengeResponses={
            "PASSWORD_CLAIM_SIGNATURE": str(uuid.uuid4()),
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge["Session"],
            "TIMESTAMP": str(uuid.uuid4()),
            "USERNAME": result["username"],
        },
    )`,
    to: `"PASSWORD": result["password"],
            "SECRET_HASH": valid_secret_hash,
        },
    )`,
    fact: "AWS answers a PASSWORD_VERIFIER challenge whose PASSWORD_CLAIM_SIGNATURE is a uuid with NotAuthorizedException 'Incorrect username or password.' (the signature is an HMAC the SRP exchange must produce); moto accepts it. The rewrite reaches the SOFTWARE_TOKEN_MFA challenge the test is about with USER_PASSWORD_AUTH instead.",
  },
  {
    test: "test_admin_setting_single_mfa",
    from: "conn.admin_create_user(UserPoolId=user_pool_id, Username=username)",
    to: `conn.admin_create_user(UserPoolId=user_pool_id, Username=username, UserAttributes=[${phone}])`,
    fact: facts.smsDelivery,
  },
  ...[
    "test_admin_setting_mfa_totp_and_sms",
    "test_admin_initiate_auth_when_token_totp_enabled",
    "test_admin_initiate_auth_when_token_totp_enabled_invalid",
  ].flatMap((test): Rewrite[] => [
    {
      test,
      from: "resp = conn.associate_software_token(AccessToken=access_token)",
      to: `conn.admin_update_user_attributes(UserPoolId=user_pool_id, Username=username, UserAttributes=[${phone}])
    resp = conn.associate_software_token(AccessToken=access_token)`,
      fact: facts.smsDelivery,
    },
  ]),
  totpStep("test_admin_initiate_auth_when_token_totp_enabled", "    ", "- 30"),
  ...[
    "test_admin_set_user_password",
    "test_admin_set_invalid_user_password",
    "test_admin_set_invalid_user_password__custom_policy_provided",
  ].map((test): Rewrite => ({
    test,
    from: 'UserAttributes=[{"Name": "thing", "Value": value}],',
    to: 'UserAttributes=[{"Name": "given_name", "Value": value}],',
    fact: facts.thing,
  })),
  {
    test: "test_admin_set_user_password",
    from: '_verify_attribute("thing", value)',
    to: '_verify_attribute("given_name", value)',
    fact: facts.thing,
  },
  ...[
    "test_confirm_forgot_password_opt_in_verification_invalid_confirmation_code",
    "test_admin_reset_password_disabled_user",
    "test_admin_reset_password_unconfirmed_user",
    "test_admin_reset_password_no_verified_notification_channel",
    "test_admin_reset_password_multiple_invocations",
  ].map((test): Rewrite => ({ test, from: uuidTemporary, to: validTemporary, fact: facts.temporaryPassword })),
  {
    test: "test_confirm_forgot_password_opt_in_verification_invalid_confirmation_code",
    from: uuidPassword,
    to: validPassword,
    fact: facts.password,
  },
  ...[
    "test_admin_reset_password_no_verified_notification_channel",
    "test_admin_reset_password_multiple_invocations",
  ].map((test): Rewrite => ({
    test,
    from: `client.confirm_sign_up(
        ClientId=client_id, Username=username, ConfirmationCode="123456"
    )`,
    to: 'client.admin_set_user_password(UserPoolId=user_pool_id, Username=username, Password="P2$Sword", Permanent=True)',
    fact: facts.anyCode,
  })),
  {
    test: "test_admin_initiate_auth__use_access_token",
    from: "pw = str(uuid.uuid4())",
    to: 'pw = "P2$Sword"',
    fact: facts.temporaryPassword,
  },
  {
    test: "test_admin_initiate_auth__use_access_token",
    from: 'client.confirm_sign_up(ClientId=client_id, Username=un, ConfirmationCode="123456")',
    to: "client.admin_set_user_password(UserPoolId=user_pool_id, Username=un, Password=pw, Permanent=True)",
    fact: facts.anyCode,
  },
  secretlessClient("test_admin_initiate_auth__use_access_token", adminFlows),
  ...(
    [
      [
        "test_admin_initiate_auth_when_sms_mfa_enabled",
        "    # Set MFA SMS methods\n    conn.admin_set_user_mfa_preference(",
      ],
      ["test_initiate_auth_USER_PASSWORD_AUTH_when_sms_mfa_enabled", "    conn.admin_set_user_mfa_preference("],
    ] as const
  ).flatMap(([test, before]): Rewrite[] => [
    {
      test,
      from: before,
      to: `    ${enableSms}
    conn.admin_update_user_attributes(UserPoolId=user_pool_id, Username=username, UserAttributes=[${phone}])
${before}`,
      fact: `${facts.smsDelivery} And SMS MFA needs the pool's SmsMfaConfiguration with an SNS role (API reference, SetUserPoolMfaConfig); moto's pool has none.`,
    },
    { test, from: '"SMS_MFA_CODE": "123456",', to: `"SMS_MFA_CODE": ${smsCodeFromOutbox},`, fact: facts.smsCode },
  ]),
  {
    test: "test_initiate_auth_USER_PASSWORD_AUTH_when_sms_mfa_enabled",
    from: 'AuthParameters={"USERNAME": username, "PASSWORD": password},',
    to: 'AuthParameters={"USERNAME": username, "PASSWORD": password, "SECRET_HASH": secret_hash},',
    fact: facts.secretHash,
  },
  {
    test: "test_initiate_auth_USER_PASSWORD_AUTH_when_sms_mfa_enabled",
    from: 'assert result["ChallengeParameters"] == {}\n    assert result["Session"] is not None',
    to: 'assert result["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"\n    assert result["Session"] is not None',
    fact: "AWS's SMS_MFA challenge says where the code went, in CODE_DELIVERY_DELIVERY_MEDIUM and CODE_DELIVERY_DESTINATION (amazon-cognito-identity-js hands both to its mfaRequired callback); moto sends no parameters.",
  },
  {
    test: "test_confirm_forgot_password_with_non_existent_client_id_raises_error",
    from: 'ClientId="non-existent-client-id",',
    to: 'ClientId="nonexistentclientid",',
    fact: "ClientId must match [\\w+]+ (API reference, ConfirmForgotPassword); AWS answers 'non-existent-client-id' with InvalidParameterException before it looks for the client. A well-formed unknown id still measures the ResourceNotFoundException the test wants.",
  },
];
