/**
 * User import from a CSV file through the AWS SDK: the header, a job created, its file PUT to
 * the PreSignedUrl as the developer guide's curl command does, started, and described until it
 * ends; users RESET_REQUIRED; rows that fail or are skipped counted; each exception.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool.html
 */
import {
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserImportJobCommand,
  CreateUserPoolCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  InitiateAuthCommand,
  ListUserImportJobsCommand,
  StartUserImportJobCommand,
  StopUserImportJobCommand,
  type CreateUserPoolCommandInput,
  type UserImportJobType,
} from "@aws-sdk/client-cognito-identity-provider";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createConfirmedUser, createPool, errorOf, startHarness, type Harness } from "./harness.ts";

const roleArn = "arn:aws:iam::123456789012:role/CognitoImportRole";
/** GetCSVHeader's answer for a pool with the standard schema, as the developer guide prints it. */
const awsHeader = [
  "name",
  "given_name",
  "family_name",
  "middle_name",
  "nickname",
  "preferred_username",
  "profile",
  "picture",
  "website",
  "email",
  "email_verified",
  "gender",
  "birthdate",
  "zoneinfo",
  "locale",
  "phone_number",
  "phone_number_verified",
  "address",
  "updated_at",
  "cognito:mfa_enabled",
  "cognito:username",
];
/** The guide's "Formatting the CSV file" header: the same columns, cognito:username first. */
const guideHeader =
  "cognito:username,name,given_name,family_name,middle_name,nickname,preferred_username,profile,picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,phone_number_verified,address,updated_at,cognito:mfa_enabled";

/** A row under guideHeader: the named columns set, the others empty. */
function row(values: Record<string, string>): string {
  return guideHeader
    .split(",")
    .map((column) => values[column] ?? "")
    .join(",");
}
const csvOf = (...rows: string[]): string => `${guideHeader}\n${rows.join("\n")}\n`;

let h: Harness;
let poolId: string;
beforeAll(async () => {
  h = await startHarness();
  poolId = (await createPool(h, { AutoVerifiedAttributes: ["email"] })).Id!;
});
afterAll(async () => h.stop());

async function newPool(input: Partial<CreateUserPoolCommandInput> = {}): Promise<string> {
  return (await createPool(h, { AutoVerifiedAttributes: ["email"], ...input })).Id!;
}

async function createJob(pool = poolId, JobName = "import users"): Promise<UserImportJobType> {
  const { UserImportJob } = await h.cognito.send(
    new CreateUserImportJobCommand({ UserPoolId: pool, JobName, CloudWatchLogsRoleArn: roleArn }),
  );
  return UserImportJob!;
}

/** The guide's upload: `curl -T file.csv -H "x-amz-server-side-encryption:aws:kms" "<PreSignedUrl>"`. */
const upload = (
  url: string,
  csv: string,
  headers: Record<string, string> = { "x-amz-server-side-encryption": "aws:kms" },
) => fetch(url, { method: "PUT", body: csv, headers });

const describeJob = async (pool: string, JobId: string) =>
  (await h.cognito.send(new DescribeUserImportJobCommand({ UserPoolId: pool, JobId }))).UserImportJob!;

/** Describes the job until it is no longer Pending or InProgress. */
async function settled(pool: string, JobId: string): Promise<UserImportJobType> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const job = await describeJob(pool, JobId);
    if (job.Status !== "Pending" && job.Status !== "InProgress") return job;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`import job ${JobId} did not finish`);
}

/** Creates a job, uploads `csv`, starts it and waits for the end. */
async function runImport(csv: string, pool = poolId): Promise<UserImportJobType> {
  const job = await createJob(pool);
  expect((await upload(job.PreSignedUrl!, csv)).status).toBe(200);
  await h.cognito.send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId }));
  return settled(pool, job.JobId!);
}

async function logOf(jobId: string): Promise<{ lineNumber: number; outcome: string; message: string }[]> {
  const answer = (await (await fetch(`${h.emulator.url}/_import/${jobId}/log`)).json()) as {
    events: { lineNumber: number; outcome: string; message: string }[];
  };
  return answer.events;
}

