package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `peerkey block <peer>` and `peerkey unblock <peer>`. */
@Command(name = "block", mixinStandardHelpOptions = true,
        description = "Block a peer: drop its message requests and ignore its requests and messages silently from"
                + " now on (any session with it is closed). No transaction; the peer is not told.")
final class BlockCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    ChatOptions chat;

    @Parameters(index = "0", paramLabel = "PEER", description = "The peer's ID, display name or address.")
    String peer;

    @Override
    public void run() {
        try (Context ctx = new Context(options); ChatRuntime rt = ChatRuntime.open(ctx, chat, null)) {
            PeerId peerId = rt.peer(peer);
            rt.catchUpIfFree();
            int dropped = rt.client.block(peerId);
            var fields = Output.fields();
            fields.put("peer", peerId.hex());
            fields.put("blocked", true);
            fields.put("droppedRequests", dropped);
            ctx.out.result(fields);
        }
    }

    /** `peerkey unblock <peer>`. */
    @Command(name = "unblock", mixinStandardHelpOptions = true,
            description = "Lift a block: the peer's next request waits in `peerkey requests` again.")
    static final class Unblock implements Runnable {
        @Mixin
        GlobalOptions options;

        @Mixin
        ChatOptions chat;

        @Parameters(index = "0", paramLabel = "PEER", description = "The peer's ID, display name or address.")
        String peer;

        @Override
        public void run() {
            try (Context ctx = new Context(options); ChatRuntime rt = ChatRuntime.open(ctx, chat, null)) {
                PeerId peerId = rt.peer(peer);
                rt.client.unblock(peerId);
                var fields = Output.fields();
                fields.put("peer", peerId.hex());
                fields.put("blocked", false);
                ctx.out.result(fields);
            }
        }
    }
}
