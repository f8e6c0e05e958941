import { expect } from "chai";
import {
  imageRegistry,
  parseImageReference,
  parseRegistryList,
  registryAllowed,
} from "../../../sdk/executor/imageReference";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("sdk/executor/imageReference", () => {
  it("reads Docker Hub short names as docker.io (library/ for one component)", () => {
    expect(parseImageReference("busybox")).to.deep.equal({ registry: "docker.io", repository: "library/busybox" });
    expect(parseImageReference("rigel/busybox:test")).to.deep.equal({
      registry: "docker.io",
      repository: "rigel/busybox",
      tag: "test",
    });
    expect(parseImageReference(`busybox@${DIGEST}`)).to.deep.equal({
      registry: "docker.io",
      repository: "library/busybox",
      digest: DIGEST,
    });
  });

  it("reads host[:port]/ prefixes, localhost and upper-case first components as registries", () => {
    expect(parseImageReference(`ghcr.io/org/img:1.2@${DIGEST}`)).to.deep.equal({
      registry: "ghcr.io",
      repository: "org/img",
      tag: "1.2",
      digest: DIGEST,
    });
    expect(parseImageReference("registry.local:5000/team/img")).to.deep.equal({
      registry: "registry.local:5000",
      repository: "team/img",
    });
    expect(imageRegistry("localhost/img:1")).to.equal("localhost");
    expect(imageRegistry("localhost:5000/img")).to.equal("localhost:5000");
    expect(imageRegistry("MyHost/img")).to.equal("myhost");
    // A first component without a dot, colon or capital is a Docker Hub namespace, not a host.
    expect(imageRegistry("ghcr/img")).to.equal("docker.io");
    expect(imageRegistry("index.docker.io/library/busybox")).to.equal("docker.io");
    expect(imageRegistry("registry-1.docker.io/x/y:1")).to.equal("docker.io");
  });

  it("does not take a port for a tag, nor a tag for a registry", () => {
    expect(parseImageReference("host:5000/img")).to.deep.equal({ registry: "host:5000", repository: "img" });
    expect(parseImageReference("img:5000")).to.deep.equal({
      registry: "docker.io",
      repository: "library/img",
      tag: "5000",
    });
  });

  it("parses the allow-list and compares images against it", () => {
    expect(parseRegistryList(" Docker.io, ghcr.io ,registry.local:5000,,index.docker.io")).to.deep.equal([
      "docker.io",
      "ghcr.io",
      "registry.local:5000",
    ]);
    expect(parseRegistryList("")).to.deep.equal([]);
    expect(() => parseRegistryList("https://ghcr.io")).to.throw(/not a registry host\[:port\]: "https:\/\/ghcr.io"/);
    expect(() => parseRegistryList("ghcr.io/org")).to.throw(/not a registry host/);
    expect(registryAllowed("busybox", ["docker.io"])).to.equal(true);
    expect(registryAllowed("ghcr.io/o/i", ["docker.io"])).to.equal(false);
    expect(registryAllowed("ghcr.io.evil.example/o/i", ["ghcr.io"])).to.equal(false);
    expect(registryAllowed("busybox", [])).to.equal(false);
  });
});
