/**
 * Every message a person reads about their account, keyed by a stable code: Cognito's
 * exceptions, form validation and flash messages. This is the one place translations plug in;
 * code elsewhere passes codes (and parameters), never literal sentences.
 */
export const messages = {
  // Cognito outcomes
  INCORRECT_CREDENTIALS: "Incorrect username or password.",
  USER_NOT_CONFIRMED: "Your email address is not confirmed yet. We have sent you a new code.",
  PASSWORD_RESET_REQUIRED: "You need to choose a new password. We have sent a code to your email address.",
  USER_DISABLED: "This account is disabled. Please contact support if you think this is a mistake.",
  USERNAME_EXISTS: "That username is already taken. Choose another, or sign in if it is yours.",
  EMAIL_EXISTS: "An account with this email address already exists.",
  INVALID_PASSWORD: "This password does not meet the requirements: {detail}",
  INVALID_PARAMETER: "Some of the information is not valid. Please check it and try again.",
  CODE_MISMATCH: "That code is not right. Check the most recent email we sent you and try again.",
  /**
   * A code refused on the pages before sign-in, whatever the reason (wrong, expired, used up,
   * account already confirmed, no such account): one answer, so no account is revealed.
   */
  CODE_NOT_ACCEPTED:
    "That code is not right or no longer valid. Check the most recent email we sent you, or send a new code.",
  CODE_EXPIRED: "That code has expired. Ask for a new one below.",
  TOO_MANY_ATTEMPTS: "Too many attempts. Please wait a few minutes and try again.",
  CODE_DELIVERY_FAILED: "We could not send the code. Please check the email address and try again.",
  TOO_MANY_REQUESTS: "Too many requests right now. Please wait a moment and try again.",
  ALREADY_CONFIRMED: "This account is already confirmed. You can sign in.",
  USER_NOT_FOUND: "We could not find that account.",
  /** A pool trigger refused the request for a reason the app has no message of its own for. */
  REQUEST_REFUSED: "We could not accept this. Please check what you entered, or contact support if it keeps happening.",
  ACCOUNT_CONFLICT: "This username belongs to another account here. Please contact support.",
  SESSION_EXPIRED: "This step took too long. Please sign in again.",
  NOT_AUTHORIZED: "You are not allowed to do that. Please sign in again.",
  SERVICE_UNAVAILABLE: "The sign-in service is not answering. Please try again in a moment.",
  UNEXPECTED: "Something went wrong. Please try again.",

  // Form validation
  FIELD_REQUIRED: "This field is required.",
  USERNAME_INVALID: "Use up to 128 letters, digits and symbols, without spaces.",
  USERNAME_IS_EMAIL: "Your username cannot be an email address; enter the email address below.",
  EMAIL_INVALID: "Enter a valid email address.",
  PASSWORDS_DIFFER: "The two passwords do not match.",
  PASSWORD_TOO_SHORT: "Use at least {min} characters.",
  PASSWORD_NEEDS_LOWERCASE: "Include a lower-case letter.",
  PASSWORD_NEEDS_UPPERCASE: "Include an upper-case letter.",
  PASSWORD_NEEDS_NUMBER: "Include a number.",
  PASSWORD_NEEDS_SYMBOL: "Include a symbol such as ! or %.",
  PASSWORD_HAS_SPACES: "Passwords cannot begin or end with a space.",
  CODE_INVALID: "Enter the 6-digit code from the email.",
  NAME_TOO_LONG: "Use at most 100 characters.",
  NAME_INVALID: "This contains characters that cannot be part of a name.",
  CURRENT_PASSWORD_WRONG: "Your current password is not right.",
  PASSWORD_UNCHANGED: "Choose a password that is different from your current one.",
  EMAIL_UNCHANGED: "This is already your email address.",
  DELETE_CONFIRMATION_MISMATCH: "Type your username, {username}, exactly as shown.",
  NO_COGNITO_ACCOUNT: "This account does not sign in through Cognito, so it cannot be changed here.",
  FORM_HAS_ERRORS: "Please correct the problem below.",

  // Flash messages
  SIGNED_UP: "Account created. We have sent a confirmation code to {destination}.",
  SIGNED_UP_CONFIRMED: "Account created. You can sign in now.",
  CODE_SENT: "We have sent a new code to {destination}.",
  CONFIRMED: "Your email address is confirmed. You can sign in now.",
  SIGNED_IN: "Welcome back, {username}.",
  SIGNED_OUT: "You have been signed out.",
  SIGNED_OUT_EVERYWHERE: "You have been signed out on every device.",
  SESSION_ENDED: "Your session has ended. Please sign in again.",
  RESET_CODE_SENT: "If an account exists for that name, we have sent a code to its email address.",
  CONFIRM_CODE_SENT: "If that account is waiting for confirmation, we have sent a new code to its email address.",
  PASSWORD_RESET: "Your password has been changed. Sign in with your new password.",
  PASSWORD_CHANGED: "Your password has been changed. Your other sessions on this site have been signed out.",
  PROFILE_UPDATED: "Your profile has been updated.",
  EMAIL_CODE_SENT: "We have sent a code to {destination}. Enter it below to confirm your new email address.",
  EMAIL_VERIFIED: "Your email address is confirmed.",
  EMAIL_CHANGED_UNVERIFIED: "Your email address has been changed. It is not confirmed yet: ask for a code below.",
  NOTHING_CHANGED: "Nothing has changed.",
  ACCOUNT_DELETED: "Your account has been deleted.",
  LOGIN_REQUIRED: "Please sign in to see that page.",

  // Pages before sign-in: sign-in, sign-up, confirmation, recovery
  USER_NOT_CONFIRMED_CODE_PENDING:
    "Your email address is not confirmed yet. Enter the code from the most recent email we sent you.",
  PASSWORD_RESET_REQUIRED_CODE_PENDING:
    "You need to choose a new password. Enter the code from the most recent email we sent you.",
  NEW_PASSWORD_NEEDED: "Your account was set up with a temporary password. Choose your own password to continue.",
  PASSWORD_TOO_LONG: "Use at most {max} characters.",
  PASSWORD_HINT: "At least {min} characters, including {requirements}.",
  PASSWORD_HINT_LENGTH_ONLY: "At least {min} characters.",
  POLICY_UPPERCASE: "an upper-case letter",
  POLICY_LOWERCASE: "a lower-case letter",
  POLICY_NUMBER: "a number",
  POLICY_SYMBOL: "a symbol such as ! or %",

  CAPTCHA_REQUIRED:
    "Please let the check that you are a person finish (tick “I am not a robot”), then send the form again.",

  HOSTED_SIGN_IN_FAILED: "The hosted sign-in did not finish. Please try again.",

  // Two-step verification
  MFA_CODE_INVALID: "Enter the 6-digit code.",
  MFA_CODE_WRONG: "That code is not right. Check it and try again; a code works once.",
  MFA_CODE_USED: "That code has been used already. Enter the next one your app shows.",
  MFA_CODE_NEEDED: "Enter a code to finish signing in.",
  MFA_SETUP_REQUIRED:
    "This site asks every account for a second step at sign-in. Set up an authenticator app to continue.",
  MFA_SETUP_UNSUPPORTED: "This account must set up a second step that this site cannot offer. Please contact support.",
  CODE_SIGN_IN_UNAVAILABLE: "Signing in with an emailed code is not available for this account. Use your password.",
  CODE_SIGN_IN_SENT: "If an account can sign in with an emailed code, we have sent one to its email address.",
  TOTP_ENABLED: "Your authenticator app is set up. You will be asked for a code when you sign in.",
  TOTP_DISABLED: "Your authenticator app no longer signs you in.",
  EMAIL_MFA_ENABLED: "Emailed codes are on: you will be asked for one when you sign in.",
  EMAIL_MFA_DISABLED: "Emailed codes no longer sign you in.",
  MFA_PREFERRED: "Your preferred second step is saved.",
  EMAIL_MFA_NEEDS_VERIFIED_EMAIL: "Confirm your email address first: codes are only sent to a confirmed address.",
  TOTP_SETUP_EXPIRED: "The setup expired. Start again to get a new secret.",
  MFA_REQUIRED_BY_POOL: "This site requires a second step, so you cannot turn off the last one.",
} as const;

export type MessageCode = keyof typeof messages;

/** The message for `code`, with `{name}` placeholders filled from `params`. */
export function t(code: MessageCode, params: Readonly<Record<string, string | number>> = {}): string {
  return messages[code].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
