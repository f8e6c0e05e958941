import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ComputeToken } from "../../typechain-types";

const CAP = ethers.parseEther("1000000000");
const GENESIS = ethers.parseEther("100000000");

async function deployToken() {
  const [admin, treasury, minter, alice, bob] = await ethers.getSigners();
  const factory = await ethers.getContractFactory("ComputeToken");
  const token = (await factory.deploy(admin.address, treasury.address, GENESIS, CAP)) as unknown as ComputeToken;
  await token.waitForDeployment();
  await token.connect(admin).grantRole(await token.MINTER_ROLE(), minter.address);
  return { token, admin, treasury, minter, alice, bob };
}

describe("ComputeToken", () => {
  describe("constructor", () => {
    it("test_constructor_mintsGenesisAndSetsMetadata", async () => {
      const { token, admin, treasury } = await loadFixture(deployToken);
      expect(await token.name()).to.equal("Rigel Compute");
      expect(await token.symbol()).to.equal("RGL");
      expect(await token.decimals()).to.equal(18n);
      expect(await token.cap()).to.equal(CAP);
      expect(await token.totalSupply()).to.equal(GENESIS);
      expect(await token.balanceOf(treasury.address)).to.equal(GENESIS);
      expect(await token.hasRole(await token.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
    });

    it("test_constructor_zeroGenesis_mintsNothing", async () => {
      const [admin] = await ethers.getSigners();
      const token = await ethers.deployContract("ComputeToken", [admin.address, ethers.ZeroAddress, 0n, CAP]);
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("test_constructor_revertsWhen_adminIsZero", async () => {
      const [, treasury] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ComputeToken");
      await expect(factory.deploy(ethers.ZeroAddress, treasury.address, GENESIS, CAP)).to.be.revertedWithCustomError(
        factory,
        "RGLZeroAdmin",
      );
    });

    it("test_constructor_revertsWhen_genesisHasNoRecipient", async () => {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ComputeToken");
      await expect(factory.deploy(admin.address, ethers.ZeroAddress, GENESIS, CAP))
        .to.be.revertedWithCustomError(factory, "RGLGenesisWithoutRecipient")
        .withArgs(GENESIS);
    });

    it("test_constructor_revertsWhen_genesisAboveCap", async () => {
      const [admin, treasury] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ComputeToken");
      await expect(factory.deploy(admin.address, treasury.address, CAP + 1n, CAP))
        .to.be.revertedWithCustomError(factory, "ERC20ExceededCap")
        .withArgs(CAP + 1n, CAP);
    });

    it("test_constructor_revertsWhen_capIsZero", async () => {
      const [admin, treasury] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ComputeToken");
      await expect(factory.deploy(admin.address, treasury.address, 0n, 0n))
        .to.be.revertedWithCustomError(factory, "ERC20InvalidCap")
        .withArgs(0n);
    });
  });

  describe("mint", () => {
    it("test_mint_byMinter_increasesBalanceAndSupply", async () => {
      const { token, minter, alice } = await loadFixture(deployToken);
      const amount = ethers.parseEther("5");
      const supplyBefore = await token.totalSupply();
      await expect(token.connect(minter).mint(alice.address, amount))
        .to.emit(token, "Minted")
        .withArgs(minter.address, alice.address, amount)
        .and.to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, amount);
      expect(await token.balanceOf(alice.address)).to.equal(amount);
      expect(await token.totalSupply()).to.equal(supplyBefore + amount);
    });

    it("test_mint_upToCapExactly_succeeds", async () => {
      const { token, minter, alice } = await loadFixture(deployToken);
      await token.connect(minter).mint(alice.address, CAP - GENESIS);
      expect(await token.totalSupply()).to.equal(CAP);
    });

    it("test_mint_revertsWhen_aboveCap", async () => {
      const { token, minter, alice } = await loadFixture(deployToken);
      await expect(token.connect(minter).mint(alice.address, CAP - GENESIS + 1n))
        .to.be.revertedWithCustomError(token, "ERC20ExceededCap")
        .withArgs(CAP + 1n, CAP);
    });

    it("test_mint_revertsWhen_callerIsNotMinter", async () => {
      const { token, admin, alice } = await loadFixture(deployToken);
      await expect(token.connect(admin).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, await token.MINTER_ROLE());
    });

    it("test_mint_revertsWhen_minterRoleRevoked", async () => {
      const { token, admin, minter, alice } = await loadFixture(deployToken);
      await token.connect(admin).revokeRole(await token.MINTER_ROLE(), minter.address);
      await expect(token.connect(minter).mint(alice.address, 1n)).to.be.revertedWithCustomError(
        token,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("test_mint_revertsWhen_recipientIsZero", async () => {
      const { token, minter } = await loadFixture(deployToken);
      await expect(token.connect(minter).mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("roles", () => {
    it("test_grantRole_revertsWhen_callerIsNotAdmin", async () => {
      const { token, alice, bob } = await loadFixture(deployToken);
      await expect(token.connect(alice).grantRole(await token.MINTER_ROLE(), bob.address))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, await token.DEFAULT_ADMIN_ROLE());
    });

    it("test_supportsInterface_reportsAccessControl", async () => {
      const { token } = await loadFixture(deployToken);
      expect(await token.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await token.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("burn", () => {
    it("test_burn_reducesBalanceAndSupply", async () => {
      const { token, treasury } = await loadFixture(deployToken);
      const amount = ethers.parseEther("10");
      await expect(token.connect(treasury).burn(amount))
        .to.emit(token, "Transfer")
        .withArgs(treasury.address, ethers.ZeroAddress, amount);
      expect(await token.balanceOf(treasury.address)).to.equal(GENESIS - amount);
      expect(await token.totalSupply()).to.equal(GENESIS - amount);
    });

    it("test_burn_revertsWhen_balanceTooLow", async () => {
      const { token, alice } = await loadFixture(deployToken);
      await expect(token.connect(alice).burn(1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(alice.address, 0n, 1n);
    });

    it("test_burnFrom_spendsAllowance", async () => {
      const { token, treasury, alice } = await loadFixture(deployToken);
      const amount = ethers.parseEther("3");
      await token.connect(treasury).approve(alice.address, amount * 2n);
      await token.connect(alice).burnFrom(treasury.address, amount);
      expect(await token.allowance(treasury.address, alice.address)).to.equal(amount);
      expect(await token.balanceOf(treasury.address)).to.equal(GENESIS - amount);
      expect(await token.totalSupply()).to.equal(GENESIS - amount);
    });

    it("test_burnFrom_revertsWhen_allowanceTooLow", async () => {
      const { token, treasury, alice } = await loadFixture(deployToken);
      await expect(token.connect(alice).burnFrom(treasury.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(alice.address, 0n, 1n);
    });

    it("test_burn_freesRoomUnderCap", async () => {
      const { token, treasury, minter, alice } = await loadFixture(deployToken);
      await token.connect(minter).mint(alice.address, CAP - GENESIS);
      await token.connect(treasury).burn(5n);
      await token.connect(minter).mint(alice.address, 5n);
      expect(await token.totalSupply()).to.equal(CAP);
    });
  });

  describe("permit", () => {
    async function signPermit(
      token: ComputeToken,
      owner: Awaited<ReturnType<typeof ethers.getSigners>>[number],
      spender: string,
      value: bigint,
      deadline: bigint,
    ) {
      const { chainId } = await ethers.provider.getNetwork();
      const nonce = await token.nonces(owner.address);
      const sig = await owner.signTypedData(
        { name: "Rigel Compute", version: "1", chainId, verifyingContract: await token.getAddress() },
        {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        { owner: owner.address, spender, value, nonce, deadline },
      );
      return ethers.Signature.from(sig);
    }

    it("test_permit_setsAllowanceAndBumpsNonce", async () => {
      const { token, treasury, alice } = await loadFixture(deployToken);
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
      const sig = await signPermit(token, treasury, alice.address, 42n, deadline);
      await token.permit(treasury.address, alice.address, 42n, deadline, sig.v, sig.r, sig.s);
      expect(await token.allowance(treasury.address, alice.address)).to.equal(42n);
      expect(await token.nonces(treasury.address)).to.equal(1n);
    });

    it("test_permit_revertsWhen_replayed", async () => {
      const { token, treasury, alice } = await loadFixture(deployToken);
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
      const sig = await signPermit(token, treasury, alice.address, 42n, deadline);
      await token.permit(treasury.address, alice.address, 42n, deadline, sig.v, sig.r, sig.s);
      await expect(
        token.permit(treasury.address, alice.address, 42n, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
    });

    it("test_permit_revertsWhen_expired", async () => {
      const { token, treasury, alice } = await loadFixture(deployToken);
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp - 1);
      const sig = await signPermit(token, treasury, alice.address, 42n, deadline);
      await expect(token.permit(treasury.address, alice.address, 42n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });
  });

  describe("no votes (PROTOCOL §2)", () => {
    it("test_token_hasNoVoteCheckpoints", async () => {
      // Regression: ERC20Votes wrote a checkpoint on every mint, burn and transfer that nothing read
      // (no Governor counts RGL votes: governance is a timelock under a multisig). The token no longer
      // has the ERC-5805 calls; the gas snapshot shows what a transfer, mint and burn save.
      const { token } = await loadFixture(deployToken);
      for (const fn of ["getVotes", "getPastVotes", "getPastTotalSupply", "delegate", "delegates", "clock"]) {
        expect(
          token.interface.fragments.some((f) => f.type === "function" && "name" in f && f.name === fn),
          fn,
        ).to.equal(false);
      }
    });
  });
});
