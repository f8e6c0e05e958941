import { RigelError } from "../../sdk/errors/RigelError";

/** A shard step that cannot go on now (the chain or an oracle is unreachable, no Docker): retried on a later pass. */
export class ShardStepError extends RigelError {
  override readonly name = "ShardStepError";
}
