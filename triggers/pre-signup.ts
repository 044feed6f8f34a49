/**
 * The pool's PreSignUp trigger: refuses a second account with an email address another account
 * already has, in any letter case ("Ada@Example.com" and "ada@example.com" are one address to
 * a person, two to Cognito). Deploy it as a Lambda function (see README.md); the emulator runs
 * this same file in development (packages/emulator/seeds/dev.json).
 *
 * It asks the pool itself through ListUsers, whose attribute filters are case-insensitive
 * ("All searches are case-insensitive", Developer Guide, Searching for users with the ListUsers
 * API). The function's role needs cognito-idp:ListUsers on the pool.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html
 *
 * Environment: COGNITO_ENDPOINT (or GATEHOUSE_EMULATOR_URL, which the emulator sets for the
 * triggers it runs) points the SDK at an emulator; unset, the SDK talks to Cognito in the
 * pool's region with the function's role.
 */
import { CognitoIdentityProviderClient, ListUsersCommand } from "@aws-sdk/client-cognito-identity-provider";

/**
 * The refusal's message; the client sees "PreSignUp failed with error <this>.". The app matches
 * it (preSignUpEmailTaken in packages/app/src/accounts/cognito.ts): change the two together.
 */
export const emailTakenMessage = "An account with this email address already exists.";

export interface PreSignUpEvent {
  readonly region: string;
  readonly userPoolId: string;
  readonly userName: string;
  readonly triggerSource: string;
  readonly request: { readonly userAttributes: Readonly<Record<string, string>> };
  readonly response: Record<string, unknown>;
}

const clients = new Map<string, CognitoIdentityProviderClient>();

/** One client per region, kept between invocations as a warm Lambda keeps it. */
function cognitoFor(region: string): CognitoIdentityProviderClient {
  let client = clients.get(region);
  if (!client) {
    const endpoint = process.env.COGNITO_ENDPOINT || process.env.GATEHOUSE_EMULATOR_URL || undefined;
    client = new CognitoIdentityProviderClient({
      region,
      ...(endpoint
        ? // The emulator checks no signature, but the SDK will not send unsigned requests.
          { endpoint, credentials: { accessKeyId: "gatehouse-local", secretAccessKey: "gatehouse-local" } }
        : {}),
    });
    clients.set(region, client);
  }
  return client;
}

/** A ListUsers filter value: quotes and backslashes escaped. */
const quoted = (value: string): string => `"${value.replace(/["\\]/g, "\\$&")}"`;

export const handler = async (event: PreSignUpEvent): Promise<PreSignUpEvent> => {
  const email = event.request.userAttributes.email;
  if (!email) return event;
  const { Users = [] } = await cognitoFor(event.region).send(
    new ListUsersCommand({
      UserPoolId: event.userPoolId,
      Filter: `email = ${quoted(email)}`,
      AttributesToGet: ["email"],
      Limit: 10,
    }),
  );
  // Compared here too, so the rule holds whatever the service's filter does with case.
  const wanted = email.toLowerCase();
  const taken = Users.some(
    (user) =>
      user.Username !== event.userName &&
      user.Attributes?.some((a) => a.Name === "email" && a.Value?.toLowerCase() === wanted),
  );
  if (taken) throw new Error(emailTakenMessage);
  return event;
};
