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
];
