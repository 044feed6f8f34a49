/**
 * The measured cycle: SignUp → AdminConfirmSignUp → InitiateAuth (USER_PASSWORD_AUTH) →
 * GetUser, for a fresh username each time, over raw AWS JSON 1.1 on a keep-alive connection.
 */
import { type AwsJsonClient, objectField, stringField } from "../lib/aws-json.ts";
import { benchPassword, type PoolIds } from "./populate.ts";

export const cycleOperations = ["SignUp", "AdminConfirmSignUp", "InitiateAuth", "GetUser"] as const;
export type CycleOperation = (typeof cycleOperations)[number];
export type CycleTimings = Readonly<Record<CycleOperation, number>>;

export async function runCycle(client: AwsJsonClient, ids: PoolIds, username: string): Promise<CycleTimings> {
  const t0 = performance.now();
  await client.call("SignUp", { ClientId: ids.clientId, Username: username, Password: benchPassword });
  const t1 = performance.now();
  await client.call("AdminConfirmSignUp", { UserPoolId: ids.poolId, Username: username });
  const t2 = performance.now();
  const auth = await client.call("InitiateAuth", {
    ClientId: ids.clientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: username, PASSWORD: benchPassword },
  });
  const accessToken = stringField(objectField(auth, "AuthenticationResult"), "AccessToken");
  const t3 = performance.now();
  const user = await client.call("GetUser", { AccessToken: accessToken });
  const t4 = performance.now();
  if (stringField(user, "Username").toLowerCase() !== username.toLowerCase()) {
    throw new Error(`GetUser answered for ${String(user.Username)}, not ${username}`);
  }
  return { SignUp: t1 - t0, AdminConfirmSignUp: t2 - t1, InitiateAuth: t3 - t2, GetUser: t4 - t3 };
}
