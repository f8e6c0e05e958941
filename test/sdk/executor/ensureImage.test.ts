import { expect } from "chai";
import { Readable } from "node:stream";
import type { DockerClient } from "../../../sdk/executor/dockerClient";
import { ensureImage, ImageNotFoundError, ImageRegistryError } from "../../../sdk/executor/ensureImage";

/** A Docker client double: images in `present` exist; `pull` adds `pullable` ones, fails on others. */
function fakeDocker(present: Record<string, { Id: string; RepoDigests?: string[] }>, pullable: string[]) {
  const calls: string[] = [];
  const docker = {
    getImage: (name: string) => ({
      inspect: async () => {
        calls.push(`inspect ${name}`);
        if (present[name]) return present[name];
        throw Object.assign(new Error("no such image"), { statusCode: 404 });
      },
    }),
    pull: async (name: string) => {
      calls.push(`pull ${name}`);
      const stream = Readable.from([]);
      (stream as unknown as { image: string }).image = name;
      return stream;
    },
    modem: {
      followProgress: (stream: { image: string }, done: (err: Error | null) => void) => {
        if (pullable.includes(stream.image)) {
          present[stream.image] = { Id: "sha256:pulled", RepoDigests: [`${stream.image}@sha256:${"1".repeat(64)}`] };
          done(null);
        } else done(new Error("registry unreachable"));
      },
    },
  } as unknown as DockerClient;
  return { docker, calls };
}

describe("sdk/executor/ensureImage (with a Docker client double)", () => {
  it("returns a present image's id and repo digest", async () => {
    const { docker, calls } = fakeDocker({ "a:1": { Id: "sha256:aaa", RepoDigests: ["a@sha256:bbb"] } }, []);
    expect(await ensureImage(docker, "a:1")).to.deep.equal({ id: "sha256:aaa", repoDigest: "a@sha256:bbb" });
    expect(calls).to.deep.equal(["inspect a:1"]);
  });

  it("does not pull unless asked", async () => {
    const { docker, calls } = fakeDocker({}, ["b:1"]);
    const err = await ensureImage(docker, "b:1").catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ImageNotFoundError);
    expect((err as ImageNotFoundError).details).to.deep.equal({ image: "b:1", pulled: false });
    expect(calls).to.deep.equal(["inspect b:1"]);
  });

  it("pulls a missing image when asked", async () => {
    const { docker, calls } = fakeDocker({}, ["b:1"]);
    const got = await ensureImage(docker, "b:1", { pull: true, registries: ["docker.io"] });
    expect(got).to.deep.equal({ id: "sha256:pulled", repoDigest: `b:1@sha256:${"1".repeat(64)}` });
    expect(calls).to.deep.equal(["inspect b:1", "pull b:1", "inspect b:1"]);
  });

  it("reports a failed pull with its cause", async () => {
    const { docker } = fakeDocker({}, []);
    const err = await ensureImage(docker, "c:1", { pull: true, registries: ["docker.io"] }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ImageNotFoundError);
    expect((err as ImageNotFoundError).chain()).to.deep.equal([
      "image c:1 is not on this host and pulling it failed",
      "registry unreachable",
    ]);
  });

  describe("the registry allow-list (sandboxRegistries, PROTOCOL §12.5)", () => {
    it("an empty list never pulls: a missing image is refused with the allow-list's reason", async () => {
      // The old rule pulled any missing image whenever pulling was on (pullImages: true).
      const { docker, calls } = fakeDocker({}, ["b:1"]);
      const err = await ensureImage(docker, "b:1", { pull: true, registries: [] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ImageRegistryError);
      expect((err as ImageRegistryError).code).to.equal("EXECUTOR_IMAGE_REGISTRY");
      expect((err as Error).message).to.match(/sandboxRegistries is empty/);
      expect(calls).to.deep.equal(["inspect b:1"]);
    });

    it("an empty list still runs an image already on this host", async () => {
      const { docker } = fakeDocker({ "evil.example:5000/x:1": { Id: "sha256:local" } }, []);
      const got = await ensureImage(docker, "evil.example:5000/x:1", { pull: true, registries: [] });
      expect(got.id).to.equal("sha256:local");
    });

    it("a registry not listed is refused before any inspect or pull, even when the image is here", async () => {
      const image = `evil.example:5000/x@sha256:${"2".repeat(64)}`;
      const { docker, calls } = fakeDocker({ [image]: { Id: "sha256:local" } }, [image]);
      const err = await ensureImage(docker, image, { pull: true, registries: ["ghcr.io"] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ImageRegistryError);
      expect((err as ImageRegistryError).details).to.deep.include({ registry: "evil.example:5000" });
      expect(calls).to.deep.equal([]);
    });

    it("a listed registry is pulled from (Docker Hub's aliases read as docker.io)", async () => {
      const { docker, calls } = fakeDocker({}, ["index.docker.io/library/b:1", "ghcr.io/o/b:1"]);
      await ensureImage(docker, "index.docker.io/library/b:1", { pull: true, registries: ["docker.io"] });
      await ensureImage(docker, "ghcr.io/o/b:1", { pull: true, registries: ["ghcr.io"] });
      expect(calls.filter((c) => c.startsWith("pull"))).to.deep.equal([
        "pull index.docker.io/library/b:1",
        "pull ghcr.io/o/b:1",
      ]);
    });
  });
});
