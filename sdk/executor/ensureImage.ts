import { RigelError } from "../errors/RigelError";
import type { DockerClient } from "./dockerClient";
import { imageRegistry, registryAllowed } from "./imageReference";

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

/**
 * The operator's registry allow-list (`sandboxRegistries`) does not let this image in: its registry
 * is not listed (the image is neither inspected nor pulled), or the list is empty and the image is
 * not on this host (nothing is pulled then).
 */
export class ImageRegistryError extends RigelError {
  override readonly name = "ImageRegistryError";
  constructor(image: string, registries: readonly string[]) {
    const registry = imageRegistry(image);
    super(
      "EXECUTOR_IMAGE_REGISTRY",
      registries.length === 0
        ? `image ${image} is not on this host and no registry is allowed (sandboxRegistries is empty): nothing is pulled`
        : `image ${image} comes from ${registry}, not one of the allowed registries (${registries.join(", ")})`,
      { details: { image, registry, registries: [...registries] } },
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
 * Makes sure `image` is present locally, pulling it first only when `pull` is set and its registry
 * is in `registries` (the operator's allow-list, PROTOCOL §12.5). A non-empty list refuses an image
 * from any other registry outright, even one already here; an empty (or absent) list lets only
 * images already on this host run and never pulls.
 * @throws ImageRegistryError when the allow-list refuses it, ImageNotFoundError when it is absent
 * and pulling is off, or the pull fails.
 */
export async function ensureImage(
  docker: DockerClient,
  image: string,
  options: { pull?: boolean; registries?: readonly string[] } = {},
): Promise<EnsureImageReturnType> {
  const registries = options.registries ?? [];
  if (registries.length > 0 && !registryAllowed(image, registries)) throw new ImageRegistryError(image, registries);
  const found = await inspectImage(docker, image);
  if (found) return found;
  if (!options.pull) throw new ImageNotFoundError(image, false);
  if (registries.length === 0) throw new ImageRegistryError(image, registries);
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
