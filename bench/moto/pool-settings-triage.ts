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
];

export const poolSettingsSkips: Readonly<Record<string, Skip>> = {};
