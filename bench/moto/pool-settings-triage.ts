/**
 * The rewrites and skips of moto's tests of pool, client, domain, group, resource-server and
 * ListUsers settings, kept apart from the sign-in flows' (rewrites.ts, skips.ts), which merge
 * them in. Same rules and fields as there.
 */
import type { Rewrite } from "./rewrites.ts";
import type { Skip } from "./skips.ts";

const thingFact =
  "AdminCreateUser refuses an attribute the pool's schema lacks ('Attributes did not conform to the schema: thing: Attribute does not exist in the schema.'; custom attributes are named custom:…, API reference: UserAttributes); moto stores an attribute named thing. The standard given_name, which every pool has, stands in.";
const redirectUriFact =
  'CallbackURLs must be absolute URIs without a fragment, HTTPS except for http://localhost (API reference, CreateUserPoolClient: "A redirect URI must: Be an absolute URI …"); moto accepts a bare uuid, which is no URI. An HTTPS URL named by the same uuid stands in.';
const roleArnFact =
  "RoleArn must match arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:… (API reference, CreateGroup: ArnType), so an ARN needs an account id; AWS answers moto's arn:aws:iam:::role/my-iam-role with 'Invalid ARN format …' (terraform-provider-aws#4236). The same role in account 123456789012 stands in.";
const listOrderFact =
  "ListResourceServers documents no order for its pages (API reference: a list of resource servers, NextToken to the next); moto compares the n-th listed server with the n-th created. Each listed server is compared with the created one of its Identifier instead; the page sizes are still checked.";
const cloudFrontFact =
  "The CloudFront distribution in front of a custom domain is AWS's to name (API reference: CloudFrontDomain, the endpoint to alias in DNS); moto's fixed e2c343b3293ee505.cloudfront.net is its own constant, so only the cloudfront.net host is compared.";
const serverNameFact =
  "A resource server's Name must match [\\w\\s+=,.@-]+ (API reference, CreateResourceServer); moto's literal 'new_remote_server{id_num}' (an f-string without its f) has braces, which AWS refuses with a validation error. The f-string moto meant stands in.";
const customDomainFact =
  "A custom domain (one given CustomDomainConfig) is a fully qualified domain name such as auth.example.com (API reference, CreateUserPoolDomain: Domain); moto's bare uuid is a prefix, which AWS does not take with a certificate.";

/** The same rewrite in each of `tests` (each names its own test, as the runner requires). */
const eachTest = (tests: readonly string[], rewrite: Omit<Rewrite, "test">): Rewrite[] =>
  tests.map((test) => ({ test, ...rewrite }));

