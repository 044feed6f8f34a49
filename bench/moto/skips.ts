/**
 * moto tests the runner skips, by test name (a parametrised test's name covers all its cases),
 * each with why. Three kinds:
 * - `internals`: the test reaches into moto itself (its models, environment switches, fixed
 *   keys), which no server on the other end of a socket can offer.
 * - `lenient`: moto accepts what AWS refuses; the reason quotes the AWS fact, and the test is
 *   not rewritten because nothing of it would be left to measure.
 * - `client`: the runner's Debian boto3 (botocore 1.29) does not know the operation or member.
 */
import { poolSettingsSkips } from "./pool-settings-triage.ts";

export type SkipKind = "internals" | "lenient" | "client";

export interface Skip {
  readonly kind: SkipKind;
  readonly reason: string;
}

export const skips: Readonly<Record<string, Skip>> = {
  ...poolSettingsSkips,
  test_create_user_pool_should_have_all_default_attributes_in_schema: {
    kind: "internals",
    reason:
      "compares the schema with moto's own table (moto.cognitoidp.models.CognitoIdpUserPoolAttribute.STANDARD_SCHEMA)",
  },
  test_idtoken_contains_kid_header: {
    kind: "internals",
    reason:
      "fetches the JWKS of a pool called 'someuserpoolid' from moto's fixed key set; the emulator publishes each real pool's keys at /<pool id>/.well-known/jwks.json",
  },
};
