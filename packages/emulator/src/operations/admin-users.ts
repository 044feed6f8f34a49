/**
 * Administrators' user operations (IAM-authorised in AWS; the emulator accepts any SigV4).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminConfirmSignUp.html
 */
import { notAuthorized } from "../errors.ts";
import { shape } from "../shapes.ts";
import { clientMetadata, requirePool, requireUser, userPoolId, username } from "./common.ts";
import { defineOperation } from "./operation.ts";
import { confirmUser } from "./signup.ts";

export const adminUserOperations = {
  AdminConfirmSignUp: defineOperation(
    shape.structure({ UserPoolId: userPoolId, Username: username, ClientMetadata: clientMetadata }),
    (ctx, request) => {
      const pool = requirePool(ctx, request.UserPoolId);
      const user = requireUser(ctx, pool, request.Username);
      if (user.status !== "UNCONFIRMED") {
        throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
      }
      ctx.store.transaction(() => confirmUser(ctx, pool, user, false));
      return {};
    },
  ),
};
