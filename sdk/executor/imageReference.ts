/** A Docker image reference, split the way the engine reads it (distribution/reference). */
export interface ImageReference {
  /** The registry host, lower-case, with its port when given: `docker.io` for short names. */
  registry: string;
  /** The repository path inside the registry (`library/busybox` for `busybox` on docker.io). */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins one. */
  digest?: string;
}

/** Docker Hub's default registry, and the other names it answers to. */
export const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/**
 * Splits an image reference `[host[:port]/]path[:tag][@sha256:hex]`. The first path component is a
 * registry host when it holds a `.` or a `:`, is `localhost`, or has an upper-case letter (Docker's
 * rule); otherwise the image is on Docker Hub (`docker.io`, `library/` for one-component names).
 * Docker Hub's aliases (`index.docker.io`, `registry-1.docker.io`) read as `docker.io`.
 */
export function parseImageReference(image: string): ImageReference {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry = DOCKER_HUB;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
      registry = normalizeRegistry(first);
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  // A tag is after the last `:` of the path (a registry port was cut off above).
  const colon = rest.lastIndexOf(":");
  if (colon >= 0 && !rest.slice(colon).includes("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const repository = registry === DOCKER_HUB && !rest.includes("/") ? `library/${rest}` : rest;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The registry host of an image reference (`docker.io` for short names). */
export function imageRegistry(image: string): string {
  return parseImageReference(image).registry;
}

/** A registry name as the allow-list compares it: lower-case, Docker Hub's aliases as `docker.io`. */
export function normalizeRegistry(host: string): string {
  const lower = host.trim().toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

const REGISTRY_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?$/;

/**
 * Parses a comma-separated registry allow-list (`sandboxRegistries`): each entry `host[:port]`, no
 * scheme or path; normalized ({@link normalizeRegistry}), duplicates dropped.
 * @throws Error naming the entries that are not registry hosts.
 */
export function parseRegistryList(value: string): string[] {
  const entries = value
    .split(",")
    .map((r) => normalizeRegistry(r))
    .filter((r) => r.length > 0);
  const bad = entries.filter((r) => !REGISTRY_HOST.test(r));
  if (bad.length > 0) {
    throw new Error(`sandboxRegistries: not a registry host[:port]: ${bad.map((b) => JSON.stringify(b)).join(", ")}`);
  }
  return [...new Set(entries)];
}

/**
 * Whether the allow-list lets this image in: its registry is listed. An empty list lets no registry
 * in (only images already on the host run, and nothing is pulled).
 */
export function registryAllowed(image: string, registries: readonly string[]): boolean {
  return registries.includes(imageRegistry(image));
}
