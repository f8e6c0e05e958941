import type { CreateConnectorFn } from "wagmi";

/** A WalletConnect Cloud project id: 32 hex digits (what cloud.reown.com issues). */
const PROJECT_ID = /^[0-9a-fA-F]{32}$/;

/** Whether `id` looks like a WalletConnect project id (empty and absent do not). */
export function isWalletConnectProjectId(id: string | undefined): id is string {
  return id !== undefined && PROJECT_ID.test(id.trim());
}

/**
 * The WalletConnect connector when a project id is configured (`rigel.json`
 * `walletConnectProjectId`, or `VITE_WALLETCONNECT_PROJECT_ID` at build time), so phones can sign
 * by QR code or deep link (PROTOCOL §16.7); none otherwise. The connector's module is imported only
 * then, and it loads `@walletconnect/ethereum-provider` itself only when the user connects: a page
 * without a project id fetches no WalletConnect code at all.
 */
export async function walletConnectConnectors(projectId: string | undefined): Promise<CreateConnectorFn[]> {
  if (!isWalletConnectProjectId(projectId)) return [];
  const { walletConnect } = await import("wagmi/connectors/walletConnect");
  return [
    walletConnect({
      projectId: projectId.trim(),
      showQrModal: true,
      metadata: {
        name: "Rigel",
        description: "GPU compute, settled on-chain",
        url: window.location.origin,
        icons: [],
      },
    }),
  ];
}
