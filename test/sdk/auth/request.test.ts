import { expect } from "chai";
import { encodeAbiParameters, hashMessage, keccak256, recoverAddress, toBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { RIGEL_AUTH_HEADERS } from "../../../sdk/auth/headers";
import { MemoryReplayGuard } from "../../../sdk/auth/replayGuard";
import { bodyHash, requestDigest, useBodyHasher } from "../../../sdk/auth/requestDigest";
import { nativeKeccak256 } from "../../../sdk/crypto/nativeKeccak";
import { signRequest } from "../../../sdk/auth/signRequest";
import { RequestAuthError, verifyRequest, type RequestAuthFault } from "../../../sdk/auth/verifyRequest";

const operator = privateKeyToAccount(`0x${"5a".repeat(32)}`);
const stranger = privateKeyToAccount(`0x${"a5".repeat(32)}`);
const body = JSON.stringify({ root: `0x${"11".repeat(32)}`, units: "3" });
const NOW = 1_800_000_000;

async function expectRefused(promise: Promise<unknown>, fault: RequestAuthFault): Promise<RequestAuthError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(RequestAuthError);
    expect((err as RequestAuthError).fault).to.equal(fault);
    expect((err as RequestAuthError).status).to.equal(401);
    return err as RequestAuthError;
  }
  throw new Error(`expected a ${fault} refusal`);
}