describe("GetCSVHeader", () => {
  it("lists the pool's attributes as AWS does, then cognito:mfa_enabled and cognito:username", async () => {
    const answer = await h.cognito.send(new GetCSVHeaderCommand({ UserPoolId: poolId }));
    expect(answer).toMatchObject({ UserPoolId: poolId, CSVHeader: awsHeader });
  });

  it("includes the pool's custom attributes, not its developer-only ones", async () => {
    const pool = await newPool({
      Schema: [
        { Name: "tier", AttributeDataType: "String", Mutable: true },
        { Name: "secret", AttributeDataType: "String", DeveloperOnlyAttribute: true, Mutable: true },
      ],
    });
    const { CSVHeader } = await h.cognito.send(new GetCSVHeaderCommand({ UserPoolId: pool }));
    expect(CSVHeader).toContain("custom:tier");
    expect(CSVHeader).not.toContain("dev:custom:secret");
    expect(CSVHeader?.slice(-2)).toEqual(["cognito:mfa_enabled", "cognito:username"]);
  });

  it("refuses an unknown pool and a malformed pool id", async () => {
    expect(await errorOf(h.cognito.send(new GetCSVHeaderCommand({ UserPoolId: "us-east-1_missing" })))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "User pool us-east-1_missing does not exist.",
    });
    expect((await errorOf(h.cognito.send(new GetCSVHeaderCommand({ UserPoolId: "no-underscore" })))).name).toBe(
      "InvalidParameterException",
    );
  });
});

