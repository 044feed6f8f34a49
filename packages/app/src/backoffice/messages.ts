/**
 * What the back office says, keyed by stable codes (STYLE: errors are data; the keys are where
 * translations plug in). `{name}` placeholders are filled by `say`.
 */
export const backofficeMessages = {
  // Sign-in
  LOGIN_INCORRECT:
    "Please enter the correct username and password for a staff account. Both fields may be case-sensitive.",
  LOGIN_LOCKED:
    "Too many failed sign-in attempts for this account. It is locked until {until}; try again then, or ask another administrator to check the account.",
  LOGIN_REQUIRED: "Please sign in with a staff account to see that page.",
  LOGIN_NOT_AUTHORIZED:
    "You are signed in as {username}, but are not authorized to access this page. Would you like to sign in to a different account?",
  BACKOFFICE_SIGN_IN_REQUIRED:
    "You are signed in to the site as {username}. The back office has its own sign-in: enter your back-office password.",
  SIGNED_OUT: "You have been signed out of the back office.",
  FIELD_REQUIRED: "This field is required.",

  // Two-step verification (an authenticator app, TOTP)
  MFA_CODE_FORMAT: "Enter the 6 digits your authenticator app shows.",
  MFA_CODE_INCORRECT: "That code is not right. Enter the code your authenticator app shows now.",
  MFA_CODE_USED: "That code has already been used. Wait for the next one in your authenticator app.",
  MFA_SIGN_IN_EXPIRED: "Your sign-in took too long. Please enter your password again.",
  MFA_UNREADABLE:
    "Your authenticator cannot be checked: the server’s secret key changed after it was set up. Ask a superuser to reset your two-step verification.",
  MFA_REQUIRED_SETUP:
    "This back office requires two-step verification. Set up an authenticator app to finish signing in.",
  MFA_ENABLED:
    "Two-step verification is on: the back office now asks for a code from your authenticator app after your password. Your other sessions have ended.",
  MFA_DISABLED: "Two-step verification is off.",
  MFA_SETUP_CANCELLED: "The set-up was cancelled; two-step verification stays off.",
  MFA_ALREADY_ON: "Two-step verification is already on.",
  MFA_NOT_PENDING: "There is no authenticator waiting to be confirmed; start the set-up again.",
  MFA_REQUIRED_CANNOT_DISABLE:
    "Two-step verification is required for every staff account here (BACKOFFICE_REQUIRE_MFA), so it cannot be turned off. A superuser can reset it if you change phones.",
  MFA_RESET: 'The two-step verification of "{username}" was reset and their sessions have ended.',
  MFA_RESET_SUPERUSER_ONLY: "Only a superuser can reset another staff member’s two-step verification.",
  MFA_RESET_SELF: "Turn off your own two-step verification on your Two-step verification page, with a current code.",
  MFA_NOTHING_TO_RESET: '"{username}" has no authenticator to reset.',
  FORM_INCOMPLETE: "The form arrived without its fields, so nothing was changed. Please fill it in and save again.",

  // Users
  USER_ADDED: 'The user "{username}" was added successfully. You may edit it again below.',
  USER_ADDED_COGNITO:
    'The user "{username}" was added successfully and created in Cognito; Cognito has emailed a temporary password to {email}.',
  USER_CHANGED: 'The user "{username}" was changed successfully.',
  USER_DEACTIVATED_SESSIONS: "Their sessions have ended.",
  USER_DELETED: 'The user "{username}" was deleted successfully.',
  NO_FIELDS_CHANGED: "No fields changed.",
  PASSWORD_CHANGED: 'The password of "{username}" was changed successfully.',
  PASSWORD_REMOVED: '"{username}" no longer has a local password and cannot sign in to the back office.',
  USERNAME_TAKEN: "A user with that username already exists.",
  EMAIL_TAKEN: "A user with that email address already exists.",
  PASSWORDS_DIFFER: "The two password fields didn’t match.",
  CANNOT_CHANGE_SELF: "You cannot deactivate, delete or remove staff status from your own account.",
  SUPERUSER_ONLY: "Only a superuser can change a superuser or grant superuser status.",
  OWN_PERMISSIONS: "Only a superuser can change their own groups or permissions.",
  STAFF_MANAGERS_ONLY:
    "Only a superuser or a staff member with “Can manage staff accounts” can change a staff account or grant staff status.",
  MORE_PRIVILEGED: "This user holds permissions that you do not, so you cannot change their account.",
  GRANT_NOT_HELD: "You can only grant permissions that you hold yourself.",
  GROUPS_NOT_HELD: "You can only add someone to a group whose permissions you all hold yourself.",
  GROUP_MORE_PRIVILEGED: "This group grants permissions that you do not hold, so you cannot delete it.",
  GROUP_HAS_SUPERUSER:
    "A superuser is a member of this group, so only a superuser can change what it grants or delete it.",
  GROUP_HAS_SELF: "You are a member of this group, so only a superuser can change what it grants or delete it.",
  GROUP_HAS_STAFF:
    "Staff accounts are members of this group, so only a superuser or a staff member with “Can manage staff accounts” can change what it grants or delete it.",
  GROUP_HAS_MORE_PRIVILEGED:
    "A member of this group holds permissions that you do not, so you cannot change what it grants or delete it.",
  BULK_NONE_SELECTED: "Items must be selected in order to perform actions on them. No items have been changed.",
  BULK_NO_ACTION: "No action selected.",
  BULK_ACTIVATED: "Activated {count} {users}.",
  BULK_DEACTIVATED: "Deactivated {count} {users}; their sessions have ended.",
  BULK_DELETED: "Deleted {count} {users}.",
  COGNITO_CREATE_FAILED: "Cognito refused to create the user: {detail}",
  COGNITO_UNAVAILABLE: "Cognito is not answering, so nothing was changed. Please try again in a moment.",
  COGNITO_REFUSED: "Cognito refused: {detail}",
  COGNITO_NOT_LINKED: "This user is not linked to a Cognito account.",
  COGNITO_GONE: "This user’s Cognito account no longer exists.",

  // Cognito actions
  COGNITO_DISABLED: '"{username}" is disabled in Cognito: they cannot sign in, and their sessions here have ended.',
  COGNITO_ENABLED: '"{username}" is enabled in Cognito again.',
  COGNITO_PASSWORD_RESET: 'Cognito has sent "{username}" a code to choose a new password.',
  COGNITO_SIGNED_OUT:
    '"{username}" is signed out everywhere: their refresh tokens are revoked and their sessions here have ended.',
  COGNITO_CONFIRMED: '"{username}" is confirmed in Cognito.',
  COGNITO_INVITATION_RESENT: 'Cognito has emailed "{username}" a new temporary password.',
  COGNITO_RESYNCED: '"{username}" was resynced from Cognito: {changes}',
  COGNITO_MFA_RESET:
    'Every MFA factor of "{username}" is off in Cognito. If the pool requires MFA, Cognito asks them to set one up at their next sign-in.',
  COGNITO_CREATED: '"{username}" was created in Cognito; Cognito has emailed a temporary password to {email}.',

  // Groups
  GROUP_ADDED: 'The group "{name}" was added successfully.',
  GROUP_CHANGED: 'The group "{name}" was changed successfully.',
  GROUP_DELETED: 'The group "{name}" was deleted successfully.',
  GROUP_NAME_TAKEN: "A group with that name already exists.",
  GROUP_NAME_INVALID: "Use at most 150 characters, without control characters.",
} as const;

export type BackofficeMessage = keyof typeof backofficeMessages;

/** The message for `code`, with `{name}` placeholders filled in. */
export function say(code: BackofficeMessage, params: Readonly<Record<string, string | number>> = {}): string {
  return backofficeMessages[code].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
