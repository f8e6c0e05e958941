// solidity-coverage (`npm run coverage`): instruments every contract under contracts/ except the test
// doubles (mocks/, test/). governance/Timelock.sol only imports OpenZeppelin's TimelockController
// and has no code of its own. The tests that run are chosen by the script's --testfiles.
module.exports = {
  skipFiles: ["mocks/", "test/"],
  istanbulReporter: ["html", "lcov", "text", "json-summary"],
};