describe("an import job from start to end", () => {
  it("creates a job, takes the file at its PreSignedUrl, imports the users RESET_REQUIRED", async () => {
    const created = await createJob();
    // The guide's sample response: Status Created, the counters at 0, the role ARN echoed.
    expect(created).toMatchObject({
      JobName: "import users",
      UserPoolId: poolId,
      Status: "Created",
      CloudWatchLogsRoleArn: roleArn,
      ImportedUsers: 0,
      SkippedUsers: 0,
      FailedUsers: 0,
    });
    expect(created.JobId).toMatch(/^import-[0-9a-zA-Z-]+$/);
    expect(created.CreationDate).toBeInstanceOf(Date);
    expect(created.PreSignedUrl!.startsWith(`${h.emulator.url}/_import/${created.JobId}?`)).toBe(true);

    // The guide's complete sample file, two users.
    const csv = csvOf(
      "John,,John,Doe,,,,,,,johndoe@example.com,TRUE,,02/01/1985,,,+12345550100,TRUE,123 Any Street,,FALSE",
      "Jane,,Jane,Roe,,,,,,,janeroe@example.com,TRUE,,01/01/1985,,,+12345550199,TRUE,100 Main Street,,FALSE",
    );
    const put = await upload(created.PreSignedUrl!, csv);
    expect(put.status).toBe(200);
    expect(put.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);

    const started = await h.cognito.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: created.JobId }));
    // The guide's sample StartUserImportJob response is Pending, with a StartDate.
    expect(started.UserImportJob).toMatchObject({ Status: "Pending", JobId: created.JobId });
    expect(started.UserImportJob?.StartDate).toBeInstanceOf(Date);

    const done = await settled(poolId, created.JobId!);
    expect(done).toMatchObject({ Status: "Succeeded", ImportedUsers: 2, SkippedUsers: 0, FailedUsers: 0 });
    expect(done.CompletionDate).toBeInstanceOf(Date);

    const john = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: "John" }));
    expect(john.UserStatus).toBe("RESET_REQUIRED");
    const attributes = Object.fromEntries((john.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(attributes).toMatchObject({
      given_name: "John",
      family_name: "Doe",
      email: "johndoe@example.com",
      email_verified: "true",
      phone_number: "+12345550100",
      birthdate: "02/01/1985",
      address: "123 Any Street",
    });
    expect(attributes.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(await logOf(created.JobId!)).toEqual([
      { lineNumber: 2, outcome: "SUCCEEDED", message: "The import succeeded." },
      { lineNumber: 3, outcome: "SUCCEEDED", message: "The import succeeded." },
    ]);
  });

  it("makes an imported user reset their password before signing in, as RESET_REQUIRED means", async () => {
    const pool = await newPool();
    const client = await createClient(h, pool, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] });
    const job = await runImport(
      csvOf(
        row({
          "cognito:username": "ria",
          email: "ria@example.com",
          email_verified: "true",
          "cognito:mfa_enabled": "false",
        }),
      ),
      pool,
    );
    expect(job.Status).toBe("Succeeded");
    const signIn = () =>
      h.cognito.send(
        new InitiateAuthCommand({
          ClientId: client.ClientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: "ria", PASSWORD: "Imported-Passw0rd!" },
        }),
      );
    expect(await errorOf(signIn())).toMatchObject({
      name: "PasswordResetRequiredException",
      message: "Password reset required for the user",
    });
    // "You can set your users' passwords with an AdminSetUserPassword API request that sets the
    // Permanent parameter to true."
    await h.cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool,
        Username: "ria",
        Password: "Imported-Passw0rd!",
        Permanent: true,
      }),
    );
    expect((await signIn()).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("takes the file from curl exactly as the developer guide uploads it", async () => {
    const pool = await newPool();
    const job = await createJob(pool);
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-import-"));
    try {
      const file = join(dir, "users.csv");
      writeFileSync(
        file,
        csvOf(
          row({
            "cognito:username": "curly",
            email: "curly@example.com",
            email_verified: "TRUE",
            "cognito:mfa_enabled": "FALSE",
          }),
        ),
      );
      const { stderr } = await promisify(execFile)("curl", [
        "-v",
        "-T",
        file,
        "-H",
        "x-amz-server-side-encryption:aws:kms",
        job.PreSignedUrl!,
      ]);
      // "look for the phrase "We are completely uploaded and fine"" — and S3's 200.
      expect(stderr).toContain("We are completely uploaded and fine");
      expect(stderr).toMatch(/< HTTP\/1\.1 200/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await h.cognito.send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId }));
    expect(await settled(pool, job.JobId!)).toMatchObject({ Status: "Succeeded", ImportedUsers: 1 });
  });

  it("reads the guide's dialect: columns in any order, \\, for a comma, values trimmed, booleans in any case", async () => {
    const pool = await newPool();
    const columns = awsHeader.join(",");
    const values = awsHeader.map((column) =>
      column === "cognito:username"
        ? "  ordered  "
        : column === "address"
          ? "1 Main Street\\, Springfield"
          : column === "email"
            ? "ordered@example.com"
            : column === "email_verified"
              ? "True"
              : column === "cognito:mfa_enabled"
                ? "FALSE"
                : "",
    );
    const job = await runImport(`${columns}\r\n${values.join(",")}\r\n`, pool);
    expect(job).toMatchObject({ Status: "Succeeded", ImportedUsers: 1 });
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: "ordered" }));
    expect(user.UserAttributes).toContainEqual({ Name: "address", Value: "1 Main Street, Springfield" });
    expect(user.UserAttributes).toContainEqual({ Name: "email_verified", Value: "true" });
  });

  it("turns cognito:mfa_enabled true into SMS MFA where the pool's MFA is optional", async () => {
    const pool = await newPool({
      MfaConfiguration: "OPTIONAL",
      SmsConfiguration: { SnsCallerArn: "arn:aws:iam::123456789012:role/sms", ExternalId: "x" },
    });
    const job = await runImport(
      csvOf(
        row({
          "cognito:username": "mfa",
          email: "mfa@example.com",
          email_verified: "true",
          phone_number: "+15555550123",
          "cognito:mfa_enabled": "true",
        }),
      ),
      pool,
    );
    expect(job.ImportedUsers).toBe(1);
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: "mfa" }));
    expect(user.UserMFASettingList).toEqual(["SMS_MFA"]);
  });
});

