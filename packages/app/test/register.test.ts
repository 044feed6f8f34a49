/**
 * `/register` against the running emulator, on SQLite and PostgreSQL: sign-up to confirmation
 * to sign-in first, then every field check, every Cognito refusal the emulator gives, the
 * auto-confirm and closed sign-up settings, CSRF and rate limits.
 */
import {
  AdminGetUserCommand,
  CodeDeliveryFailureException,
  CognitoIdentityProviderClient,
  TooManyRequestsException,
  UpdateUserPoolCommand,
  UserLambdaValidationException,
} from "@aws-sdk/client-cognito-identity-provider";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toFailure } from "../src/accounts/cognito.ts";
import { cognitoDefaultPolicy, passwordPolicy } from "../src/accounts/forms.ts";
import { t } from "../src/accounts/messages.ts";
import { startAppHarness, textOf, type AppHarness } from "./app-harness.ts";
import {
  browserAt,
  CognitoAdmin,
  goodPassword,
  latestCode,
  newAccount,
  sentCount,
  uniqueName,
} from "./accounts-fixtures.ts";

const databases = ["sqlite", "postgres"] as const;

const registration = (account: { username: string; email: string; password: string }) => ({
  username: account.username,
  email: account.email,
  password: account.password,
  password2: account.password,
});