describe("sdk/auth", () => {
  it("bodyHash: keccak256 of the body's bytes, the same from its memo of recent bodies, for 200 bodies in turn", () => {
    const bodies = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(i) }));
    for (let round = 0; round < 2; round++) {
      for (const b of bodies) {
        expect(bodyHash(b)).to.equal(keccak256(toBytes(b)));
        expect(bodyHash(b)).to.equal(keccak256(toBytes(b))); // the memo's answer
      }
    }
    expect(bodyHash("")).to.equal(keccak256("0x"));
    expect(bodyHash(toBytes(body))).to.equal(bodyHash(body));
  });

  it("bodyHash: a registered hasher (the services' native keccak) takes bodies of 1 KiB or more, with the same digests", () => {
    const native = nativeKeccak256();
    expect(native, "the keccak package's native binding loads on this machine").to.not.equal(undefined);
    const seen: number[] = [];
    useBodyHasher((bytes) => {
      seen.push(bytes.length);
      return native!(bytes);
    });
    try {
      for (const size of [0, 1, 1023, 1024, 5000, 200_000]) {
        const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff);
        expect(bodyHash(bytes), `${size} bytes`).to.equal(keccak256(bytes));
        const text = "p".repeat(size) + String(size);
        expect(bodyHash(text), `a string of ${text.length}`).to.equal(keccak256(toBytes(text)));
      }
    } finally {
      useBodyHasher(undefined);
    }
    expect(seen.every((n) => n >= 1024)).to.equal(true);
    expect(seen).to.include.members([1024, 5000, 200_000]);
  });

  it("signs EIP-191 over keccak256(abi.encode(tag, METHOD, path, keccak256(body), timestamp))", async () => {
    const headers = await signRequest(operator, { method: "post", path: "/v1/proofs", body, timestamp: NOW });
    const digest = keccak256(
      encodeAbiParameters(
        [{ type: "string" }, { type: "string" }, { type: "string" }, { type: "bytes32" }, { type: "uint64" }],
        ["rigel-request-v1", "POST", "/v1/proofs", keccak256(toBytes(body)), BigInt(NOW)],
      ),
    );
    expect(requestDigest({ method: "POST", path: "/v1/proofs", body: toBytes(body), timestamp: NOW })).to.equal(digest);
    expect(bodyHash("")).to.equal(keccak256("0x"));
    expect(headers[RIGEL_AUTH_HEADERS.address]).to.equal(operator.address);
    expect(headers[RIGEL_AUTH_HEADERS.timestamp]).to.equal(String(NOW));
    const signature = headers[RIGEL_AUTH_HEADERS.signature] as Hex;
    // EIP-191 version 0x45: "\x19Ethereum Signed Message:\n32" ‖ digest.
    expect(await recoverAddress({ hash: hashMessage({ raw: digest }), signature })).to.equal(operator.address);
  });

  it("accepts a fresh request once and refuses its replay", async () => {
    const guard = new MemoryReplayGuard();
    const headers = await signRequest(operator, { method: "POST", path: "/v1/proofs", body, timestamp: NOW });
    const request = { method: "POST", path: "/v1/proofs", body, headers, replayGuard: guard };
    expect(await verifyRequest({ ...request, now: NOW + 5 })).to.equal(operator.address);
    expect(guard.size).to.equal(1);
    await expectRefused(verifyRequest({ ...request, now: NOW + 6 }), "replayed");
    // A new signature over a new timestamp is a new request.
    const again = await signRequest(operator, { method: "POST", path: "/v1/proofs", body, timestamp: NOW + 1 });
    expect(await verifyRequest({ ...request, headers: again, now: NOW + 6 })).to.equal(operator.address);
    expect(guard.size).to.equal(2);
  });

  it("refuses stale and future requests at the edge of the window", async () => {
    const guard = new MemoryReplayGuard();
    const headers = await signRequest(operator, { method: "GET", path: "/v1/x", body: "", timestamp: NOW });
    const request = { method: "GET", path: "/v1/x", body: "", headers, replayGuard: guard, maxAgeSeconds: 60 };
    await expectRefused(verifyRequest({ ...request, now: NOW + 61 }), "stale");
    await expectRefused(verifyRequest({ ...request, now: NOW - 61 }), "future");
    expect(guard.size).to.equal(0);
    expect(await verifyRequest({ ...request, now: NOW + 60 })).to.equal(operator.address);
  });

  it("refuses a changed body, method or path, a wrong signer and malformed headers", async () => {
    const guard = new MemoryReplayGuard();
    const headers = await signRequest(operator, { method: "POST", path: "/v1/proofs", body, timestamp: NOW });
    const base = { method: "POST", path: "/v1/proofs", body, headers, replayGuard: guard, now: NOW };
    await expectRefused(verifyRequest({ ...base, body: body.replace("3", "4") }), "wrong-signer");
    await expectRefused(verifyRequest({ ...base, method: "PUT" }), "wrong-signer");
    await expectRefused(verifyRequest({ ...base, path: "/v1/proofs?x=1" }), "wrong-signer");
    const claimed = { ...headers, [RIGEL_AUTH_HEADERS.address]: stranger.address };
    const err = await expectRefused(verifyRequest({ ...base, headers: claimed }), "wrong-signer");
    expect(err.details.signer).to.equal(operator.address);
    await expectRefused(
      verifyRequest({ ...base, headers: { ...headers, [RIGEL_AUTH_HEADERS.signature]: undefined } }),
      "missing-header",
    );
    await expectRefused(
      verifyRequest({ ...base, headers: { ...headers, [RIGEL_AUTH_HEADERS.timestamp]: "12.5" } }),
      "bad-header",
    );
    await expectRefused(
      verifyRequest({ ...base, headers: { ...headers, [RIGEL_AUTH_HEADERS.signature]: "0x1234" } }),
      "bad-header",
    );
    await expectRefused(
      verifyRequest({ ...base, headers: { ...headers, [RIGEL_AUTH_HEADERS.signature]: `0x${"00".repeat(65)}` } }),
      "bad-signature",
    );
    expect(guard.size).to.equal(0);
  });

  it("forgets entries once their requests are stale", () => {
    const guard = new MemoryReplayGuard();
    expect(guard.claim("a", NOW + 60, NOW)).to.equal(true);
    expect(guard.claim("a", NOW + 60, NOW + 30)).to.equal(false);
    expect(guard.claim("b", NOW + 200, NOW + 100)).to.equal(true);
    expect(guard.size).to.equal(1);
    expect(guard.claim("a", NOW + 160, NOW + 100)).to.equal(true);
  });
});