describe("rows that cannot be imported", () => {
  it("counts each failed and skipped row, goes on with the others, and logs why by line number", async () => {
    const pool = await newPool();
    const client = await createClient(h, pool);
    await createConfirmedUser(h, { poolId: pool, clientId: client.ClientId! }, "taken", "Passw0rd!x", {
      email: "taken@example.com",
    });
    const good = (name: string, extra: Record<string, string> = {}) =>
      row({
        "cognito:username": name,
        email: `${name}@example.com`,
        email_verified: "true",
        "cognito:mfa_enabled": "false",
        ...extra,
      });
    const job = await runImport(
      csvOf(
        good("first"),
        good("taken"),
        good("noverify", { email_verified: "false" }),
        good("bademail", { email: "not-an-email" }),
        good("nomfa", { "cognito:mfa_enabled": "" }),
        good("with space"),
        good("badbirth", { birthdate: "1985-02-01" }),
        "short,row",
        good("first"),
        good("last"),
      ),
      pool,
    );
    expect(job).toMatchObject({ Status: "Succeeded", ImportedUsers: 2, SkippedUsers: 2, FailedUsers: 6 });
    const log = await logOf(job.JobId!);
    expect(log.map((event) => [event.lineNumber, event.outcome])).toEqual([
      [2, "SUCCEEDED"],
      [3, "SKIPPED"],
      [4, "FAILED"],
      [5, "FAILED"],
      [6, "FAILED"],
      [7, "FAILED"],
      [8, "FAILED"],
      [9, "FAILED"],
      [10, "SKIPPED"],
      [11, "SUCCEEDED"],
    ]);
    // The guide's CloudWatch lines for a skipped and a failed user.
    expect(log[1]?.message).toBe("The user already exists.");
    expect(log[2]?.message).toBe(
      "The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).",
    );
    expect(log[3]?.message).toBe("Invalid email address format.");
    expect(log[4]?.message).toBe("cognito:mfa_enabled must be true or false.");
    expect(log[5]?.message).toBe("cognito:username cannot contain spaces or tabs.");
    expect(log[6]?.message).toBe("birthdate must be in the format mm/dd/yyyy.");
    expect(log[7]?.message).toBe("The row has 2 values but the header has 21 columns.");
    // The existing user is left as it was.
    const taken = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: "taken" }));
    expect(taken.UserStatus).toBe("CONFIRMED");
  });

  it("fails a row that lacks a required attribute or that the pool's MFA setting forbids", async () => {
    const pool = await newPool({
      Schema: [{ Name: "family_name", AttributeDataType: "String", Required: true, Mutable: true }],
    });
    const job = await runImport(
      csvOf(
        row({
          "cognito:username": "nofamily",
          email: "n@example.com",
          email_verified: "true",
          "cognito:mfa_enabled": "false",
        }),
        row({
          "cognito:username": "mfaon",
          email: "m@example.com",
          email_verified: "true",
          family_name: "Doe",
          "cognito:mfa_enabled": "true",
        }),
        row({
          "cognito:username": "fine",
          email: "f@example.com",
          email_verified: "true",
          family_name: "Doe",
          "cognito:mfa_enabled": "false",
        }),
      ),
      pool,
    );
    expect(job).toMatchObject({ Status: "Succeeded", ImportedUsers: 1, FailedUsers: 2 });
    const log = await logOf(job.JobId!);
    expect(log[0]?.message).toBe("Attributes did not conform to the schema: family_name: The attribute is required");
    expect(log[1]?.message).toBe("cognito:mfa_enabled must be false: MFA is off in the user pool.");
  });

  it("fails the job when every row failed or was skipped, with AWS's completion message", async () => {
    const job = await runImport(csvOf(row({ "cognito:username": "nobody", "cognito:mfa_enabled": "false" })));
    // The guide's ListUserImportJobs sample shows this Failed job.
    expect(job).toMatchObject({
      Status: "Failed",
      ImportedUsers: 0,
      FailedUsers: 1,
      CompletionMessage: "Too many users have failed or been skipped during the import.",
    });
  });

  it("fails the job when the file cannot be used: columns missing, unknown, no file at all", async () => {
    const missing = await runImport(
      "cognito:username,email,email_verified,cognito:mfa_enabled\nx,x@example.com,true,false\n",
    );
    expect(missing.Status).toBe("Failed");
    expect(missing.CompletionMessage).toMatch(/^The CSV header lacks columns of the user pool: name, given_name/);

    const unknown = await runImport(`${guideHeader},shoe_size\n`);
    expect(unknown).toMatchObject({
      Status: "Failed",
      CompletionMessage: "The CSV header has columns that the user pool does not have: shoe_size.",
    });

    const withBom = await runImport(`\ufeff${csvOf()}`);
    expect(withBom).toMatchObject({
      Status: "Failed",
      CompletionMessage: "The CSV file must be UTF-8 without a byte order mark.",
    });

    const job = await createJob();
    await h.cognito.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
    expect(await settled(poolId, job.JobId!)).toMatchObject({
      Status: "Failed",
      CompletionMessage: "No CSV file was uploaded to the job's pre-signed URL.",
    });
  });
});