describe.each(databases)("signing up (%s)", (database) => {
  let h: AppHarness;
  let admin: CognitoAdmin;
  beforeAll(async () => {
    h = await startAppHarness({ database });
    admin = new CognitoAdmin(h);
  });
  afterAll(async () => {
    admin.destroy();
    await h.stop();
  });

  it("registers a person, who confirms the emailed code and signs in", async () => {
    const account = newAccount("newbie");
    const browser = browserAt(h);
    const page = await browser.get("/register");
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    for (const label of ["Username", "Email address", "Password", "Password again"]) expect(text).toContain(label);
    expect(text).toContain("At least 8 characters, including an upper-case letter, a lower-case letter, and a number.");
    expect(page.body).toContain('autocomplete="new-password"');

    const res = await browser.post("/register", registration(account));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/confirm");
    const message = h.emulator.outbox.latest(account.username);
    expect(message).toMatchObject({ kind: "SIGN_UP", destination: account.email });

    const confirm = textOf((await browser.follow()).body);
    expect(confirm).toContain("Account created. We have sent a confirmation code to n***@e***.");
    expect(confirm).toContain(`For ${account.username}`);

    const confirmed = await browser.post("/confirm", { code: message?.code ?? "" });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(`/login?username=${account.username}`);
    const login = await browser.follow();
    expect(textOf(login.body)).toContain("Your email address is confirmed. You can sign in now.");
    expect(login.body).toContain(`value="${account.username}"`);

    const signedIn = await browser.post("/login", { username: account.email, password: account.password });
    expect(signedIn.headers.location).toBe("/dashboard");
    expect(textOf((await browser.get("/")).body)).toContain(`Signed in as ${account.username}`);
  });

  it("shows 'This field is required.' under each empty field", async () => {
    const browser = browserAt(h);
    await browser.get("/register");
    const res = await browser.post("/register", { username: "", email: " ", password: "", password2: "" });
    expect(res.statusCode).toBe(400);
    for (const field of ["username", "email", "password"]) {
      expect(res.body).toMatch(new RegExp(`id="field-${field}-error">This field is required\\.`));
    }
  });

  it("checks the username and the email address, keeping what was typed but never the password", async () => {
    const browser = browserAt(h);
    await browser.get("/register");
    const spaced = await browser.post("/register", {
      username: "two words",
      email: "not-an-address",
      password: goodPassword,
      password2: goodPassword,
    });
    expect(spaced.statusCode).toBe(400);
    const text = textOf(spaced.body);
    expect(text).toContain("Use up to 128 letters, digits and symbols, without spaces.");
    expect(text).toContain("Enter a valid email address.");
    expect(spaced.body).toContain('value="two words"');
    expect(spaced.body).toContain('value="not-an-address"');
    expect(spaced.body).not.toContain(goodPassword);

    const emailAsName = await browser.post("/register", {
      username: "me@example.com",
      email: "me@example.com",
      password: goodPassword,
      password2: goodPassword,
    });
    expect(textOf(emailAsName.body)).toContain("Your username cannot be an email address");
  });

  it("mirrors the pool's password policy next to the field, and checks the repetition", async () => {
    const browser = browserAt(h);
    await browser.get("/register");
    const weak = await browser.post("/register", {
      username: uniqueName("weak"),
      email: "weak@example.com",
      password: "short",
      password2: "short",
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatch(
      /id="field-password-error">Use at least 8 characters\. Include an upper-case letter\. Include a number\./,
    );
    expect(weak.body).not.toContain('value="short"');

    const spaces = await browser.post("/register", {
      username: uniqueName("spaces"),
      email: "spaces@example.com",
      password: ` ${goodPassword} `,
      password2: ` ${goodPassword} `,
    });
    expect(textOf(spaces.body)).toContain("Passwords cannot begin or end with a space.");

    const differ = await browser.post("/register", {
      username: uniqueName("differ"),
      email: "differ@example.com",
      password: goodPassword,
      password2: `${goodPassword}x`,
    });
    expect(differ.body).toMatch(/id="field-password2-error">The two passwords do not match\./);
  });

  it("says a username is taken, next to the field, with the input kept", async () => {
    const existing = await admin.confirmed(newAccount("taken"));
    const browser = browserAt(h);
    await browser.get("/register");
    const res = await browser.post(
      "/register",
      registration({ ...newAccount("other"), username: existing.username.toUpperCase() }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="field-username-error">That username is already taken\./);
    expect(res.body).toContain(`value="${existing.username.toUpperCase()}"`);
  });

  it("says an email address another account has, in any letter case, is taken (the pool's PreSignUp trigger), and creates no one", async () => {
    // An address that does not spell the owner's username, so the page cannot show it by accident.
    const owner = await admin.confirmed({ ...newAccount("mailowner"), email: `${uniqueName("box")}@example.com` });
    const [local, domain] = owner.email.split("@") as [string, string];
    for (const email of [
      owner.email,
      owner.email.toUpperCase(),
      `${local[0]!.toUpperCase()}${local.slice(1)}@${domain}`,
    ]) {
      const account = { ...newAccount("mailtaker"), email };
      const browser = browserAt(h);
      await browser.get("/register");
      const res = await browser.post("/register", registration(account));
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/id="field-email-error">An account with this email address already exists\./);
      expect(res.body).toContain(`value="${email}"`);
      expect(res.body).toContain(`value="${account.username}"`);
      // Neither the trigger's wording nor whose address it is.
      expect(textOf(res.body)).not.toContain("PreSignUp");
      expect(res.body).not.toContain(owner.username);
      await expect(
        admin.client.send(new AdminGetUserCommand({ UserPoolId: h.poolId, Username: account.username })),
      ).rejects.toMatchObject({ name: "UserNotFoundException" });
      expect(sentCount(h, account.username)).toBe(0);
      expect(await h.app.users.findByUsername(account.username)).toBeUndefined();
    }
  });

  it("answers an address held by an unconfirmed account exactly as one held by a confirmed account", async () => {
    const confirmed = await admin.confirmed(newAccount("heldconfirmed"));
    const unconfirmed = await admin.unconfirmed(newAccount("heldpending"));
    const answers: string[] = [];
    for (const holder of [confirmed, unconfirmed]) {
      const account = { ...newAccount("prober"), email: holder.email };
      const browser = browserAt(h);
      await browser.get("/register");
      const res = await browser.post("/register", registration(account));
      expect(res.statusCode).toBe(400);
      answers.push(textOf(res.body).replaceAll(account.username, "<name>").replaceAll(holder.email, "<email>"));
    }
    expect(answers[1]).toBe(answers[0]);
  });

  it("shows Cognito's InvalidParameterException as a message on the form", async () => {
    const account = newAccount("param");
    const browser = browserAt(h);
    await browser.get("/register");
    // Cognito's Password pattern refuses white space; our check only refuses it at the ends.
    const res = await browser.post("/register", registration({ ...account, password: "Correct Horse 7" }));
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain("Some of the information is not valid. Please check it and try again.");
    expect(res.body).toContain(`value="${account.email}"`);
  });

  it("keeps Cognito's InvalidPasswordException as the final word when the pool's policy changed", async () => {
    const cognito = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint: h.emulator.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const policy = (requireSymbols: boolean, minimumLength: number) =>
      new UpdateUserPoolCommand({
        UserPoolId: h.poolId,
        AutoVerifiedAttributes: ["email"],
        Policies: {
          PasswordPolicy: {
            MinimumLength: minimumLength,
            RequireUppercase: true,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: requireSymbols,
          },
        },
      });
    try {
      await cognito.send(policy(true, 8));
      const browser = browserAt(h);
      await browser.get("/register");
      const noSymbol = await browser.post("/register", registration({ ...newAccount("nosym"), password: "Abcdefg12" }));
      expect(noSymbol.statusCode).toBe(400);
      expect(noSymbol.body).toMatch(/id="field-password-error">Include a symbol such as ! or %\./);

      await cognito.send(policy(false, 20));
      const short = await browser.post("/register", registration({ ...newAccount("short"), password: "Abcdefg12" }));
      expect(textOf(short.body)).toContain("This password does not meet the requirements: Password not long enough");
    } finally {
      await cognito.send(policy(false, 8));
      cognito.destroy();
    }
  });

  it("refuses bad input of every shape with a message, never a 500", async () => {
    const browser = browserAt(h);
    await browser.get("/register");
    const cases: Record<string, string>[] = [
      { username: "u".repeat(129), email: "a@example.com", password: goodPassword, password2: goodPassword },
      { username: uniqueName("long"), email: `${"e".repeat(300)}@example.com`, password: goodPassword, password2: "" },
      { username: uniqueName("pw"), email: "pw@example.com", password: `Aa1-${"p".repeat(300)}`, password2: "" },
      { username: "名前🙂", email: "ü@例え.jp", password: "Pässwörd-🙂-1", password2: "Pässwörd-🙂-1" },
      { username: "nul\u0000", email: "x@example.com", password: goodPassword, password2: goodPassword },
    ];
    for (const form of cases) {
      const res = await browser.post("/register", form);
      expect(res.statusCode, JSON.stringify(form).slice(0, 60)).toBeLessThan(500);
      expect(res.body).not.toContain(form.password);
    }
    // Unicode names are Cognito-valid: this one registered.
    expect(h.emulator.outbox.latest("名前🙂")?.kind).toBe("SIGN_UP");
  });

  it("refuses a sign-up without its CSRF token with the 403 page", async () => {
    const account = newAccount("nocsrf");
    const browser = browserAt(h);
    await browser.get("/register");
    const res = await browser.post("/register", { ...registration(account), _csrf: "" });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain("or the form expired");
    expect(h.emulator.outbox.latest(account.username)).toBeUndefined();
  });

  it("limits sign-ups per address with the 429 page", async () => {
    const browser = browserAt(h);
    await browser.get("/register");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await browser.post("/register", { username: uniqueName("flood"), email: "" })).statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(textOf(browser.last?.body ?? "")).toContain("You have tried this too often.");
  });

  it("limits sign-ups per username, from any address", async () => {
    const username = uniqueName("contested");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const browser = browserAt(h);
      await browser.get("/register");
      statuses.push((await browser.post("/register", { username, email: "" })).statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });

  it("sends a signed-in person from /register to the dashboard", async () => {
    const account = await admin.confirmed(newAccount("signedin"));
    const browser = browserAt(h);
    await browser.get("/login");
    await browser.post("/login", { username: account.username, password: account.password });
    const res = await browser.get("/register");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/dashboard");
  });
});

describe.each(databases)("signing up with AUTO_CONFIRM_SIGNUPS (%s)", (database) => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database, config: { autoConfirmSignups: true } });
  });
  afterAll(async () => h.stop());

  it("confirms the account at once and sends the person to sign in", async () => {
    const account = newAccount("auto");
    const browser = browserAt(h);
    await browser.get("/register");
    const res = await browser.post("/register", registration(account));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login");
    expect(textOf((await browser.follow()).body)).toContain("Account created. You can sign in now.");
    const signedIn = await browser.post("/login", { username: account.username, password: account.password });
    expect(signedIn.headers.location).toBe("/dashboard");
    // The code Cognito emailed at sign-up is simply never needed.
    expect(latestCode(h, account.username)).toMatch(/^\d{6}$/);
  });
});

