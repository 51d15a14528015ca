package dev.peerkey.cli;

import dev.peerkey.chain.Chain;
import dev.peerkey.chain.ChainException;
import dev.peerkey.chain.HardhatChainRecord;
import dev.peerkey.chain.LocalChainState;
import dev.peerkey.chain.LocalNode;
import dev.peerkey.chain.NodeKind;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey chain start|stop|status`: a local Hardhat, Anvil or Ganache node for development and demos. */
@Command(name = "chain", mixinStandardHelpOptions = true,
        description = "Start, stop or inspect a local Hardhat, Anvil or Ganache chain on 127.0.0.1.",
        subcommands = {ChainCommand.Start.class, ChainCommand.Stop.class, ChainCommand.Status.class})
final class ChainCommand {

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a local node (Hardhat unless --node says otherwise) in the background on a free"
                    + " port and record its URL and kind.")
    static final class Start implements Runnable {
        @Mixin
        GlobalOptions options;

        @Option(names = "--node", paramLabel = "NODE", converter = NodeKindConverter.class,
                description = "The node to run: hardhat (the default), anvil or ganache, each installed from npm."
                        + " Each keeps its chain across `chain stop` / `chain start` (Hardhat's is saved at the stop"
                        + " and replayed block by block at the start).")
        NodeKind node;

        @Option(names = "--fresh", description = "Discard the chain this kind of node saved at its last stop and"
                + " start a new one (nothing deployed or registered).")
        boolean fresh;

        @Override
        public void run() {
            Output out = new Output(options.json);
            Optional<LocalChainState> running = LocalChainState.read(options.chainDir)
                    .filter(LocalChainState::nodeRunning);
            if (running.isPresent()) {
                NodeKind runningKind = running.get().nodeKind();
                if (node != null && node != runningKind) {
                    throw new ChainException("a local " + runningKind.label() + " chain is already running at "
                            + running.get().rpc() + ": stop it with `peerkey chain stop` before starting "
                            + node.label());
                }
                out.progress("a local " + runningKind.label() + " chain is already running");
                var fields = Output.fields();
                fields.put("node", runningKind.option());
                fields.put("rpc", running.get().rpc());
                fields.put("pid", running.get().pid());
                out.result(fields);
                return;
            }
            NodeKind kind = node == null ? NodeKind.HARDHAT : node;
            LocalChainState.makeDir(options.chainDir); // 0700, as is a profile home it makes (the default is in one)
            SavedChain saved = new SavedChain(options.chainDir, kind);
            if (fresh) {
                saved.discard();
            }
            boolean resuming = saved.exists();
            saved.prepare();
            int savedPort = resuming ? saved.savedPort() : 0;
            HardhatChainRecord record = resuming ? saved.hardhatRecord() : null;
            LocalNode started = LocalNode.start(kind, kind.stateArguments(saved.dir()),
                    record == null ? java.util.Map.of() : NodeKind.hardhatGenesisEnvironment(record.genesisTime()),
                    ProjectRoot.find(), options.chainDir.resolve("node.log"), out::progress, true, savedPort);
            if (savedPort > 0 && !started.rpcUrl().endsWith(":" + savedPort)) {
                out.progress("port " + savedPort + " of the saved chain is taken, so it now runs at "
                        + started.rpcUrl() + ": restart any `listen`, `inbox --follow` or `chat` still running");
            }
            LocalChainState state = new LocalChainState(started.rpcUrl(), started.pid(), started.logFile().toString(),
                    kind);
            long block;
            try (Chain chain = Chain.connect(started.rpcUrl())) {
                if (record != null) {
                    replay(record, chain, out, started);
                }
                block = chain.blockNumber();
                if (resuming) {
                    state = saved.restore(state, chain, out::progress);
                    out.progress("resumed the local " + kind.label() + " chain saved in " + saved.dir() + " at block "
                            + block + " (`chain start --fresh` starts a new one)");
                } else if (fresh && kind.keepsState()) {
                    out.progress("a fresh chain: the saved one was discarded");
                }
            }
            state.write(options.chainDir);
            var fields = Output.fields();
            fields.put("node", kind.option());
            fields.put("rpc", started.rpcUrl());
            fields.put("pid", started.pid());
            fields.put("log", started.logFile().toString());
            fields.put("resumed", resuming);
            fields.put("block", block);
            fields.put("registry", state.registry());
            fields.put("messenger", state.messenger());
            out.result(fields);
        }

        /** Replays the saved Hardhat chain on the node just started; if that fails the node is stopped. */
        private static void replay(HardhatChainRecord record, Chain chain, Output out, LocalNode started) {
            try {
                HardhatChainRecord.Replay replay = record.replay(chain, out::progress);
                if (replay.blocks() > 0) {
                    out.progress(String.format(java.util.Locale.ROOT, "replayed %d blocks (%d transactions) in %.1f s:"
                            + " each block came out with the hash recorded for it (which covers its transactions, their"
                            + " outcomes and the state)", replay.blocks(), replay.transactions(), replay.millis() / 1000.0));
                }
            } catch (RuntimeException e) {
                started.close();
                throw e;
            }
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the local chain and save it for the next `chain start` (Anvil and Ganache save their"
                    + " own state; Hardhat's blocks are read from the node and saved before it stops).")
    static final class Stop implements Runnable {
        @Mixin
        GlobalOptions options;

        @Override
        public void run() {
            Output out = new Output(options.json);
            LocalChainState state = LocalChainState.read(options.chainDir)
                    .orElseThrow(() -> new ChainException("no local chain recorded in " + options.chainDir));
            NodeKind kind = state.nodeKind();
            SavedChain saved = new SavedChain(options.chainDir, kind);
            boolean running = state.nodeRunning();
            // A Hardhat node that is not running left no chain to save: only an earlier stop's, if any.
            boolean kept = kind.keepsState() && (running || kind != NodeKind.HARDHAT || saved.exists());
            if (running && kind.keepsState()) {
                String chainKey = null;
                try (Chain chain = Chain.connect(state.rpc())) {
                    chainKey = chain.chainKey();
                    if (kind == NodeKind.HARDHAT) {
                        HardhatChainRecord.read(chain, out::progress).write(saved.dir());
                    }
                } catch (ChainException notSaved) {
                    // Anvil and Ganache save their state anyway; without the key no deployment record is carried over
                    if (kind == NodeKind.HARDHAT) {
                        saved.forgetHardhatRecord();
                        kept = false;
                        chainKey = null;
                        out.progress("the Hardhat chain could not be saved (" + notSaved.getMessage() + ")");
                    }
                }
                saved.recordDeployment(state, chainKey);
            }
            boolean wasRunning = running && LocalNode.stop(state.pid());
            LocalChainState.delete(options.chainDir);
            if (kept) {
                out.progress("stopped the local " + kind.label() + " chain; its state (blocks, registrations,"
                        + " handshakes, the deployment) is saved in " + saved.dir() + ": `peerkey chain start --node "
                        + kind.option() + "` resumes it, `--fresh` discards it");
            } else {
                out.progress("stopped the local " + kind.label() + " chain; it is lost: its blocks, registrations and"
                        + " deployment are gone and the next `chain start` begins a new chain");
            }
            var fields = Output.fields();
            fields.put("node", kind.option());
            fields.put("rpc", state.rpc());
            fields.put("stopped", wasRunning);
            fields.put("stateKept", kept);
            fields.put("stateDir", kept ? saved.dir().toString() : null);
            out.result(fields);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Report whether the local chain runs and answers.")
    static final class Status implements Runnable {
        @Mixin
        GlobalOptions options;

        @Override
        public void run() {
            Output out = new Output(options.json);
            LocalChainState state = LocalChainState.read(options.chainDir)
                    .orElseThrow(() -> new ChainException("no local chain: start one with `peerkey chain start`"));
            var fields = Output.fields();
            fields.put("node", state.nodeKind().option());
            fields.put("rpc", state.rpc());
            fields.put("pid", state.pid());
            fields.put("running", state.nodeRunning());
            try (Chain chain = Chain.connect(state.rpc())) {
                fields.put("chainId", chain.chainId());
                fields.put("block", chain.blockNumber());
            } catch (ChainException e) {
                fields.put("answering", false);
            }
            fields.put("registry", state.registry());
            fields.put("messenger", state.messenger());
            fields.put("log", state.log());
            out.result(fields);
            if (!state.nodeRunning()) {
                throw new ChainException("the local chain recorded at " + state.rpc() + " is not running");
            }
        }
    }
}
