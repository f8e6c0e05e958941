// A signing wallet for the page under test: the page gets an EIP-1193 `window.ethereum` (installed
// by an init script) whose every request crosses to Node through `page.exposeBinding`; Node signs
// with a Hardhat account (viem local account) and forwards reads to the real node. The app runs its
// production `injected()` connector against it.
import type { BrowserContext } from "playwright-core";
import {
  createWalletClient,
  http,
  type Hex,
  type LocalAccount,
  type TypedDataDefinition,
  hexToBigInt,
  defineChain,
} from "viem";

/** What a test can do to the wallet while the page runs. */
export interface TestWallet {
  account: LocalAccount;
  /** The chain the wallet says it is on (change it to show the wrong-network state). */
  chainId: number;
  /** Refuse the next signature or transaction as a user would (EIP-1193 code 4001). */
  rejectNext(): void;
  /** Every method the page called, in order. */
  calls: string[];
}

interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

type TypeFields = Record<string, readonly { name: string; type: string }[]>;

/** JSON typed data carries numbers as strings; viem signs bigints: convert every (u)int field, nested too. */
function toSignable(types: TypeFields, type: string, value: unknown): unknown {
  if (type.endsWith("[]")) return (value as unknown[]).map((v) => toSignable(types, type.slice(0, -2), v));
  if (types[type]) {
    const out: Record<string, unknown> = {};
    for (const field of types[type])
      out[field.name] = toSignable(types, field.type, (value as Record<string, unknown>)[field.name]);
    return out;
  }
  return /^u?int\d*$/.test(type) ? BigInt(value as string | number) : value;
}

/** The revert data in a viem error's cause chain, so the page can decode it as from a real wallet. */
function revertData(err: unknown): unknown {
  for (
    let e = err as { data?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 12;
    e = e.cause as typeof e, i++
  ) {
    if (e.data !== undefined) return e.data;
  }
  return undefined;
}

const INIT_SCRIPT = `(() => {
  const listeners = {};
  const provider = {
    isRigelTestWallet: true,
    async request({ method, params }) {
      const res = await window.__rigelWallet({ method, params: params ?? [] });
      if (res.error) {
        const err = new Error(res.error.message);
        err.code = res.error.code;
        if (res.error.data !== undefined) err.data = res.error.data;
        throw err;
      }
      return res.result;
    },
    on(event, fn) { (listeners[event] ??= []).push(fn); return provider; },
    removeListener(event, fn) { listeners[event] = (listeners[event] ?? []).filter((f) => f !== fn); return provider; },
  };
  window.__rigelEmit = (event, data) => (listeners[event] ?? []).forEach((fn) => fn(data));
  window.ethereum = provider;
})();`;

const rejected: RpcError = { code: 4001, message: "User rejected the request." };

function txRequest(tx: Record<string, Hex | undefined>) {
  return {
    to: tx.to as Hex | undefined,
    data: tx.data,
    value: tx.value ? hexToBigInt(tx.value) : undefined,
    gas: tx.gas ? hexToBigInt(tx.gas) : undefined,
  };
}

/**
 * Installs the wallet in every page of `context`, signing as `account` on the node at `rpcUrl`
 * (chain `chainId`, the only chain it can switch to).
 */
export async function installTestWallet(
  context: BrowserContext,
  account: LocalAccount,
  rpcUrl: string,
  realChainId: number,
  startChainId = realChainId,
): Promise<TestWallet> {
  const chain = defineChain({
    id: realChainId,
    name: "test",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createWalletClient({ account, chain, transport: http(rpcUrl) });
  let rejectNext = false;
  const wallet: TestWallet = {
    account,
    chainId: startChainId,
    rejectNext: () => {
      rejectNext = true;
    },
    calls: [],
  };
  const takeReject = () => {
    const r = rejectNext;
    rejectNext = false;
    return r;
  };
  const forward = async (method: string, params: unknown[]) => {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return (await res.json()) as { result?: unknown; error?: RpcError };
  };
  await context.exposeBinding(
    "__rigelWallet",
    async ({ page }, { method, params }: { method: string; params: unknown[] }) => {
      wallet.calls.push(method);
      try {
        switch (method) {
          case "eth_requestAccounts":
          case "eth_accounts":
            return { result: [account.address] };
          case "eth_chainId":
            return { result: `0x${wallet.chainId.toString(16)}` };
          case "net_version":
            return { result: String(wallet.chainId) };
          case "wallet_switchEthereumChain": {
            const wanted = Number((params[0] as { chainId: string }).chainId);
            if (wanted !== realChainId) return { error: { code: 4902, message: "Unrecognized chain" } };
            wallet.chainId = wanted;
            await page.evaluate(
              (id) =>
                (window as unknown as { __rigelEmit: (e: string, d: unknown) => void }).__rigelEmit("chainChanged", id),
              `0x${wanted.toString(16)}`,
            );
            return { result: null };
          }
          case "wallet_addEthereumChain":
            return { result: null };
          case "wallet_requestPermissions":
          case "wallet_getPermissions":
            return { result: [{ parentCapability: "eth_accounts" }] };
          case "wallet_revokePermissions":
            return { result: null };
          case "personal_sign": {
            if (takeReject()) return { error: rejected };
            return { result: await account.signMessage({ message: { raw: params[0] as Hex } }) };
          }
          case "eth_signTypedData_v4": {
            if (takeReject()) return { error: rejected };
            const typed = JSON.parse(params[1] as string) as {
              types: TypeFields;
              primaryType: string;
              domain: Record<string, unknown>;
              message: Record<string, unknown>;
            };
            const { EIP712Domain: _domain, ...types } = typed.types;
            const domain = {
              ...typed.domain,
              chainId: typed.domain.chainId === undefined ? undefined : Number(typed.domain.chainId),
            };
            const message = toSignable(types, typed.primaryType, typed.message);
            return {
              result: await account.signTypedData({
                domain,
                types,
                primaryType: typed.primaryType,
                message,
              } as unknown as TypedDataDefinition),
            };
          }
          case "eth_sendTransaction": {
            if (takeReject()) return { error: rejected };
            const hash = await client.sendTransaction(txRequest(params[0] as Record<string, Hex | undefined>));
            return { result: hash };
          }
          default:
            return await forward(method, params);
        }
      } catch (err) {
        return {
          error: { code: -32603, message: err instanceof Error ? err.message : String(err), data: revertData(err) },
        };
      }
    },
  );
  await context.addInitScript(INIT_SCRIPT);
  return wallet;
}
