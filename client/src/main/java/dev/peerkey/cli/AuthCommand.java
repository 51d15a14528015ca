package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.store.SessionRecord;
import java.util.HexFormat;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `peerkey auth <peer>`: mutual authentication through two signed transactions. */
@Command(name = "auth", mixinStandardHelpOptions = true,
        description = {"Authenticate a peer and agree session keys: sends a signed handshake request that the"
                + " Messenger contract checks, then waits (up to --timeout) for the peer's signed answer and"
                + " its key confirmation.",
            "A peer that has you as a contact answers automatically while it runs `peerkey listen` or `peerkey"
                    + " inbox`; any other peer sees a message request and answers with `peerkey accept`. Without an"
                    + " answer in time the request stays pending for an hour; a later `send` or `inbox` completes it."})
final class AuthCommand implements Runnable {
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
            rt.warnIfVerificationLapsed(peerId);
            long start = System.nanoTime();
            ChatClient.AuthStarted started = rt.client.startAuth(peerId);
            String name = peerId.displayName().value();
            started.previousKey().ifPresent(was -> ctx.out.progress(name + "'s key changed: it is now key #"
                    + started.keyIndex() + ", the last sessions were made with key #" + was + "; check the new key"
                    + " with `peerkey lookup " + name + "`. Authenticating with key #" + started.keyIndex()
                    + " (it is accepted from now on)…"));
            ctx.out.progress((started.tx() == null
                    ? "handshake request submitted first by another account (a copy of ours: it is our request)"
                    : "handshake request sent (gas " + started.tx().gasUsed() + ")") + "; waiting up to "
                    + chat.timeout.toSeconds() + " s for " + name + " to answer…");
            Optional<SessionRecord> session = rt.awaitSession(started.requestId(), chat.timeout);
            boolean confirmed = session.isPresent()
                    && rt.awaitConfirmed(started.requestId(), start + chat.timeout.toNanos());
            long millis = (System.nanoTime() - start) / 1_000_000;
            var fields = Output.fields();
            fields.put("peer", peerId.hex());
            fields.put("name", peerId.displayName().value());
            fields.put("requestId", "0x" + HexFormat.of().formatHex(started.requestId()));
            fields.put("status", session.isPresent() ? (confirmed ? "established" : "awaiting-confirmation")
                    : "pending");
            fields.put("peerEndpoint", session.map(SessionRecord::endpoint).orElse(null));
            fields.put("peerKeyIndex", started.keyIndex());
            fields.put("keyChangedFrom", started.previousKey().isPresent() ? started.previousKey().getAsInt() : null);
            fields.put("gasUsed", started.tx() == null ? null : started.tx().gasUsed());
            fields.put("elapsedMs", millis);
            ctx.out.result(fields);
            if (session.isEmpty()) {
                throw new dev.peerkey.PeerkeyException("no answer from " + peerId + " within "
                        + chat.timeout.toSeconds() + " s (unless you are its contact, it must run `peerkey accept`);"
                        + " the request stays pending for an hour, and a later `peerkey send` or `peerkey inbox`"
                        + " completes it once the peer answers");
            }
        }
    }
}