describe("the PreSignedUrl", () => {
  const s3Code = async (response: Response) => {
    const body = await response.text();
    return { status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1], body };
  };

  it("refuses an upload without the URL's token, with a wrong one, or to an unknown job", async () => {
    const job = await createJob();
    const url = new URL(job.PreSignedUrl!);
    const token = url.searchParams.get("token")!;
    url.searchParams.delete("token");
    expect(await s3Code(await upload(url.href, csvOf()))).toMatchObject({ status: 403, code: "AccessDenied" });
    url.searchParams.set("token", `${token.slice(0, -1)}x`);
    expect(await s3Code(await upload(url.href, csvOf()))).toMatchObject({ status: 403, code: "AccessDenied" });
    const unknown = `${h.emulator.url}/_import/import-Missing123?token=${token}`;
    expect(await s3Code(await upload(unknown, csvOf()))).toMatchObject({ status: 403, code: "AccessDenied" });
  });

  it("refuses an upload without the server-side encryption header the URL is signed with", async () => {
    // AWS's PreSignedUrl carries X-Amz-SignedHeaders=host;x-amz-server-side-encryption.
    const job = await createJob();
    const refused = await s3Code(await upload(job.PreSignedUrl!, csvOf(), {}));
    expect(refused).toMatchObject({ status: 403, code: "SignatureDoesNotMatch" });
    expect(refused.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  });

  it("expires 15 minutes after the job was created", async () => {
    // "The PRE_SIGNED_URL returned in the response is valid for 15 minutes."
    const job = await createJob();
    h.clock.advance(15 * 60 * 1000 + 1);
    expect(await s3Code(await upload(job.PreSignedUrl!, csvOf()))).toMatchObject({ status: 403, code: "AccessDenied" });
  });

  it("refuses a file over the guide's 100 MB with S3's EntityTooLarge, before reading it", async () => {
    // "The maximum .csv file size is 100 MB."
    const job = await createJob();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(job.PreSignedUrl!, {
        method: "PUT",
        headers: { "x-amz-server-side-encryption": "aws:kms", "content-length": String(100 * 1024 * 1024 + 1) },
      });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on("error", reject);
      request.flushHeaders();
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("<Code>EntityTooLarge</Code>");
  });

  it("takes no upload once the job is started, and a second upload before replaces the first", async () => {
    const job = await createJob();
    expect((await upload(job.PreSignedUrl!, `${guideHeader},nonsense\n`)).status).toBe(200);
    expect(
      (
        await upload(
          job.PreSignedUrl!,
          csvOf(
            row({
              "cognito:username": "second",
              email: "2@example.com",
              email_verified: "true",
              "cognito:mfa_enabled": "false",
            }),
          ),
        )
      ).status,
    ).toBe(200);
    await h.cognito.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
    expect(await s3Code(await upload(job.PreSignedUrl!, csvOf()))).toMatchObject({ status: 403, code: "AccessDenied" });
    expect(await settled(poolId, job.JobId!)).toMatchObject({ Status: "Succeeded", ImportedUsers: 1 });
  });
});

