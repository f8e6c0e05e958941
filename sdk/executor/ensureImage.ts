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

/** Options of {@link ensureImage}. */
export interface EnsureImageOptions {
  /** Pull the image when it is absent (default false). */
  pull?: boolean;
  /** Give up on a pull after this long (default 15 minutes): the pull stream is destroyed. */
  timeoutMs?: number;
  /** Cancels the pull (the shutdown signal). */
  signal?: AbortSignal;
  /** The operator's registry allow-list (PROTOCOL §12.5); empty or absent: nothing is pulled. */
  registries?: readonly string[];
}

/** The default bound on one image pull. */
export const DEFAULT_PULL_TIMEOUT_MS = 15 * 60_000;

/**
 * Makes sure `image` is present locally, pulling it first only when `pull` is set and its registry
 * is in `registries` (the operator's allow-list, PROTOCOL §12.5). A non-empty list refuses an image
 * from any other registry outright, even one already here; an empty (or absent) list lets only
 * images already on this host run and never pulls. A pull is bounded by `timeoutMs` and cancelled by
 * `signal`: either destroys the pull stream and fails.
 * @throws ImageRegistryError when the allow-list refuses it, ImageNotFoundError when it is absent
 * and pulling is off, or the pull fails, times out or is cancelled.
 */
export async function ensureImage(
  docker: DockerClient,
  image: string,
  options: EnsureImageOptions = {},
): Promise<EnsureImageReturnType> {
  const registries = options.registries ?? [];
  if (registries.length > 0 && !registryAllowed(image, registries)) throw new ImageRegistryError(image, registries);
  const found = await inspectImage(docker, image);
  if (found) return found;
  if (!options.pull) throw new ImageNotFoundError(image, false);
  if (registries.length === 0) throw new ImageRegistryError(image, registries);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_PULL_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    signal.throwIfAborted();
    const stream = (await docker.pull(image)) as NodeJS.ReadableStream & { destroy?: (err?: Error) => void };
    await new Promise<void>((resolve, reject) => {
      const abort = () => {
        stream.destroy?.();
        reject(signal.reason instanceof Error ? signal.reason : new Error("pull cancelled"));
      };
      if (signal.aborted) return abort();
      signal.addEventListener("abort", abort, { once: true });
      docker.modem.followProgress(stream, (err: Error | null) => {
        signal.removeEventListener("abort", abort);
        if (err) reject(err);
        else resolve();
      });
    });
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
