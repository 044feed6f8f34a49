/**
 * The API's errors, in Django REST framework's shape: `{"detail": "..."}` with the status that
 * fits, or field errors `{"field": ["message"]}` for 400s. Messages are data keyed by a stable
 * code (the key for translation later), like DRF's `default_detail`s and drf-jwt's messages.
 *
 * One error handler (installed on the `/api` context only) maps everything thrown inside the
 * API — our errors, Fastify's (body too large, bad JSON, wrong media type, schema validation),
 * CSRF, rate limits — to that shape. Nothing reaches the client as a stack trace.
 * https://www.django-rest-framework.org/api-guide/exceptions/
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../http-error.ts";
import { discardRefusedBody } from "../http-refusals.ts";

export const apiMessages = {
  NOT_AUTHENTICATED: "Authentication credentials were not provided.",
  NO_CREDENTIALS_AFTER_PREFIX: "Invalid Authorization header. No credentials provided.",
  SPACES_IN_CREDENTIALS: "Invalid Authorization header. Credentials string should not contain spaces.",
  INVALID_TOKEN: "Invalid token.",
  INVALID_SIGNATURE: "Invalid signature.",
  TOKEN_EXPIRED: "Signature has expired.",
  TOKEN_REFUSED_BY_COGNITO: "Cognito no longer accepts this token; sign in again.",
  USER_NOT_FOUND: "User not found.",
  USER_INACTIVE: "User inactive or deleted.",
  PROFILE_INCOMPLETE: "This account has no email address in Cognito; add one, then try again.",
  ACCOUNT_CONFLICT: "This account clashes with another user here; contact support.",
  PERMISSION_DENIED: "You do not have permission to perform this action.",
  CSRF_FAILED: "CSRF Failed: CSRF token missing or incorrect.",
  ACCESS_TOKEN_REQUIRED: "Changing the account needs an access token, not an ID token.",
  NO_COGNITO_ACCOUNT: "This account does not sign in through Cognito, so it cannot be changed here.",
  NOT_FOUND: "Not found.",
  INVALID_PAGE: "Invalid page.",
  METHOD_NOT_ALLOWED: 'Method "{method}" not allowed.',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type "{type}" in request.',
  PARSE_ERROR: "JSON parse error.",
  BODY_TOO_LARGE: "Request body is too large.",
  BAD_REQUEST: "Bad request.",
  INVALID_INPUT: "Some of the information is not valid.",
  THROTTLED: "Request was throttled.",
  SERVICE_UNAVAILABLE: "Service temporarily unavailable, try again later.",
  SERVER_ERROR: "A server error occurred.",
} as const;

export type ApiMessageCode = keyof typeof apiMessages;

/** The message of `code` with `{name}` placeholders filled in. */
export function apiMessage(code: ApiMessageCode, params: Readonly<Record<string, string>> = {}): string {
  return apiMessages[code].replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "");
}

/** Field errors: a list of messages per field, `non_field_errors` for the body as a whole. */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

/** A refusal with a DRF body. Guards and handlers throw it; the API's error handler sends it. */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: ApiMessageCode;
  readonly fields: FieldErrors | null;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    code: ApiMessageCode,
    options: {
      params?: Readonly<Record<string, string>>;
      fields?: FieldErrors;
      headers?: Readonly<Record<string, string>>;
      cause?: unknown;
    } = {},
  ) {
    super(apiMessage(code, options.params), { cause: options.cause });
    this.statusCode = statusCode;
    this.code = code;
    this.fields = options.fields ?? null;
    this.headers = options.headers ?? {};
  }

  get body(): Record<string, unknown> {
    return this.fields ? { ...this.fields } : { detail: this.message };
  }
}

export const notFound = (): ApiError => new ApiError(404, "NOT_FOUND");
export const permissionDenied = (): ApiError => new ApiError(403, "PERMISSION_DENIED");
export const validationFailed = (fields: FieldErrors): ApiError => new ApiError(400, "INVALID_INPUT", { fields });

/**
 * The `WWW-Authenticate` challenge of every 401 (DRF sends its first authenticator's header);
 * a bad token also says `error="invalid_token"` (RFC 6750 §3).
 */
export function authenticateHeader(scheme: string, invalidToken: boolean): string {
  return invalidToken ? `${scheme} realm="api", error="invalid_token"` : `${scheme} realm="api"`;
}

