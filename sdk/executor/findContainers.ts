import { RigelError } from "../errors/RigelError";
import { CONTAINER_LABELS, type DockerClient } from "./dockerClient";

/** A container of a job's shard, found by its labels. */
export interface FoundContainer {
  id: string;
  /** Docker's state: `created`, `running`, `exited`, ... */
  state: string;
  job: string;
  shard: number;
  /** The item index for itemised jobs; null for a single run. */
  item: number | null;
  /** The host folder its outputs go to (tells whose container it is: job ids repeat across chains). */
  outputDir: string;
}

/**
 * Finds the containers of a job (and shard, when given), running or not, by their labels: how an
 * agent finds its work again after a restart, before calling `reattachContainer` on each.
 */
export async function findContainers(
  docker: DockerClient,
  query: { job: string; shard?: number },
): Promise<FoundContainer[]> {
  const label = [`${CONTAINER_LABELS.job}=${query.job}`];
  if (query.shard !== undefined) label.push(`${CONTAINER_LABELS.shard}=${query.shard}`);
  let list;
  try {
    list = await docker.listContainers({ all: true, filters: { label } });
  } catch (err) {
    throw new RigelError("EXECUTOR_DOCKER", "could not list containers", { details: { ...query }, cause: err });
  }
  return list
    .map((c) => {
      const item = c.Labels[CONTAINER_LABELS.item];
      return {
        id: c.Id,
        state: c.State,
        job: c.Labels[CONTAINER_LABELS.job],
        shard: Number(c.Labels[CONTAINER_LABELS.shard]),
        item: item === undefined ? null : Number(item),
        outputDir: c.Labels[CONTAINER_LABELS.outputDir],
      };
    })
    .sort((a, b) => a.shard - b.shard || (a.item ?? -1) - (b.item ?? -1) || a.id.localeCompare(b.id));
}
