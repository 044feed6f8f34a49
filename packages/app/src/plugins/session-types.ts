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

/** A sign-in waiting on a Cognito challenge (NEW_PASSWORD_REQUIRED). */
export interface PendingChallenge {
  readonly name: "NEW_PASSWORD_REQUIRED";
  readonly username: string;
  readonly session: string;
  readonly next: string;
}

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
  /**
   * Set only by the back office's own sign-in (local password, then its second factor when one
   * is needed): the back office opens for this session and no other, so a Cognito sign-in on
   * the public site never opens /admin, whoever the account is.
   */
  backofficeSignIn?: { readonly at: number };
  /** The secret behind the CSRF tokens of this session's forms (@fastify/csrf-protection). */
  _csrf?: string;
}
