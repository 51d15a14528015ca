package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `peerkey accept <peer>`: answer a message request. */
@Command(name = "accept", mixinStandardHelpOptions = true,
        description = {"Accept a peer's message request: the peer becomes a contact, its first messages go to your"
                + " inbox, and its newest request is answered (a signed accept that you pay for, with your"
                + " direct endpoint sealed to the peer).",
            "A request older than an hour can no longer be answered (the Messenger refuses it): then a new"
                    + " handshake request of yours is sent instead, carrying nothing of the peer's."})
final class AcceptCommand implements Runnable {
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
            ChatClient.Accepted accepted = rt.client.accept(peerId);
            String name = peerId.displayName().value();
            if (accepted.restarted()) {
                ctx.out.progress("the request from " + name + " is too old to answer (the Messenger takes an answer"
                        + " within an hour of it): sent " + name + " a new handshake request of ours instead,"
                        + " carrying nothing of theirs; the session starts when " + name + " answers");
            } else {
                ctx.out.progress("accepted " + name + "'s request; the session starts when " + name
                        + " confirms its keys");
            }
            var fields = Output.fields();
            fields.put("peer", peerId.hex());
            fields.put("name", name);
            fields.put("status", accepted.restarted() ? "new-request" : "accepted");
            fields.put("sessionId", "0x" + HexFormat.of().formatHex(accepted.sessionId()));
            fields.put("messages", accepted.messages());
            fields.put("txHash", accepted.tx().txHash());
            fields.put("gasUsed", accepted.tx().gasUsed());
            ctx.out.result(fields);
        }
    }
}