/** One message per JSON Schema keyword, in DRF's words where DRF has them. */
function messageOf(issue: ValidationIssue): string {
  const params = issue.params ?? {};
  const limit = String(params.limit ?? "");
  switch (issue.keyword) {
    case "required":
      return "This field is required.";
    case "type": {
      const type = String(params.type ?? "");
      if (type === "integer") return "A valid integer is required.";
      if (type === "number") return "A valid number is required.";
      if (type === "boolean") return "Must be a valid boolean.";
      if (type === "array") return "Expected a list of items.";
      return "Not a valid string.";
    }
    case "maxLength":
      return `Ensure this field has no more than ${limit} characters.`;
    case "minLength":
      return `Ensure this field has at least ${limit} characters.`;
    case "minimum":
      return `Ensure this value is greater than or equal to ${limit}.`;
    case "maximum":
      return `Ensure this value is less than or equal to ${limit}.`;
    case "enum":
    case "const":
    case "anyOf":
      return "Not a valid choice.";
    default:
      return "Not a valid value.";
  }
}

interface ValidationIssue {
  readonly keyword?: string;
  readonly instancePath?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Schema errors as DRF field errors: one message per field, the first that applies. */
export function fieldErrorsOf(issues: readonly ValidationIssue[]): FieldErrors {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const path = (issue.instancePath ?? "").split("/").filter((p) => p !== "");
    let field = path[0];
    if (field === undefined && issue.keyword === "required") {
      const missing = issue.params?.requiredProperties ?? issue.params?.missingProperty;
      field = Array.isArray(missing) ? String(missing[0]) : typeof missing === "string" ? missing : undefined;
    }
    if (field === undefined) {
      // The body as a whole is wrong (an array, a string): DRF's "Expected a dictionary".
      if (issue.keyword === "type") {
        fields.non_field_errors = ["Invalid data. Expected a JSON object."];
      }
      continue;
    }
    if (!fields[field]) fields[field] = [messageOf(issue)];
  }
  if (Object.keys(fields).length === 0) fields.non_field_errors = [apiMessages.INVALID_INPUT];
  return fields;
}

const statusDetail: Readonly<Record<number, ApiMessageCode>> = {
  400: "BAD_REQUEST",
  401: "NOT_AUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "BODY_TOO_LARGE",
  429: "THROTTLED",
  503: "SERVICE_UNAVAILABLE",
};

/**
 * The error handler of the `/api` context. Everything becomes a DRF body; 5xx are logged and
 * say only "A server error occurred.".
 */
export function createApiErrorHandler(scheme: string) {
  return async function apiErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      if (error.statusCode === 401 && !error.headers["www-authenticate"]) {
        reply.header("www-authenticate", authenticateHeader(scheme, false));
      }
      return reply.code(error.statusCode).send(error.body);
    }
    const e = error as Partial<FastifyError> & { validation?: unknown };
    const code = typeof e.code === "string" ? e.code : "";
    const candidate = typeof e.statusCode === "number" ? e.statusCode : 500;
    const status = candidate >= 400 && candidate < 600 ? candidate : 500;

    if (Array.isArray(e.validation)) {
      return reply.code(400).send(fieldErrorsOf(e.validation as ValidationIssue[]));
    }
    if (code.startsWith("FST_CSRF")) return reply.code(403).send({ detail: apiMessages.CSRF_FAILED });
    if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      const type = String(request.headers["content-type"] ?? "").slice(0, 100);
      return reply.code(415).send({ detail: apiMessage("UNSUPPORTED_MEDIA_TYPE", { type }) });
    }
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE" || status === 413) {
      await discardRefusedBody(request, reply);
      return reply.code(413).send({ detail: apiMessages.BODY_TOO_LARGE });
    }
    if (status === 400 && (code.startsWith("FST_ERR_CTP") || error instanceof SyntaxError)) {
      return reply.code(400).send({ detail: apiMessages.PARSE_ERROR });
    }
    if (status >= 500) {
      request.log.error({ err: error }, "API request failed");
      return reply.code(status === 503 ? 503 : 500).send({
        detail: status === 503 ? apiMessages.SERVICE_UNAVAILABLE : apiMessages.SERVER_ERROR,
      });
    }
    if (status === 401) reply.header("www-authenticate", authenticateHeader(scheme, false));
    // Errors of ours from outside the API (the site's same-origin check) carry a message meant
    // for people; Fastify's own 4xx messages are for developers, so they get DRF's wording.
    const known = statusDetail[status];
    const detail = error instanceof HttpError ? error.message : known ? apiMessages[known] : apiMessages.BAD_REQUEST;
    return reply.code(status).send({ detail });
  };
}
