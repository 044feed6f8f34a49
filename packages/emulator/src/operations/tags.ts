/**
 * Tags of user pools: TagResource, UntagResource, ListTagsForResource. A pool's tags are its
 * UserPoolTags (CreateUserPool's and DescribeUserPool's member), addressed here by the pool's ARN.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TagResource.html
 */
import type { Context } from "../context.ts";
import { invalidParameter, poolNotFound } from "../errors.ts";
import type { Pool } from "../model.ts";
import { shape } from "../shapes.ts";
import { defineOperation } from "./operation.ts";

const resourceArn = shape.string({
  required: true,
  min: 20,
  max: 2048,
  pattern: String.raw`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`,
});
const tagKey = shape.string({ required: true, min: 1, max: 128, pattern: String.raw`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$` });
const maxTags = 50;

/** The pool an ARN names: `arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>`. */
function poolOfArn(ctx: Context, arn: string): Pool {
  const match = /^arn:[\w-]+:cognito-idp:[\w-]+:\d{12}:userpool\/([\w-]+_[0-9a-zA-Z]+)$/.exec(arn);
  const pool = match?.[1] ? ctx.store.pools.get(match[1]) : undefined;
  if (!pool) throw poolNotFound(match?.[1] ?? arn);
  return pool;
}

function setTags(ctx: Context, pool: Pool, tags: Record<string, string>): void {
  if (Object.keys(tags).length > maxTags) throw invalidParameter(`A user pool can have at most ${maxTags} tags.`);
  ctx.store.pools.update(pool.id, { ...pool.config, UserPoolTags: tags }, ctx.clock.now());
}

export const tagOperations = {
  TagResource: defineOperation(
    shape.structure({ ResourceArn: resourceArn, Tags: shape.map(shape.string({ max: 256 }), { required: true }) }),
    (ctx, request) => {
      const pool = poolOfArn(ctx, request.ResourceArn);
      for (const key of Object.keys(request.Tags)) {
        if (key.length < 1 || key.length > 128) throw invalidParameter(`Tag key ${key} must be 1 to 128 characters.`);
      }
      setTags(ctx, pool, { ...pool.config.UserPoolTags, ...request.Tags });
      return {};
    },
  ),

  UntagResource: defineOperation(
    shape.structure({ ResourceArn: resourceArn, TagKeys: shape.list(tagKey, { required: true }) }),
    (ctx, request) => {
      const pool = poolOfArn(ctx, request.ResourceArn);
      const tags = { ...pool.config.UserPoolTags };
      for (const key of request.TagKeys) delete tags[key];
      setTags(ctx, pool, tags);
      return {};
    },
  ),

  ListTagsForResource: defineOperation(shape.structure({ ResourceArn: resourceArn }), (ctx, request) => ({
    Tags: { ...poolOfArn(ctx, request.ResourceArn).config.UserPoolTags },
  })),
};
