/**
 * The CDK app: `cd infra && npx aws-cdk deploy` (cdk.json runs this file). The account and
 * region are those of the caller's AWS credentials (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION).
 * What differs per environment comes from context (`-c name=value` or cdk.json's "context"):
 * - `domainPrefix`: the hosted UI's domain prefix (unique in the region), e.g. `gatehouse-prod`;
 * - `publicUrls`: the site's PUBLIC_URL, comma-separated when several (callback and sign-out URLs);
 * - `webhookUrl`: the PostConfirmation webhook, `https://<app>/hooks/cognito/post-confirmation`.
 */
import { App } from "aws-cdk-lib";
import { gatehousePoolFor, localEnvironment } from "../src/pool-definition.ts";
import { GatehousePoolStack } from "../src/pool-stack.ts";

const app = new App();
const context = (name: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(name);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};
const publicUrls = context("publicUrls")
  ?.split(",")
  .map((url) => url.trim());
new GatehousePoolStack(app, "GatehousePool", {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description:
    "The Cognito user pool Gatehouse expects, with its domain, resource server, app clients, groups and triggers (infra/src/pool-definition.ts).",
  definition: gatehousePoolFor({
    domainPrefix: context("domainPrefix") ?? localEnvironment.domainPrefix,
    publicUrls: publicUrls ?? localEnvironment.publicUrls,
  }),
  webhookUrl: context("webhookUrl"),
});
app.synth();
