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

const invalidRecoveryDestinations =
  "AWS refuses the user moto creates: 'test@m***' is not an email address ('Invalid email address format.') and '555555555' is not an E.164 phone number; and an admin-created user in FORCE_CHANGE_PASSWORD cannot reset its password ('User password cannot be reset in the current state.'). The test is about the masked destinations of exactly those values.";

export const skips: Readonly<Record<string, Skip>> = {
  ...poolSettingsSkips,
  // Sign-in flows (issue 15, helper-20's group).
  test_forgot_password: {
    kind: "lenient",
    reason:
      "ForgotPassword for a user that does not exist: a client created without PreventUserExistenceErrors has LEGACY (API reference, CreateUserPoolClient: 'Defaults to LEGACY when you don't provide a value'), so AWS answers UserNotFoundException 'Username/client id combination not found.'; moto invents an SMS delivery. Nothing else is left to measure.",
  },
  test_forgot_password_user_with_all_recovery_attributes: {
    kind: "lenient",
    reason: invalidRecoveryDestinations,
  },
  test_forgot_password_without_account_recovery_setting: {
    kind: "lenient",
    reason: invalidRecoveryDestinations,
  },
  test_forgot_password_nonexistent_user_or_user_without_attributes: {
    kind: "lenient",
    reason:
      "moto invents deliveries to '<user>@h***.com' and '+*******9934' for a user without email or phone and for one that does not exist; AWS answers the admin-created FORCE_CHANGE_PASSWORD user with NotAuthorizedException 'User password cannot be reset in the current state.' and the unknown one (LEGACY client) with UserNotFoundException. Every assertion is about the invented deliveries.",
  },
  test_confirm_forgot_password_legacy: {
    kind: "lenient",
    reason:
      "moto accepts any ConfirmationCode (a uuid) and any new password (a uuid, which the default policy refuses); AWS takes only the code it sent (CodeMismatchException otherwise, API reference ConfirmForgotPassword), and the admin-created FORCE_CHANGE_PASSWORD user gets no code ('User password cannot be reset in the current state.'). Nothing is left once both are replaced.",
  },
  test_confirm_forgot_password_opt_in_verification: {
    kind: "internals",
    reason: "reads the code from moto's own response header x-moto-forgot-password-confirmation-code",
  },
  test_admin_reset_password_and_change_password: {
    kind: "lenient",
    reason:
      "After AdminResetUserPassword the user is RESET_REQUIRED and AWS refuses its sign-in with PasswordResetRequiredException 'Password reset required for the user' (API reference, AdminInitiateAuth); moto instead answers the old temporary password with NEW_PASSWORD_REQUIRED, which the rest of the test relies on. It also confirms an admin-created user with ConfirmSignUp and any code, which AWS refuses.",
  },
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
