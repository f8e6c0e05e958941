import { createContext, useContext } from "react";
import type { RigelConfig } from "./chain/rigelConfig";

/** The loaded `rigel.json`, for every page. */
export const RigelContext = createContext<RigelConfig | null>(null);

/** The deployment, RPC URL and chain the app runs against. */
export function useRigel(): RigelConfig {
  const value = useContext(RigelContext);
  if (!value) throw new Error("useRigel outside RigelContext");
  return value;
}