describe("starting, stopping, describing and listing jobs", () => {
  it("stops a running job between batches: Stopped with AWS's message, the rest not imported", async () => {
    const pool = await newPool();
    const rows = Array.from({ length: 10_000 }, (_, i) =>
      row({
        "cognito:username": `bulk${i}`,
        email: `bulk${i}@example.com`,
        email_verified: "true",
        "cognito:mfa_enabled": "false",
      }),
    );
    const job = await createJob(pool);
    await upload(job.PreSignedUrl!, csvOf(...rows));
    await h.cognito.send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId }));
    const { UserImportJob } = await h.cognito.send(
      new StopUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId }),
    );
    // The guide's sample StopUserImportJob response.
    expect(UserImportJob).toMatchObject({
      Status: "Stopped",
      CompletionMessage: "The Import Job was stopped by the developer.",
    });
    expect(UserImportJob?.CompletionDate).toBeInstanceOf(Date);
    const imported = UserImportJob!.ImportedUsers!;
    expect(imported).toBeLessThan(10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await describeJob(pool, job.JobId!)).toMatchObject({ Status: "Stopped", ImportedUsers: imported });
    // "After you stop the job, it cannot be restarted."
    expect(
      await errorOf(h.cognito.send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId }))),
    ).toMatchObject({ name: "PreconditionNotMetException" });
  });

  it("refuses to start a job twice, or one in a pool without auto-verified attributes", async () => {
    const job = await createJob();
    await upload(job.PreSignedUrl!, csvOf());
    await h.cognito.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
    expect(
      await errorOf(h.cognito.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }))),
    ).toMatchObject({ name: "PreconditionNotMetException", status: 400 });
    // "If the user pool has no auto-verified attributes, the import job will not start."
    const { UserPool } = await h.cognito.send(new CreateUserPoolCommand({ PoolName: "unverified" }));
    const other = await createJob(UserPool!.Id!);
    expect(
      await errorOf(h.cognito.send(new StartUserImportJobCommand({ UserPoolId: UserPool!.Id!, JobId: other.JobId }))),
    ).toMatchObject({
      name: "PreconditionNotMetException",
      message: `User pool ${UserPool!.Id!} has no auto-verified attributes.`,
    });
  });

  it("refuses to stop a job that is not running", async () => {
    const job = await createJob();
    expect(
      await errorOf(h.cognito.send(new StopUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }))),
    ).toMatchObject({
      name: "PreconditionNotMetException",
      message: `Import job ${job.JobId} is Created and cannot be stopped.`,
    });
  });

  it("expires a job not started within a day", async () => {
    // "Expired - You created a job, but did not start the job within 24-48 hours."
    const job = await createJob();
    h.clock.advance(24 * 60 * 60 * 1000 + 1);
    expect((await describeJob(poolId, job.JobId!)).Status).toBe("Expired");
    expect(
      (await errorOf(h.cognito.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId })))).name,
    ).toBe("PreconditionNotMetException");
  });

  it("answers ResourceNotFoundException for an unknown job, a job of another pool, an unknown pool", async () => {
    const other = await newPool();
    const job = await createJob(other);
    const missing = await errorOf(
      h.cognito.send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: "import-Missing123" })),
    );
    expect(missing).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Import job import-Missing123 does not exist.",
    });
    for (const command of [
      new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }),
      new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }),
      new StopUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }),
    ]) {
      expect((await errorOf(h.cognito.send(command))).name).toBe("ResourceNotFoundException");
    }
    expect(
      (
        await errorOf(
          h.cognito.send(
            new CreateUserImportJobCommand({
              UserPoolId: "us-east-1_missing",
              JobName: "j",
              CloudWatchLogsRoleArn: roleArn,
            }),
          ),
        )
      ).name,
    ).toBe("ResourceNotFoundException");
  });

  it("answers InvalidParameterException for members outside the API reference's constraints", async () => {
    const invalid = async (promise: Promise<unknown>) => (await errorOf(promise)).name;
    expect(
      await invalid(
        h.cognito.send(
          new CreateUserImportJobCommand({ UserPoolId: poolId, JobName: "bad/name", CloudWatchLogsRoleArn: roleArn }),
        ),
      ),
    ).toBe("InvalidParameterException");
    expect(
      await invalid(
        h.cognito.send(
          new CreateUserImportJobCommand({
            UserPoolId: poolId,
            JobName: "j",
            CloudWatchLogsRoleArn: "not-an-arn-at-all-xx",
          }),
        ),
      ),
    ).toBe("InvalidParameterException");
    expect(
      await invalid(h.cognito.send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: "job-1" }))),
    ).toBe("InvalidParameterException");
    for (const MaxResults of [0, 61]) {
      expect(await invalid(h.cognito.send(new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults })))).toBe(
        "InvalidParameterException",
      );
    }
    expect(
      await invalid(
        h.cognito.send(new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults: 5, PaginationToken: "forged" })),
      ),
    ).toBe("InvalidParameterException");
  });

  it("lists a pool's jobs from last created to first, a page at a time", async () => {
    const pool = await newPool();
    const names = ["first", "second", "third"];
    for (const name of names) {
      await createJob(pool, name);
      h.clock.advance(1000);
    }
    const seen: string[] = [];
    let PaginationToken: string | undefined;
    do {
      const page = await h.cognito.send(
        new ListUserImportJobsCommand({ UserPoolId: pool, MaxResults: 2, PaginationToken }),
      );
      seen.push(...(page.UserImportJobs ?? []).map((job) => job.JobName!));
      PaginationToken = page.PaginationToken;
    } while (PaginationToken);
    expect(seen).toEqual(["third", "second", "first"]);
  });

  it("echoes the PasswordHashingAlgorithm a job was created with", async () => {
    const { UserImportJob } = await h.cognito.send(
      new CreateUserImportJobCommand({
        UserPoolId: poolId,
        JobName: "hashes",
        CloudWatchLogsRoleArn: roleArn,
        PasswordHashingAlgorithm: "BCRYPT",
      }),
    );
    expect(UserImportJob?.PasswordHashingAlgorithm).toBe("BCRYPT");
  });
});

