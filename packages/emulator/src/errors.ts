/**
 * Cognito's error shape: every failure an operation can answer with is a `CognitoError`
 * carrying the AWS exception name (`__type`) and message, serialised by the server as
 * AWS JSON 1.1 does (`{"__type", "message"}`, `x-amzn-ErrorType`, HTTP 400).
 *
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html
 */

export type CognitoExceptionName =
  | "AliasExistsException"
  | "CodeDeliveryFailureException"
  | "CodeMismatchException"
  | "EnableSoftwareTokenMFAException"
  | "ConcurrentModificationException"
  | "DeviceKeyExistsException"
  | "DuplicateProviderException"
  | "ExpiredCodeException"
  | "GroupExistsException"
  | "InternalErrorException"
  | "InvalidLambdaResponseException"
  | "InvalidOAuthFlowException"
  | "InvalidParameterException"
  | "InvalidPasswordException"
  | "InvalidUserPoolConfigurationException"
  | "LimitExceededException"
  | "ManagedLoginBrandingExistsException"
  | "MFAMethodNotFoundException"
  | "NotAuthorizedException"
  | "PasswordHistoryPolicyViolationException"
  | "PasswordResetRequiredException"
  | "PreconditionNotMetException"
  | "RequestTooLargeException"
  | "ResourceNotFoundException"
  | "ScopeDoesNotExistException"
  | "SerializationException"
  | "SoftwareTokenMFANotFoundException"
  | "TermsExistsException"
  | "TooManyFailedAttemptsException"
  | "TooManyRequestsException"
  | "UnexpectedLambdaException"
  | "UnknownOperationException"
  | "UnsupportedOperationException"
  | "UnsupportedTokenTypeException"
  | "UnsupportedUserStateException"
  | "UserImportInProgressException"
  | "UserPoolAddOnNotEnabledException"
  | "UserLambdaValidationException"
  | "UserNotConfirmedException"
  | "UserNotFoundException"
  | "UsernameExistsException"
  | "UnauthorizedException"
  | "ValidationException";

export class CognitoError extends Error {
  readonly type: CognitoExceptionName;
  readonly statusCode: number;

  constructor(type: CognitoExceptionName, message: string, statusCode = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.statusCode = statusCode;
  }
}

/** Messages AWS uses verbatim; kept in one place so tests and operations agree. */
export const messages = {
  incorrectCredentials: "Incorrect username or password.",
  userNotFound: "User does not exist.",
  userDisabled: "User is disabled.",
  userNotConfirmed: "User is not confirmed.",
  userExists: "User already exists",
  passwordResetRequired: "Password reset required for the user",
  codeMismatch: "Invalid verification code provided, please try again.",
  codeExpired: "Invalid code provided, please request a code again.",
  attemptLimit: "Attempt limit exceeded, please try after some time.",
  invalidAccessToken: "Invalid Access Token",
  accessTokenRevoked: "Access Token has been revoked",
  accessTokenExpired: "Access Token has expired",
  invalidRefreshToken: "Invalid Refresh Token",
  refreshTokenRevoked: "Refresh Token has been revoked",
  refreshTokenExpired: "Refresh Token has expired",
  invalidSession: "Invalid session for the user.",
  groupNotFound: "Group not found.",
  /** ConfirmSignUp, ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword name no user. */
  usernameClientNotFound: "Username/client id combination not found.",
  /** ForgotPassword for a user who must first answer NEW_PASSWORD_REQUIRED (FORCE_CHANGE_PASSWORD). */
  passwordCannotBeReset: "User password cannot be reset in the current state.",
  noRecoveryDestination: "Cannot reset password for the user as there is no registered/verified email or phone_number",
} as const;

export const notAuthorized = (message: string): CognitoError => new CognitoError("NotAuthorizedException", message);

export const invalidParameter = (message: string): CognitoError =>
  new CognitoError("InvalidParameterException", message);

export const userNotFound = (): CognitoError => new CognitoError("UserNotFoundException", messages.userNotFound);

export const poolNotFound = (poolId: string): CognitoError =>
  new CognitoError("ResourceNotFoundException", `User pool ${poolId} does not exist.`);

export const clientNotFound = (clientId: string): CognitoError =>
  new CognitoError("ResourceNotFoundException", `User pool client ${clientId} does not exist.`);
