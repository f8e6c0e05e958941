import { useBlockNumber, useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import { decodeError } from "../lib/decodeError";
import { shortAddress } from "../lib/format";
import { useRigel } from "../RigelContext";

/** Is there an injected EIP-1193 provider at all? */
function hasInjectedWallet(): boolean {
  return typeof window !== "undefined" && typeof (window as { ethereum?: unknown }).ethereum === "object";
}

/** The wallet and network line at the top: no wallet, connect, wrong chain with a switch, connected; and the chain's health. */
export function ConnectBar() {
  const { chain, rpcUrl } = useRigel();
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const switchChain = useSwitchChain();
  const block = useBlockNumber({ watch: true, query: { retry: 0 } });

  const chainLine = block.isError ? (
    <div className="banner banner-error" data-testid="chain-unreachable" role="alert">
      The chain is unreachable at {rpcUrl}: figures below may be missing or stale.
    </div>
  ) : (
    <span className="muted" data-testid="chain-ok">
      {chain.name} · block {block.data !== undefined ? block.data.toString() : "…"}
    </span>
  );

  // WalletConnect is offered only when a project id is configured (PROTOCOL §16.7).
  const walletConnect = connectors.find((c) => c.type === "walletConnect");
  const walletConnectButton = walletConnect && (
    <button
      className={hasInjectedWallet() ? "secondary" : undefined}
      data-testid="connect-walletconnect"
      disabled={connect.isPending}
      title={connect.isPending ? "A connection request is open in a wallet." : "Scan a QR code with a phone wallet"}
      onClick={() => connect.mutate({ connector: walletConnect })}
    >
      WalletConnect (phone wallet)
    </button>
  );
  let wallet;
  if (!hasInjectedWallet() && !connection.isConnected) {
    wallet = walletConnectButton ? (
      <>
        {walletConnectButton}
        <span className="muted" data-testid="no-wallet">
          No browser wallet here: connect a phone wallet with WalletConnect. Everything can be read without one.
        </span>
      </>
    ) : (
      <span data-testid="no-wallet">
        No wallet found: install an Ethereum wallet (EIP-1193) to send transactions. Everything can be read without one.
      </span>
    );
  } else if (!connection.isConnected) {
    const error = connect.error ? decodeError(connect.error) : undefined;
    wallet = (
      <>
        <button
          data-testid="connect"
          disabled={connect.isPending}
          title={connect.isPending ? "A connection request is open in your wallet." : "Connect your browser wallet"}
          onClick={() => connectors[0] && connect.mutate({ connector: connectors[0] })}
        >
          {connect.isPending ? "Connecting…" : "Connect wallet"}
        </button>
        {walletConnectButton}
        {error && (
          <span className="error" role="alert" data-testid="connect-error">
            {error.kind === "rejected" ? "You rejected the connection request in your wallet." : error.message}
          </span>
        )}
      </>
    );
  } else if (connection.chainId !== chain.id) {
    const error = switchChain.error ? decodeError(switchChain.error) : undefined;
    wallet = (
      <>
        <span className="error" data-testid="wrong-chain" role="alert">
          Wrong network: your wallet is on chain {connection.chainId}; Rigel runs on {chain.name} ({chain.id}).
        </span>
        <button data-testid="switch-chain" onClick={() => switchChain.mutate({ chainId: chain.id })}>
          Switch to {chain.name}
        </button>
        {error && <span className="error">{error.message}</span>}
      </>
    );
  } else {
    wallet = (
      <>
        <span data-testid="connected-address" title={connection.address}>
          {shortAddress(connection.address ?? "")}
        </span>
        <button className="secondary" onClick={() => disconnect.mutate({})}>
          Disconnect
        </button>
      </>
    );
  }
  return (
    <div className="connect-bar">
      <div className="wallet">{wallet}</div>
      <div className="chain">{chainLine}</div>
    </div>
  );
}

/** True when a wallet is connected to the deployment's chain: only then can the page send transactions. */
export function useReadyWallet(): `0x${string}` | undefined {
  const { chain } = useRigel();
  const connection = useConnection();
  return connection.isConnected && connection.chainId === chain.id ? connection.address : undefined;
}
