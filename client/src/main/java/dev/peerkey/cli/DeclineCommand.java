package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `peerkey decline <peer>`: drop a message request silently. */
@Command(name = "decline", mixinStandardHelpOptions = true,
        description = "Drop a peer's message requests without answering: no transaction, nothing sent. A later"
                + " request from the peer shows again (use `peerkey block` to ignore it for good).")
final class DeclineCommand implements Runnable {
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
            int dropped = rt.client.decline(peerId);
            var fields = Output.fields();
            fields.put("peer", peerId.hex());
            fields.put("declined", dropped);
            ctx.out.result(fields);
        }
    }
}
