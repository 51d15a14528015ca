package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.messaging.Packet;
import dev.peerkey.store.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `peerkey send <peer> <text>`: one end-to-end encrypted message. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Send one end-to-end encrypted message from the identity given with --id (default: the"
                + " profile's default). Without a session, the message goes inside a signed"
                + " handshake request, sealed to the peer's registered key: the peer reads it as a message request"
                + " and the session starts when it accepts (waits up to --timeout for that, then reports"
                + " \"pending\"; exit 0). Until then each send makes a new request carrying every waiting message.",
            "By default the message goes directly when the peer told us an endpoint, else through the on-chain"
                    + " mailbox; a direct message not acknowledged within --ack-timeout goes through the mailbox.",
            "The mailbox carries at most " + Packet.MAX_MAILBOX_TEXT + " bytes of text (UTF-8); a longer text"
                    + " is refused before anything is queued, unless sent with --via direct to a peer that listens (up"
                    + " to " + Packet.MAX_DIRECT_TEXT + " bytes, without fallback to the mailbox)."})
final class SendCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    ChatOptions chat;

    @Parameters(index = "0", paramLabel = "PEER", description = "The peer's ID, display name or address.")
    String peer;

    @Parameters(index = "1", paramLabel = "TEXT", description = "The message.")
    String text;

    @Option(names = "--via", paramLabel = "chain|direct",
            description = "Force a transport: chain (the mailbox) or direct (falls back to the mailbox if not"
                    + " acknowledged).")
    String via;

    @Option(names = "--yes", description = "Send a text that needs a 16 KiB mailbox post (over about 4 KiB)"
            + " without asking; its gas and cost are printed first.")
    boolean yes;

    @Override
    public void run() {
        Transport transport = parseVia(via);
        try (Context ctx = new Context(options); ChatRuntime rt = ChatRuntime.open(ctx, chat, null)) {
            rt.client.requireSendable(text, transport); // before any handshake: a text no route carries
            PeerId peerId = rt.peer(peer);
            rt.warnIfVerificationLapsed(peerId);
            rt.client.requireCanSend(); // a revoked or expired identity stops here, before any step or payment
            CostCheck.mailboxPost(ctx, text, transport, yes); // a 16 KiB post: its gas first, then ask
            // Acknowledgements owed to the peer ride in the message's transaction; the rest go out on exit.
            rt.client.holdAcknowledgements(ChatRuntime.UNTIL_EXIT);
            rt.catchUpIfFree(); // endpoint updates and acknowledgements first
            if (rt.sessionOrWait(peerId, chat.timeout).isEmpty()) {
                sendInRequest(ctx, rt, peerId);
                return;
            }
            ChatClient.Sent sent = rt.client.send(peerId, text, transport);
            if (sent.fallbackReason() != null) {
                ctx.out.progress("direct delivery failed (" + sent.fallbackReason() + "); sent through the mailbox");
            }
            var fields = Output.fields();
            fields.put("messageId", sent.message().id().hex());
            fields.put("from", rt.client.id().hex());
            fields.put("to", peerId.hex());
            fields.put("via", sent.via().name().toLowerCase());
            fields.put("delivered", sent.delivered());
            fields.put("txHash", sent.txHash());
            fields.put("gasUsed", sent.gasUsed());
            fields.put("acksCarried", sent.acksCarried());
            fields.put("fallbackReason", sent.fallbackReason());
            ctx.out.result(fields);
        }
    }

    /** No session: the message rides on a handshake request and is read when the peer accepts. */
    private void sendInRequest(Context ctx, ChatRuntime rt, PeerId peerId) {
        if (parseVia(via) == Transport.DIRECT) {
            throw new PeerkeyException("no session with " + peerId + " yet, so no direct connection: send without"
                    + " --via direct, and the message goes in a handshake request");
        }
        String name = peerId.displayName().value();
        ChatClient.RequestSent sent = rt.client.sendInRequest(peerId, text);
        ctx.out.progress("no session with " + name + ": sent a handshake request carrying "
                + (sent.carried() == 1 ? "the message" : "it and " + (sent.carried() - 1) + " earlier message(s)")
                + " (gas " + sent.tx().gasUsed() + "); waiting up to " + chat.timeout.toSeconds()
                + " s for an answer…");
        boolean delivered = rt.awaitDelivered(sent.message().id(), chat.timeout);
        var fields = Output.fields();
        fields.put("messageId", sent.message().id().hex());
        fields.put("from", rt.client.id().hex());
        fields.put("to", peerId.hex());
        fields.put("via", "request");
        fields.put("delivered", delivered);
        fields.put("pending", !delivered);
        fields.put("requestId", "0x" + java.util.HexFormat.of().formatHex(sent.requestId()));
        fields.put("txHash", sent.tx().txHash());
        fields.put("gasUsed", sent.tx().gasUsed());
        ctx.out.result(fields);
        if (!delivered) {
            ctx.out.progress("request sent; the message will be read when " + name + " accepts");
        }
    }

    static Transport parseVia(String via) {
        if (via == null) {
            return null;
        }
        return switch (via.toLowerCase()) {
            case "chain", "mailbox" -> Transport.CHAIN;
            case "direct" -> Transport.DIRECT;
            default -> throw new UsageException("--via must be chain or direct, not '" + via + "'");
        };
    }
}
