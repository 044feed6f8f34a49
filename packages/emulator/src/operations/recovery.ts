/**
 * Self-service password recovery: ForgotPassword and ConfirmForgotPassword.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ForgotPassword.html
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmForgotPassword.html
 *
 * Which users may recover, and where the code goes:
 * - only to a *verified* email or phone: "If neither a verified phone number nor a verified email
 *   exists, this API returns InvalidParameterException";
 * - in the order of the pool's AccountRecoverySetting, or, without one, Cognito's legacy order
 *   "where SMS is preferred over email";
 * - never for a disabled user ("User is disabled.") nor for one who still holds a temporary
 *   password (FORCE_CHANGE_PASSWORD: "User password cannot be reset in the current state.").
 *
 * With PreventUserExistenceErrors=ENABLED, "when a user isn't found, is deactivated, or doesn't
 * have a verified delivery mechanism", ForgotPassword answers with a simulated delivery, and
 * ConfirmForgotPassword "returns the CodeMismatchException error for users that don't exist or
 * are disabled" (Developer Guide, Managing user existence error responses).
 */
import { consumeCode, issueCode, simulatedDelivery } from "../codes.ts";
import { CognitoError, invalidParameter, messages, notAuthorized } from "../errors.ts";
import type { Pool, User } from "../model.ts";
import { shape } from "../shapes.ts";
import { currentUser, passwordFields } from "../users.ts";
import {
  assertSecretHash,
  clientId,
  clientMetadata,
  confirmationCode,
  findUser,
  password,
  requireClient,
  secretHash,
  username,
} from "./common.ts";
import { defineOperation } from "./operation.ts";
import { migrateUser } from "../triggers/migration.ts";
import { postConfirmation } from "../triggers/sign-up.ts";

const userContextData = shape.structure({ IpAddress: shape.string(), EncodedData: shape.string() });
const analyticsMetadata = shape.structure({ AnalyticsEndpointId: shape.string() });

type RecoveryAttribute = "email" | "phone_number";

/** The verified contacts a code may go to, best first, or "admin_only". */
function recoveryOrder(pool: Pool): RecoveryAttribute[] | "admin_only" {
  const mechanisms = pool.config.AccountRecoverySetting?.RecoveryMechanisms;
  if (!mechanisms || mechanisms.length === 0) return ["phone_number", "email"];
  const sorted = [...mechanisms].sort((a, b) => a.Priority - b.Priority).map((m) => m.Name);
  if (sorted.includes("admin_only")) return "admin_only";
  return sorted.flatMap((name): RecoveryAttribute[] =>
    name === "verified_email" ? ["email"] : name === "verified_phone_number" ? ["phone_number"] : [],
  );
}

/** Where this user's recovery code goes: a verified contact in the pool's order, or null. */
function recoveryTarget(user: User, order: RecoveryAttribute[]): RecoveryAttribute | null {
  return (
    order.find((attribute) => user.attributes[attribute] && user.attributes[`${attribute}_verified`] === "true") ?? null
  );
}

const unknownUser = (): CognitoError => new CognitoError("UserNotFoundException", messages.usernameClientNotFound);

export const recoveryOperations = {
  ForgotPassword: defineOperation(
    shape.structure({
      ClientId: clientId,
      SecretHash: secretHash,
      Username: username,
      UserContextData: userContextData,
      AnalyticsMetadata: analyticsMetadata,
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const { client, pool } = requireClient(ctx, request.ClientId);
      assertSecretHash(client, request.Username, request.SecretHash);
      const hideExistence = client.config.PreventUserExistenceErrors === "ENABLED";
      const order = recoveryOrder(pool);
      if (order === "admin_only") {
        // The pool lets only administrators reset passwords (AdminResetUserPassword). The
        // exception is AWS's; the wording is ours, not confirmed against AWS.
        throw notAuthorized("Contact administrator to reset password.");
      }
      // A user the pool does not know may be in the directory a UserMigration trigger reads.
      const user =
        findUser(ctx, pool, request.Username) ?? (await migrateUser(ctx, pool, client, request.Username, null));
      const simulated = () => ({ CodeDeliveryDetails: simulatedDelivery(pool, request.Username) });
      if (!user) {
        if (hideExistence) return simulated();
        throw unknownUser();
      }
      if (!user.enabled) {
        if (hideExistence) return simulated();
        throw notAuthorized(messages.userDisabled);
      }
      if (user.status === "FORCE_CHANGE_PASSWORD") throw notAuthorized(messages.passwordCannotBeReset);
      const target = recoveryTarget(user, order);
      if (!target) {
        if (hideExistence) return simulated();
        throw invalidParameter(messages.noRecoveryDestination);
      }
      // The user keeps their status and their password until ConfirmForgotPassword: asking for a
      // code changes nothing else, so a stranger cannot lock anyone out by asking.
      const delivery = issueCode(ctx, pool, user, "FORGOT_PASSWORD", "FORGOT_PASSWORD", target);
      if (!delivery) throw invalidParameter(messages.noRecoveryDestination);
      return { CodeDeliveryDetails: delivery };
    },
  ),

  ConfirmForgotPassword: defineOperation(
    shape.structure({
      ClientId: clientId,
      SecretHash: secretHash,
      Username: username,
      ConfirmationCode: confirmationCode,
      Password: password,
      UserContextData: userContextData,
      AnalyticsMetadata: analyticsMetadata,
      ClientMetadata: clientMetadata,
    }),
    async (ctx, request) => {
      const { client, pool } = requireClient(ctx, request.ClientId);
      assertSecretHash(client, request.Username, request.SecretHash);
      const hideExistence = client.config.PreventUserExistenceErrors === "ENABLED";
      const found = findUser(ctx, pool, request.Username);
      if (!found || !found.enabled) {
        if (hideExistence) throw new CognitoError("CodeMismatchException", messages.codeMismatch);
        if (!found) throw unknownUser();
        throw notAuthorized(messages.userDisabled);
      }
      // The policy is checked (and the new password hashed) before the code is looked at: a
      // password the pool refuses must not spend the code or count as a wrong try.
      const secrets = await passwordFields(ctx, pool, found.username, request.Password);
      // From here on nothing awaits, so the code and the password change as one step.
      const user = currentUser(ctx, found);
      consumeCode(ctx, user, "FORGOT_PASSWORD", request.ConfirmationCode);
      const updated = ctx.store.transaction(() => {
        const status =
          user.status === "RESET_REQUIRED" || user.status === "FORCE_CHANGE_PASSWORD" ? "CONFIRMED" : user.status;
        return ctx.store.users.update(user, { ...secrets, status }, ctx.clock.now());
      });
      await postConfirmation(ctx, pool, updated, "PostConfirmation_ConfirmForgotPassword");
      return {};
    },
  ),
};
