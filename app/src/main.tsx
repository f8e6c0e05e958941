import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { WagmiProvider } from "wagmi";
import { App } from "./App";
import { loadRigelConfig } from "./chain/rigelConfig";
import { createWagmiConfig } from "./chain/wagmiConfig";
import { walletConnectConnectors } from "./lib/walletConnectConnectors";
import { RigelContext } from "./RigelContext";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

loadRigelConfig()
  .then(async (rigel) => {
    const walletConnect = await walletConnectConnectors(
      rigel.walletConnectProjectId ?? import.meta.env.VITE_WALLETCONNECT_PROJECT_ID,
    );
    const queryClient = new QueryClient();
    root.render(
      <StrictMode>
        <RigelContext.Provider value={rigel}>
          <WagmiProvider config={createWagmiConfig(rigel, walletConnect)}>
            <QueryClientProvider client={queryClient}>
              <App />
            </QueryClientProvider>
          </WagmiProvider>
        </RigelContext.Provider>
      </StrictMode>,
    );
  })
  .catch((err: unknown) => {
    root.render(
      <main className="page">
        <h1>Rigel</h1>
        <p className="error" role="alert" data-testid="config-error">
          {err instanceof Error ? err.message : String(err)}
        </p>
      </main>,
    );
  });
