// Compiles contracts/TestToken.sol with solc-js (the npm package `solc`, pinned in
// package.json; nothing is downloaded) and writes artifacts/TestToken.json: the ABI, the
// creation bytecode and the compiler version. The output is committed;
// tests/test_ethnode_contract.py recompiles and requires the same bytes.
//
//   node compile.js            write artifacts/TestToken.json
//   node compile.js --stdout   print it instead (what the test uses)
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const source = fs.readFileSync(path.join(__dirname, "contracts", "TestToken.sol"), "utf8");
const input = {
  language: "Solidity",
  sources: { "TestToken.sol": { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "shanghai",
    // no metadata hash: the bytecode then depends on the source and settings only
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { TestToken: ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const contract = output.contracts["TestToken.sol"].TestToken;
const artifact = {
  contract: "TestToken",
  source: "contracts/TestToken.sol",
  compiler: "solc-js " + solc.version(),
  settings: input.settings,
  abi: contract.abi,
  bytecode: "0x" + contract.evm.bytecode.object,
};
const text = JSON.stringify(artifact, null, 2) + "\n";
if (process.argv.includes("--stdout")) {
  process.stdout.write(text);
} else {
  const dir = path.join(__dirname, "artifacts");
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, "TestToken.json.tmp");
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(dir, "TestToken.json"));
}
