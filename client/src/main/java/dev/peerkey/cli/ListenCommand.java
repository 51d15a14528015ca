package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.FollowerBackoff;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.messaging.SyncLock;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.transport.direct.DirectServer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey listen`: stay online for direct connections and the mailbox. */
@Command(name = "listen", mixinStandardHelpOptions = true,
        description = {"Stay online: serve direct connections from peers, answer contacts' handshake requests (keeping"
                + " other identities' as message requests, see `peerkey requests`), follow the mailbox and store"
                + " what arrives, printing each message. Ctrl-C stops.",
            "The mailbox and handshakes followed are those of the identity given with --id (default: the profile's"
                    + " default); direct connections are served for every identity of the profile. One listener per"
                    + " profile.",
            "Peers learn the advertised endpoint only inside encrypted messages (the handshake, or an update"
                    + " sent to each session when it changes), never in clear on chain."})
final class ListenCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    ChatOptions chat;

    @Option(names = "--port", paramLabel = "N", defaultValue = "7470",
            description = "TCP port for direct connections; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces).")
    String bind;

    @Option(names = "--advertise", paramLabel = "HOST:PORT",
            description = "The endpoint peers should connect to (default: the bound address and port).")
    String advertise;

    @Override
    public void run() {
        Optional<SyncLock> listener = SyncLock.listener(options.home);
        if (listener.isEmpty()) {
            throw new PeerkeyException("another process already listens for the profile " + options.home);
        }
        AtomicReference<Endpoint> endpoint = new AtomicReference<>();
        try (SyncLock onlyListener = listener.get(); Context ctx = new Context(options);
                SyncLock held = mailboxLock(ctx);
                ChatRuntime rt = ChatRuntime.open(ctx, chat, endpoint::get);
                DirectServer server = DirectServer.start(new InetSocketAddress(bind, port), rt.client::handleFrame,
                        ctx.out::progress)) { // the server's lines begin with "direct: "
            endpoint.set(advertise != null ? Endpoint.parse(advertise) : Endpoint.of(bind, server.port()));
            ListenerFile.write(options.home, endpoint.get(), ctx.storeKey());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> ListenerFile.delete(options.home)));
            var fields = Output.fields();
            fields.put("id", rt.client.id().hex());
            fields.put("listening", bind + ":" + server.port());
            fields.put("advertised", endpoint.get().toString());
            ctx.out.result(fields);
            int told = rt.client.advertise(endpoint.get());
            if (told > 0) {
                ctx.out.progress("sent our endpoint to " + told + " peer(s)");
            }
            rt.client.holdAcknowledgements(ChatClient.ACK_GRACE); // a reply posted meanwhile carries them
            rt.client.resendIfDue(); // the first call of a process always runs
            MessagePrinter printer = rt.printer();
            PeerId only = chat.identity == null ? null : rt.client.id();
            long seq = rt.lastSeq();
            // A failing node (down, rate limiting, 5xx) is reported once, waited out, and its recovery reported.
            FollowerBackoff backoff = new FollowerBackoff(ctx.out::progress);
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    List<dev.peerkey.identity.PeerId> requested = rt.client.sync().requests();
                    rt.client.resendIfDue(); // unacknowledged messages, dropped handshake steps
                    for (dev.peerkey.identity.PeerId from : requested) {
                        ctx.out.progress("message request from " + from.displayName().value() + " (" + from.hex()
                                + "): `peerkey requests` shows it, `peerkey accept " + from.displayName().value()
                                + "` answers it");
                    }
                    backoff.succeeded();
                } catch (PeerkeyException e) {
                    FollowerBackoff.sleep(backoff.failed(e));
                }
                for (Message m : rt.textAfter(seq)) {
                    if (m.direction() == Direction.IN && (only == null || m.ourId().equals(only))) {
                        printer.print(m);
                    }
                    seq = m.seq();
                }
                rt.sleep();
            }
        } finally {
            ListenerFile.delete(options.home);
        }
    }

    /** This identity's mailbox lock: held while listening, so no other process follows it at the same time. */
    private SyncLock mailboxLock(Context ctx) {
        PeerId id = ChatRuntime.speaker(ctx, chat);
        return SyncLock.mailbox(options.home, id).orElseThrow(() -> new PeerkeyException("another process of the"
                + " profile " + options.home + " is reading the mailbox of " + id
                + " right now; try again in a moment"));
    }
}
