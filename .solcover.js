// solidity-coverage: test doubles and the re-exported OpenZeppelin timelock are not ours to cover.
module.exports = {
  skipFiles: ["mocks/", "test/", "governance/"],
};
