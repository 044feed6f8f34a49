import { describe, expect, it } from "vitest";
import { formatConfigErrors, loadConfig } from "../src/config.ts";

const minimal = { COGNITO_USER_POOL_ID: "us-east-1_AbC123xyZ", COGNITO_CLIENT_ID: "abc123" };

describe("settings", () => {
  it("reads a minimal environment with SQLite and localhost defaults", () => {
    const result = loadConfig(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      mode: "development",
      cognito: {
        region: "us-east-1",
        userPoolId: "us-east-1_AbC123xyZ",
        clientId: "abc123",
        clientSecret: null,
        endpoint: null,
      },
      database: { kind: "sqlite", path: "var/gatehouse.sqlite3" },
      autoConfirmSignups: false,
      allowSignup: true,
    });
    expect(result.config.publicUrl.toString()).toBe("http://localhost:3000/");
  });

  it("reads PostgreSQL, the emulator endpoint and the flags", () => {
    const result = loadConfig({
      ...minimal,
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
      COGNITO_ENDPOINT: "http://127.0.0.1:9229/",
      COGNITO_CLIENT_SECRET: "s3cret",
      AUTO_CONFIRM_SIGNUPS: "true",
      ALLOW_SIGNUP: "no",
    });
    expect(result.ok && result.config).toMatchObject({
      database: { kind: "postgres", url: "postgres://postgres@127.0.0.1:5432/test" },
      cognito: { endpoint: "http://127.0.0.1:9229", clientSecret: "s3cret" },
      autoConfirmSignups: true,
      allowSignup: false,
    });
  });

  it("lists every problem at once, each with its setting and a hint", () => {
    const result = loadConfig({
      COGNITO_USER_POOL_ID: "nope",
      DATABASE_URL: "mysql://x",
      AUTO_CONFIRM_SIGNUPS: "maybe",
      COGNITO_REGION: "mars",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.setting).sort()).toEqual([
      "AUTO_CONFIRM_SIGNUPS",
      "COGNITO_CLIENT_ID",
      "COGNITO_REGION",
      "COGNITO_USER_POOL_ID",
      "DATABASE_URL",
    ]);
    expect(formatConfigErrors(result.errors)).toContain("  - COGNITO_CLIENT_ID is required (the web app client's id)");
  });

  it("insists on a long session secret and an https public URL in production", () => {
    const result = loadConfig({
      ...minimal,
      NODE_ENV: "production",
      SESSION_SECRET: "short",
      PUBLIC_URL: "http://example.com",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.setting).sort()).toEqual(["PUBLIC_URL", "SESSION_SECRET"]);
  });

  it("accepts production settings that are safe", () => {
    const result = loadConfig({
      ...minimal,
      NODE_ENV: "production",
      SESSION_SECRET: "x".repeat(32),
      PUBLIC_URL: "https://app.example.com",
    });
    expect(result.ok).toBe(true);
  });
});
