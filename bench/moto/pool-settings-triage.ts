/**
 * The rewrites and skips of moto's tests of pool, client, domain, group, resource-server and
 * ListUsers settings, kept apart from the sign-in flows' (rewrites.ts, skips.ts), which merge
 * them in. Same rules and fields as there.
 */
import type { Rewrite } from "./rewrites.ts";
import type { Skip } from "./skips.ts";

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
];

export const poolSettingsSkips: Readonly<Record<string, Skip>> = {};
