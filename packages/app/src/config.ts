/**
 * The app's settings, read from the environment like Django's settings module: typed, checked
 * once at start-up, and refused with one readable list of everything that is wrong.
 *
 * @example
 *   const result = loadConfig(process.env);
 *   if (!result.ok) { console.error(formatConfigErrors(result.errors)); process.exit(1); }
 *   result.config.cognito.userPoolId;
 */

export interface CognitoSettings {
  readonly region: string;
  readonly userPoolId: string;
  /** The server-side web client (with a secret). */
  readonly clientId: string;
  readonly clientSecret: string | null;
  /** The emulator's URL; null means real AWS. */
  readonly endpoint: string | null;
}

export type DatabaseSettings =
  { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres"; readonly url: string };

export interface Config {
  readonly mode: "development" | "production" | "test";
  readonly cognito: CognitoSettings;
  readonly database: DatabaseSettings;
  readonly sessionSecret: string;
  readonly publicUrl: URL;
  readonly autoConfirmSignups: boolean;
  readonly allowSignup: boolean;
}

export interface ConfigError {
  readonly setting: string;
  readonly problem: string;
}

export type ConfigResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly errors: readonly ConfigError[] };

type Env = Readonly<Record<string, string | undefined>>;

const poolIdPattern = /^[\w-]+_[0-9a-zA-Z]+$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d$/;

function parseBoolean(env: Env, name: string, fallback: boolean, errors: ConfigError[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  errors.push({ setting: name, problem: `must be true or false, not "${raw}"` });
  return fallback;
}

function parseDatabase(raw: string | undefined, errors: ConfigError[]): DatabaseSettings {
  const value = raw === undefined || raw === "" ? "sqlite:var/gatehouse.sqlite3" : raw;
  if (value.startsWith("sqlite:")) {
    const path = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "")
      errors.push({ setting: "DATABASE_URL", problem: "sqlite: needs a file path, e.g. sqlite:var/gatehouse.sqlite3" });
    return { kind: "sqlite", path };
  }
  if (value.startsWith("postgres://") || value.startsWith("postgresql://")) {
    try {
      new URL(value);
    } catch {
      errors.push({ setting: "DATABASE_URL", problem: "is not a valid postgres:// URL" });
    }
    return { kind: "postgres", url: value };
  }
  errors.push({ setting: "DATABASE_URL", problem: "must start with sqlite: or postgres://" });
  return { kind: "sqlite", path: "" };
}

/** Reads and checks every setting; never throws. */
export function loadConfig(env: Env): ConfigResult {
  const errors: ConfigError[] = [];
  const required = (name: string, hint: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === "") {
      errors.push({ setting: name, problem: `is required (${hint})` });
      return "";
    }
    return value.trim();
  };
  const modeRaw = env.NODE_ENV ?? "development";
  const mode = modeRaw === "production" || modeRaw === "test" ? modeRaw : "development";

  const region = env.COGNITO_REGION?.trim() || "us-east-1";
  if (!regionPattern.test(region))
    errors.push({ setting: "COGNITO_REGION", problem: `"${region}" is not a region such as us-east-1` });
  const userPoolId = required("COGNITO_USER_POOL_ID", "the user pool's id, e.g. us-east-1_AbC123xyZ");
  if (userPoolId && !poolIdPattern.test(userPoolId)) {
    errors.push({
      setting: "COGNITO_USER_POOL_ID",
      problem: `"${userPoolId}" is not a user pool id such as us-east-1_AbC123xyZ`,
    });
  }
  const clientId = required("COGNITO_CLIENT_ID", "the web app client's id");
  const clientSecret = env.COGNITO_CLIENT_SECRET?.trim() || null;
  let endpoint: string | null = env.COGNITO_ENDPOINT?.trim() || null;
  if (endpoint) {
    try {
      endpoint = new URL(endpoint).toString().replace(/\/$/, "");
    } catch {
      errors.push({ setting: "COGNITO_ENDPOINT", problem: "must be a URL such as http://127.0.0.1:9229" });
    }
  }

  const database = parseDatabase(env.DATABASE_URL, errors);

  const sessionSecret = env.SESSION_SECRET ?? "";
  if (mode === "production" && sessionSecret.length < 32) {
    errors.push({
      setting: "SESSION_SECRET",
      problem: "must be at least 32 characters in production (e.g. openssl rand -hex 32)",
    });
  }

  let publicUrl = new URL("http://localhost:3000");
  try {
    publicUrl = new URL(env.PUBLIC_URL?.trim() || "http://localhost:3000");
  } catch {
    errors.push({ setting: "PUBLIC_URL", problem: "must be the site's URL, e.g. https://app.example.com" });
  }
  if (mode === "production" && publicUrl.protocol !== "https:") {
    errors.push({ setting: "PUBLIC_URL", problem: "must be https:// in production (cookies are Secure there)" });
  }

  const autoConfirmSignups = parseBoolean(env, "AUTO_CONFIRM_SIGNUPS", false, errors);
  const allowSignup = parseBoolean(env, "ALLOW_SIGNUP", true, errors);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      mode,
      cognito: { region, userPoolId, clientId, clientSecret, endpoint },
      database,
      sessionSecret,
      publicUrl,
      autoConfirmSignups,
      allowSignup,
    },
  };
}

/** One line per problem, with the setting's name first, for the start-up message. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return [
    "Gatehouse cannot start; fix these settings (environment or .env):",
    ...errors.map((e) => `  - ${e.setting} ${e.problem}`),
  ].join("\n");
}
