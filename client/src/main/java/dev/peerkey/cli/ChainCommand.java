package dev.peerkey.cli;

import dev.peerkey.chain.Chain;
import dev.peerkey.chain.ChainException;
import dev.peerkey.chain.LocalChainState;
import dev.peerkey.chain.LocalNode;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `peerkey chain start|stop|status`: a local Hardhat node for development and demos. */
@Command(name = "chain", mixinStandardHelpOptions = true,
        description = "Start, stop or inspect a local Hardhat chain on 127.0.0.1.",
        subcommands = {ChainCommand.Start.class, ChainCommand.Stop.class, ChainCommand.Status.class})
final class ChainCommand {

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a local Hardhat node in the background on a free port and record its URL.")
    static final class Start implements Runnable {
        @Mixin
        GlobalOptions options;

        @Override
        public void run() {
            Output out = new Output(options.json);
            Optional<LocalChainState> running = LocalChainState.read(options.chainDir)
                    .filter(LocalChainState::nodeRunning);
            if (running.isPresent()) {
                out.progress("a local chain is already running");
                out.result(Map.of("rpc", running.get().rpc(), "pid", running.get().pid()));
                return;
            }
            LocalNode node = LocalNode.start(ProjectRoot.find(), options.chainDir.resolve("node.log"),
                    out::progress, true);
            new LocalChainState(node.rpcUrl(), node.pid(), node.logFile().toString())
                    .write(options.chainDir);
            var fields = Output.fields();
            fields.put("rpc", node.rpcUrl());
            fields.put("pid", node.pid());
            fields.put("log", node.logFile().toString());
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
