/** What the app keeps in a server-side session (never in the cookie). */
export interface CognitoTokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
  /** Epoch ms when the access token expires. */
  readonly expiresAt: number;
}

export type FlashLevel = "success" | "info" | "warning" | "danger";
export interface FlashMessage {
  readonly level: FlashLevel;
  readonly text: string;
}

/** The second factors the site offers, as Cognito names them. */
export type MfaFactor = "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP" | "SMS_MFA";

/**
 * A step of a sign-in that Cognito answered with a challenge, as the next page needs it: a new
 * password (an account an administrator created), a code (from the authenticator app, or sent
 * by email or SMS), the choice between factors, or setting up an authenticator app first (the
 * pool requires MFA and the account has none).
 */
export type ChallengeStep =
  | { readonly name: "NEW_PASSWORD_REQUIRED" }
  | { readonly name: MfaFactor; readonly destination: string | null }
  | { readonly name: "SELECT_MFA_TYPE"; readonly factors: readonly MfaFactor[] }
  | { readonly name: "MFA_SETUP" };

/** A sign-in waiting on a Cognito challenge; `session` is Cognito's (valid a few minutes, single use). */
export type PendingChallenge = ChallengeStep & {
  /** Cognito's username (USER_ID_FOR_SRP), or what the person typed. */
  readonly username: string;
  readonly session: string;
  readonly next: string;
  /** What the person typed to sign in (username or email), checked against the account at the end. */
  readonly login: string;
  /** A sign-in with an emailed code instead of a password (USER_AUTH): "send it again" starts over. */
  readonly passwordless?: boolean;
  /** MFA_SETUP: the authenticator secret Cognito issued for this sign-in (AssociateSoftwareToken). */
  readonly totpSecret?: string;
};

/** Everything a session may hold; sessions.ts reads and writes it as JSON. */
export interface SessionData {
  userId?: string;
  cognito?: CognitoTokens;
  flash?: FlashMessage[];
  /** The username a confirmation or reset code was sent for. */
  pendingUsername?: string;
  challenge?: PendingChallenge;
  /**
   * The new email address a verification code was sent to from the account page. Cognito may
   * keep the old address until the new one is verified (UserAttributeUpdateSettings), so
   * GetUser alone cannot tell the page that a code is pending.
   */
  pendingEmail?: string;
  /** The authenticator secret Cognito issued on the account page (AssociateSoftwareToken), until its first code is verified. */
  pendingTotpSecret?: string;
  /**
   * Set only by the back office's own sign-in (local password, then its second factor when one
   * is needed): the back office opens for this session and no other, so a Cognito sign-in on
   * the public site never opens /admin, whoever the account is.
   */
  backofficeSignIn?: { readonly at: number };
  /** The secret behind the CSRF tokens of this session's forms (@fastify/csrf-protection). */
  _csrf?: string;
}
