import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";

// Hardhat would download solc; the npm `solc` package ships the same compiler as
// JavaScript, so the build works offline.
const require = createRequire(import.meta.url);
const solcVersion = require("solc/package.json").version;
const soljson = require.resolve("solc/soljson.js");

export default defineConfig({
  paths: { sources: "contracts" },
  solidity: {
    version: solcVersion,
    path: soljson,
    settings: {
      optimizer: { enabled: true, runs: 10000 },
      evmVersion: "shanghai",
    },
  },
  networks: {
    // `peerkey chain start` resumes a saved Hardhat chain on a node whose genesis has the saved timestamp.
    ...(process.env.PEERKEY_HARDHAT_GENESIS_DATE
      ? { node: { type: "edr-simulated", initialDate: process.env.PEERKEY_HARDHAT_GENESIS_DATE } }
      : {}),
    localhost: { type: "http", url: process.env.PEERKEY_RPC ?? "http://127.0.0.1:8545" },
  },
});