describe("across a restart", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-import-restart-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps jobs and their files, and finishes a job the emulator stopped in the middle of", async () => {
    const dataPath = join(dir, "emulator.sqlite3");
    const wallClock = { now: () => Date.now() };
    const first = await startHarness({ inMemory: false, dataPath, clock: wallClock });
    const pool = (await createPool(first, { AutoVerifiedAttributes: ["email"] })).Id!;
    const count = 20_000;
    const rows = Array.from({ length: count }, (_, i) =>
      row({
        "cognito:username": `kept${i}`,
        email: `kept${i}@example.com`,
        email_verified: "true",
        "cognito:mfa_enabled": "false",
      }),
    );
    const { UserImportJob } = await first.cognito.send(
      new CreateUserImportJobCommand({ UserPoolId: pool, JobName: "restart", CloudWatchLogsRoleArn: roleArn }),
    );
    const jobId = UserImportJob!.JobId!;
    await upload(UserImportJob!.PreSignedUrl!, csvOf(...rows));
    await first.cognito.send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: jobId }));
    await first.stop();

    const second = await startHarness({ inMemory: false, dataPath, clock: wallClock });
    try {
      let job: UserImportJobType | undefined;
      for (let attempt = 0; attempt < 1000; attempt++) {
        job = (await second.cognito.send(new DescribeUserImportJobCommand({ UserPoolId: pool, JobId: jobId })))
          .UserImportJob;
        if (job?.Status === "Succeeded") break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Each batch and its counts are written together: nothing imported twice or missed.
      expect(job).toMatchObject({ Status: "Succeeded", ImportedUsers: count, SkippedUsers: 0, FailedUsers: 0 });
      const last = await second.cognito.send(
        new AdminGetUserCommand({ UserPoolId: pool, Username: `kept${count - 1}` }),
      );
      expect(last.UserStatus).toBe("RESET_REQUIRED");
    } finally {
      await second.stop();
    }
  }, 60_000);
});