export const poolSettingsRewrites: readonly Rewrite[] = [
  {
    test: "test_create_user_pool_unknown_attribute_data_type",
    from: `== f"Validation error detected: Value '{attribute_data_type}' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]"`,
    to: `.startswith(f"1 validation error detected: Value '{attribute_data_type}' at 'schema.1.member.attributeDataType' failed to satisfy constraint: Member must satisfy enum value set: [")`,
    fact: "AWS's input validation counts the errors and names the member: \"1 validation error detected: Value 'false' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]\" (CreateUserPool as CloudFormation relays it, rosberglinhares/CloudFormationCognitoCustomResources#1); moto's text has neither. That enum is not listed in the model's order, so only the words before it are compared.",
  },
  {
    test: "test_set_user_pool_mfa_config",
    from: `== "At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] must be provided."`,
    to: `== "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."`,
    fact: "AWS answers MFA ON with no factor \"Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.\" (quoted in anomalyco/sst#5177 and aws/aws-sdk-js#4186); moto's sentence is its own.",
  },
  {
    test: "test_set_user_pool_mfa_config",
    from: `== "[SmsConfiguration] is a required member of [SoftwareTokenMfaConfiguration]."`,
    to: `== "Invalid SMS MFA configuration given, external id and a valid caller arn are required"`,
    fact: 'AWS answers SMS MFA in a pool without an SMS configuration "Invalid SMS MFA configuration given, external id and a valid caller arn are required" (measured against AWS in floci-io/floci#2831); moto\'s sentence is its own.',
  },
  {
    test: "test_set_user_pool_mfa_config",
    from: `== "[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'."`,
    to: `== "1 validation error detected: Value 'Invalid' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]"`,
    fact: "AWS's input validation refuses an MfaConfiguration outside the enum as \"1 validation error detected: Value 'false' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]\" (rosberglinhares/CloudFormationCognitoCustomResources#1); moto's sentence is its own.",
  },
  {
    test: "test_set_user_pool_mfa_config",
    from: `{"SnsCallerArn": "01234567890123456789"}`,
    to: `{"SnsCallerArn": "arn:aws:iam::123456789012:role/sns-caller"}`,
    fact: "SnsCallerArn must match the ARN pattern arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+… (API reference, SmsConfigurationType); moto's twenty digits are no ARN, which AWS refuses with a validation error.",
  },
  {
    test: "test_update_user_pool",
    from: `assert updated_user_pool_details["UserPool"]["Policies"] == new_policies`,
    to: `assert updated_user_pool_details["UserPool"]["Policies"] == {"PasswordPolicy": {**new_policies["PasswordPolicy"], "TemporaryPasswordValidityDays": 7}}`,
    fact: "DescribeUserPool reports the password policy's TemporaryPasswordValidityDays, 7 when it was not set (AWS's answers quoted in boto/boto3#2516 and aws-amplify/amplify-js#12906); moto leaves it out.",
  },
  ...eachTest(
    [
      "test_create_user_pool_client_default_id_strategy",
      "test_create_user_pool_client_returns_secret",
      "test_describe_user_pool_client",
    ],
    {
      from: `value = str(uuid.uuid4())`,
      to: `value = f"https://{uuid.uuid4()}.example.com/callback"`,
      fact: redirectUriFact,
    },
  ),
  ...eachTest(["test_update_user_pool_client", "test_update_user_pool_client_returns_secret"], {
    from: `old_value = str(uuid.uuid4())`,
    to: `old_value = f"https://{uuid.uuid4()}.example.com/callback"`,
    fact: redirectUriFact,
  }),
  ...eachTest(["test_update_user_pool_client", "test_update_user_pool_client_returns_secret"], {
    from: `new_value = str(uuid.uuid4())`,
    to: `new_value = f"https://{uuid.uuid4()}.example.com/callback"`,
    fact: redirectUriFact,
  }),
  {
    test: "test_create_user_pool_domain",
    from: `assert result["CloudFrontDomain"] is not None`,
    to: `assert "CloudFrontDomain" not in result`,
    fact: 'CreateUserPoolDomain returns CloudFrontDomain only for a custom domain: "If you set an Amazon Cognito prefix domain, this operation returns a blank response" (API reference, CreateUserPoolDomain response; the AWS CLI\'s example of a prefix domain prints no output); moto names a distribution for a prefix.',
  },
  ...eachTest(["test_create_user_pool_domain_custom_domain_config", "test_update_user_pool_domain"], {
    from: `domain = str(uuid.uuid4())`,
    to: `domain = f"auth.{uuid.uuid4()}.example.com"`,
    fact: customDomainFact,
  }),
  ...eachTest(["test_create_user_pool_domain_custom_domain_config", "test_update_user_pool_domain"], {
    from: `assert result["CloudFrontDomain"] == "e2c343b3293ee505.cloudfront.net"`,
    to: `assert result["CloudFrontDomain"].endswith(".cloudfront.net")`,
    fact: cloudFrontFact,
  }),
  {
    test: "test_update_user_pool_domain",
    from: `conn.create_user_pool_domain(UserPoolId=user_pool_id, Domain=domain)`,
    to: `conn.create_user_pool_domain(UserPoolId=user_pool_id, Domain=domain, CustomDomainConfig={"CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT_ID}:certificate/000000000000"})`,
    fact: 'UpdateUserPoolDomain "updates the SSL certificate for user pool custom domains" and "doesn\'t change the name of your user pool domain" (API reference); a prefix domain has no certificate to replace, so moto\'s update of a prefix domain with a CustomDomainConfig is not one AWS makes. The domain is created as a custom domain with a first certificate.',
  },
  ...eachTest(["test_create_group", "test_update_group"], {
    from: `role_arn = "arn:aws:iam:::role/my-iam-role"`,
    to: `role_arn = "arn:aws:iam::123456789012:role/my-iam-role"`,
    fact: roleArnFact,
  }),
  {
    test: "test_update_group",
    from: `role_arn2 = "arn:aws:iam:::role/my-iam-role2"`,
    to: `role_arn2 = "arn:aws:iam::123456789012:role/my-iam-role2"`,
    fact: roleArnFact,
  },
  ...eachTest(["test_list_resource_servers_single_page", "test_list_resource_servers_multi_page"], {
    from: `server_name = "new_remote_server{id_num}"`,
    to: `server_name = f"new_remote_server{id_num}"`,
    fact: serverNameFact,
  }),
  ...eachTest(["test_list_resource_servers_single_page", "test_list_resource_servers_multi_page"], {
    from: `all_resource_svrs[idx]["ResourceServer"][key]`,
    to: `{s["ResourceServer"]["Identifier"]: s["ResourceServer"] for s in all_resource_svrs}[returned_servers[idx]["Identifier"]][key]`,
    fact: listOrderFact,
  }),
  {
    test: "test_list_resource_servers_multi_page",
    from: `all_resource_svrs[all_idx]["ResourceServer"][key]`,
    to: `{s["ResourceServer"]["Identifier"]: s["ResourceServer"] for s in all_resource_svrs}[returned_servers[idx]["Identifier"]][key]`,
    fact: listOrderFact,
  },
  ...eachTest(
    [
      "test_admin_create_user",
      "test_admin_create_user_with_username_attributes",
      "test_admin_create_user_with_incorrect_username_attribute_type_fails",
      "test_admin_create_user_with_existing_username_attribute_fails",
      "test_admin_create_existing_user",
      "test_admin_resend_invitation_existing_user",
      "test_admin_get_user",
      "test_admin_get_user_with_username_attributes",
    ],
    { from: `"thing"`, to: `"given_name"`, fact: thingFact, all: true },
  ),
  {
    test: "test_admin_create_user_with_incorrect_username_attribute_type_fails",
    from: `assert err["Message"] == "Username should be either an email or a phone number."`,
    to: `assert err["Message"] == "Username should be an email."`,
    fact: "In a pool whose UsernameAttributes are [email] alone, AWS answers a username that is not an email 'Username should be an email.' (AdminCreateUser, boto/boto3#3836); 'either an email or a phone number' is its answer where both are allowed (aws-amplify/amplify-js#533), which this pool is not.",
  },
  {
    test: "test_admin_create_user_with_existing_username_attribute_fails",
    from: `assert err["Message"] == "test@example.com"`,
    to: `assert err["Message"] == "An account with the given email already exists."`,
    fact: "AWS's UsernameExistsException for an email another user of an email-username pool has is 'An account with the given email already exists.' (quoted in jonsaw/amazon-cognito-identity-dart#73; for AdminCreateUser, boto/boto3#3213: the message states the email conflict); moto answers with the address itself.",
  },
  {
    test: "_assert_filter_parsing_error",
    from: `assert err["Message"] == "Error while parsing filter"`,
    to: `assert err["Message"] == "Error while parsing filter."`,
    fact: 'AWS answers a malformed ListUsers filter {"__type":"InvalidParameterException","message":"Error while parsing filter."}, with the full stop (raw response in aws/aws-sdk-php#1088); moto drops it. Only test_list_users_incorrect_filter uses this helper.',
  },
  {
    test: "test_list_users_inherent_attributes",
    from: `conn.confirm_sign_up(
        ClientId=client_id, Username=disabled_user_username, ConfirmationCode="123456"
    )`,
    to: `conn.admin_set_user_password(
        UserPoolId=user_pool_id, Username=disabled_user_username, Password="Confirmed-Pa55!", Permanent=True
    )`,
    fact: "ConfirmSignUp is for users who signed up: AWS answers it for a user AdminCreateUser made (FORCE_CHANGE_PASSWORD) with NotAuthorizedException 'User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD', and a confirmation code that was never sent cannot match. A permanent AdminSetUserPassword is AWS's way to make such a user CONFIRMED (API reference: 'sets the user's status to CONFIRMED'), which is what the rest of the test needs.",
  },
  {
    test: "test_list_users_with_attributes_to_get",
    from: `user_pool_id = conn.create_user_pool(PoolName=str(uuid.uuid4()))["UserPool"]["Id"]`,
    to: `user_pool_id = conn.create_user_pool(PoolName=str(uuid.uuid4()), Schema=[{"Name": "foo", "AttributeDataType": "String"}])["UserPool"]["Id"]`,
    fact: "AdminCreateUser refuses custom:foo unless the pool's schema declares it ('Attributes did not conform to the schema: custom:foo: Attribute does not exist in the schema.'); moto's pool has no custom attributes. The pool is made with custom:foo in its schema.",
  },
];

export const poolSettingsSkips: Readonly<Record<string, Skip>> = {};