describe.each(databases)("with ALLOW_SIGNUP=false (%s)", (database) => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database, config: { allowSignup: false } });
  });
  afterAll(async () => h.stop());

  it("hides the page and its link: GET and POST /register are the 404 page", async () => {
    const browser = browserAt(h);
    const login = await browser.get("/login");
    expect(login.body).not.toContain('href="/register"');
    const page = await browser.get("/register");
    expect(page.statusCode).toBe(404);
    expect(textOf(page.body)).toContain("Page not found");
    const post = await browser.post("/register", registration(newAccount("closed")));
    expect(post.statusCode).toBe(404);
  });
});

describe("a PreSignUp trigger that refuses for its own reasons, or fails (sqlite)", () => {
  const arn = "arn:aws:lambda:us-east-1:000000000000:function:gatehouse-pre-signup";
  let h: AppHarness;
  let behaviour: "refuses" | "hangs" = "refuses";
  beforeAll(async () => {
    h = await startAppHarness({
      database: "sqlite",
      triggers: {
        [arn]: () => {
          if (behaviour === "refuses") throw new Error("Blocked by list 7 (internal).");
          return new Promise(() => undefined);
        },
      },
      triggerTimeoutMs: 300,
    });
  });
  afterAll(async () => h.stop());

  it("shows a general refusal on the form, never the function's own words", async () => {
    behaviour = "refuses";
    const account = newAccount("refused");
    const browser = browserAt(h);
    await browser.get("/register");
    const res = await browser.post("/register", registration(account));
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(t("REQUEST_REFUSED"));
    expect(res.body).not.toContain("Blocked by list 7");
    expect(res.body).toContain(`value="${account.email}"`);
  });

  it("reads a trigger that does not answer in time as the service not answering", async () => {
    behaviour = "hangs";
    const browser = browserAt(h);
    await browser.get("/register");
    const res = await browser.post("/register", registration(newAccount("timedout")));
    expect(res.statusCode).toBe(503);
    expect(textOf(res.body)).toContain(t("SERVICE_UNAVAILABLE"));
  });
});

