import { RigelError } from "../errors/RigelError";
import type { DockerClient } from "./dockerClient";

/** The image is not on this host and could not (or may not) be pulled. */
export class ImageNotFoundError extends RigelError {
  override readonly name = "ImageNotFoundError";
  constructor(image: string, pulled: boolean, cause?: unknown) {
    super(
      "EXECUTOR_IMAGE_NOT_FOUND",
      pulled
        ? `image ${image} is not on this host and pulling it failed`
        : `image ${image} is not on this host (pulling is off)`,
      { details: { image, pulled }, cause },
    );
  }
}

/** The image a container will run: its id and, for registry images, its repo digest. */
export interface EnsureImageReturnType {
  /** `sha256:…`, the digest of the image config. */
  id: string;
  repoDigest: string | null;
}

/**
 * Makes sure `image` is present locally, pulling it first only when `pull` is set.
 * @throws ImageNotFoundError when it is absent and not pulled, or the pull fails.
 */
export async function ensureImage(
  docker: DockerClient,
  image: string,
  options: { pull?: boolean } = {},
): Promise<EnsureImageReturnType> {
  const found = await inspectImage(docker, image);
  if (found) return found;
  if (!options.pull) throw new ImageNotFoundError(image, false);
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  } catch (err) {
    throw new ImageNotFoundError(image, true, err);
  }
  const pulled = await inspectImage(docker, image);
  if (!pulled) throw new ImageNotFoundError(image, true);
  return pulled;
}

async function inspectImage(docker: DockerClient, image: string): Promise<EnsureImageReturnType | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    const digests = info.RepoDigests ?? [];
    return { id: info.Id, repoDigest: digests.length > 0 ? digests[0] : null };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw new RigelError("EXECUTOR_DOCKER", `could not inspect image ${image}`, { details: { image }, cause: err });
  }
}
