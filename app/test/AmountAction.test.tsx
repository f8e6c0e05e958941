import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AmountAction } from "../src/components/AmountAction";

// The wallet hooks (wagmi) are stood in for: a connected account, balances not drawn.
vi.mock("../src/components/ConnectBar", () => ({
  useReadyWallet: () => "0x00000000000000000000000000000000000000aa",
}));
vi.mock("../src/components/WalletBalances", () => ({
  useWalletFunds: () => undefined,
  WalletBalances: () => null,
}));

const RGL = 10n ** 18n;

describe("AmountAction with a limit", () => {
  afterEach(cleanup);

  it("refuses more than the limit with the message, and sends an amount within it", () => {
    const onSubmit = vi.fn();
    render(
      <AmountAction
        label="Undelegate"
        testId="undelegate"
        max={40n * RGL}
        maxMessage="you have 40 RGL delegated to this operator"
        onSubmit={onSubmit}
      />,
    );
    const input = screen.getByTestId("undelegate-amount");
    const button = screen.getByTestId("undelegate") as HTMLButtonElement;
    fireEvent.change(input, { target: { value: "50" } });
    expect(button.disabled).toBe(true);
    expect(screen.getByTestId("undelegate-limit").textContent).toBe("you have 40 RGL delegated to this operator");
    fireEvent.submit(button.closest("form")!);
    expect(onSubmit).not.toHaveBeenCalled();

    fireEvent.click(screen.getByTestId("undelegate-max"));
    expect((input as HTMLInputElement).value).toBe("40");
    expect(screen.queryByTestId("undelegate-limit")).toBeNull();
    fireEvent.click(button);
    expect(onSubmit).toHaveBeenCalledWith(40n * RGL);
  });

  it("without a limit takes any positive amount (no max button)", () => {
    const onSubmit = vi.fn();
    render(<AmountAction label="Stake" testId="stake" onSubmit={onSubmit} />);
    expect(screen.queryByTestId("stake-max")).toBeNull();
    fireEvent.change(screen.getByTestId("stake-amount"), { target: { value: "1000000" } });
    fireEvent.click(screen.getByTestId("stake"));
    expect(onSubmit).toHaveBeenCalledWith(1_000_000n * RGL);
  });
});
