package dev.peerkey.cli;

import dev.peerkey.chain.Chain;
import dev.peerkey.chain.ChainException;
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
                description = "The node to run: hardhat (the default), anvil or ganache, each installed from npm.")
        NodeKind node;

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
            LocalNode started = LocalNode.start(kind, ProjectRoot.find(), options.chainDir.resolve("node.log"),
                    out::progress, true);
            new LocalChainState(started.rpcUrl(), started.pid(), started.logFile().toString(), kind)
                    .write(options.chainDir);
            var fields = Output.fields();
            fields.put("node", kind.option());
            fields.put("rpc", started.rpcUrl());
            fields.put("pid", started.pid());
            fields.put("log", started.logFile().toString());
            out.result(fields);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the local chain.")
    static final class Stop implements Runnable {
        @Mixin
        GlobalOptions options;

        @Override
        public void run() {
            Output out = new Output(options.json);
            LocalChainState state = LocalChainState.read(options.chainDir)
                    .orElseThrow(() -> new ChainException("no local chain recorded in " + options.chainDir));
            boolean wasRunning = state.nodeRunning() && LocalNode.stop(state.pid());
            LocalChainState.delete(options.chainDir);
            var fields = Output.fields();
            fields.put("node", state.nodeKind().option());
            fields.put("rpc", state.rpc());
            fields.put("stopped", wasRunning);
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