describe("trigger failures as Cognito words them", () => {
  const refusal = (message: string) =>
    toFailure(new UserLambdaValidationException({ message, $metadata: { httpStatusCode: 400 } }));

  it("reads the shipped PreSignUp's refusal as a taken email address, and only that one", () => {
    expect(refusal("PreSignUp failed with error An account with this email address already exists..").code).toBe(
      "EMAIL_EXISTS",
    );
    expect(refusal("PreSignUp failed with error Registration from this domain is not allowed..").code).toBe(
      "REQUEST_REFUSED",
    );
    expect(
      refusal("PreAuthentication failed with error An account with this email address already exists..").code,
    ).toBe("REQUEST_REFUSED");
    expect(refusal("something else").code).toBe("REQUEST_REFUSED");
  });
});

describe("the password-policy mirror", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ database: "sqlite" });
  });
  afterAll(async () => h.stop());

  /** A bare app with the plugin, asking the emulator about `poolId`. */
  async function policyFor(poolId: string) {
    const app = Fastify();
    const cognito = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint: h.emulator.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    app.decorate("cognito", cognito);
    app.decorate("config", { ...h.config, cognito: { ...h.config.cognito, userPoolId: poolId } });
    await app.register(passwordPolicy);
    await app.ready();
    const policy = app.passwordPolicy;
    await app.close();
    cognito.destroy();
    return policy;
  }

  it("reads the pool's policy with DescribeUserPool at start-up", async () => {
    expect(await policyFor(h.poolId)).toEqual({
      minimumLength: 8,
      requireLowercase: true,
      requireUppercase: true,
      requireNumbers: true,
      requireSymbols: false,
    });
  });

  it("falls back to Cognito's defaults when the pool cannot be described", async () => {
    expect(await policyFor("us-east-1_NoSuchPool")).toEqual(cognitoDefaultPolicy);
  });
});

describe("Cognito refusals the emulator never gives", () => {
  // CodeDeliveryFailureException and TooManyRequestsException come from AWS's mail and quota
  // systems; the pages show them through the same catalogue as every other refusal.
  it("turns CodeDeliveryFailure and TooManyRequests into their messages", () => {
    const delivery = toFailure(
      new CodeDeliveryFailureException({ message: "Unable to deliver", $metadata: { httpStatusCode: 400 } }),
    );
    expect(t(delivery.code)).toBe("We could not send the code. Please check the email address and try again.");
    const busy = toFailure(
      new TooManyRequestsException({ message: "Too many requests", $metadata: { httpStatusCode: 400 } }),
    );
    expect(t(busy.code)).toBe("Too many requests right now. Please wait a moment and try again.");
  });
});
