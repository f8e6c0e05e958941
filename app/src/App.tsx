import { useEffect, useState } from "react";
import { ConnectBar } from "./components/ConnectBar";
import { DeveloperPage } from "./pages/DeveloperPage";
import { OperatorPage } from "./pages/OperatorPage";
import { RewardsPage } from "./pages/RewardsPage";

const PAGES = {
  rewards: { title: "Rewards", Page: RewardsPage },
  developer: { title: "Developer", Page: DeveloperPage },
  operator: { title: "Operator", Page: OperatorPage },
} as const;
type PageName = keyof typeof PAGES;

function pageFromHash(): PageName {
  const name = window.location.hash.replace(/^#\/?/, "");
  return name in PAGES ? (name as PageName) : "rewards";
}

/** The shell: header with navigation and the wallet bar, then one page (hash routing: #/developer …). */
export function App() {
  const [page, setPage] = useState<PageName>(pageFromHash);
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const { Page } = PAGES[page];
  return (
    <>
      <header>
        <h1>Rigel</h1>
        <nav>
          {(Object.keys(PAGES) as PageName[]).map((name) => (
            <a key={name} href={`#/${name}`} className={name === page ? "active" : ""} data-testid={`nav-${name}`}>
              {PAGES[name].title}
            </a>
          ))}
        </nav>
      </header>
      <ConnectBar />
      <main>
        <Page />
      </main>
    </>
  );
}
