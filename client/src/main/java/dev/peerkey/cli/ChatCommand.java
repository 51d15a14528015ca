package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.FollowerBackoff;
import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `peerkey chat <peer>`: an interactive conversation. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Talk with a peer as the identity given with --id (default: the profile's default): each line"
                + " typed is sent (directly when possible, else through the mailbox); the peer's messages to that"
                + " identity are printed as they arrive, control characters escaped.",
            "On a terminal: a prompt naming the peer (its contact name, else its display name), line editing (arrow"
                    + " keys, Up recalls earlier lines), the last messages of the conversation (--last), the peer's"
                    + " messages printed above the line being typed, and a mark on each of your lines: ... queued,"
                    + " ✓ sent, ✓✓ delivered (a line follows when the acknowledgement arrives). /help lists the"
                    + " commands; /quit, Ctrl-D or Ctrl-C on an empty line ends the chat.",
            "Plain mode, when standard input or output is not a terminal (a pipe, a file): each line read is sent,"
                    + " progress goes to standard error, the peer's messages to standard output; end of input ends"
                    + " the chat. Messages shown count as read (`inbox --unread`).",
            "A line that needs a 16 KiB mailbox post (over about 4 KiB) shows its gas and cost first and is sent"
                    + " only when you answer y on the terminal; without a terminal it is refused (one error line, and"
                    + " the chat goes on) unless chat was started with --yes.",
            "Without a session, each line goes inside a signed handshake request (a message request the peer reads"
                    + " when it accepts); once the peer accepts, lines go through the session."})
final class ChatCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    ChatOptions chat;

    @Parameters(index = "0", paramLabel = "PEER", description = "The peer: a contact's name, or its ID, display name"
            + " or address.")
    String peer;

    @Option(names = "--last", paramLabel = "N", defaultValue = "20", description = "On a terminal, how many of the"
            + " conversation's last messages to show on entry (default: ${DEFAULT-VALUE}; 0: none).")
    int last;

    @Option(names = "--yes", description = "Send a line that needs a 16 KiB mailbox post (over about 4 KiB)"
            + " without asking; its gas and cost are printed first.")
    boolean yes;

    @Override
    public void run() {
        try (Context ctx = new Context(options); ChatRuntime rt = ChatRuntime.open(ctx, chat, null)) {
            rt.client.holdAcknowledgements(ChatClient.ACK_GRACE); // a line typed meanwhile carries them
            PeerId peerId = rt.peer(peer);
            rt.warnIfVerificationLapsed(peerId);
            rt.client.requireCanSend(); // a revoked or expired identity stops here, before any step or payment
            rt.catchUpIfFree();
            String name = peerId.displayName().value();
            if (rt.sessionOrWait(peerId, chat.timeout).isEmpty()) {
                ctx.out.progress("no session with " + name + " yet: each line you type goes in a handshake request,"
                        + " which " + name + " reads on accepting");
            }
            if (!ctx.options.json && Terminal.interactive()) {
                Optional<org.jline.terminal.Terminal> terminal = ChatScreen.terminal();
                if (terminal.isPresent()) {
                    try (org.jline.terminal.Terminal t = terminal.get()) {
                        ctx.out.progress("chatting with " + rt.contacts().label(peerId)
                                + "; Enter sends, /help for help, Ctrl-D to end");
                        new ChatScreen(rt, peerId, last, yes).run(t);
                    } catch (IOException e) {
                        throw new PeerkeyException("cannot use the terminal: " + e.getMessage());
                    }
                    return;
                }
            }
            ctx.out.progress("chatting with " + name + "; type a line to send it, Ctrl-D to end");
            MessagePrinter printer = rt.printer();
            Thread incoming = Thread.ofVirtual().start(() -> printIncoming(rt, peerId, printer));
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    // A refusal (too long, say) is reported and the chat goes on; nothing was queued.
                    try {
                        if (!costAccepted(ctx, line, in)) {
                            continue;
                        }
                        if (rt.client.session(peerId).isEmpty()) {
                            ChatClient.RequestSent sent = rt.client.sendInRequest(peerId, line);
                            ctx.out.progress("  sent in a handshake request (gas " + sent.tx().gasUsed() + "); "
                                    + name + " reads it on accepting");
                            continue;
                        }
                        ChatClient.Sent sent = rt.client.send(peerId, line, null);
                        ctx.out.progress("  sent via " + sent.via().name().toLowerCase()
                                + (sent.delivered() ? ", delivered" : ""));
                    } catch (PeerkeyException e) {
                        ctx.out.progress("error: " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                throw new PeerkeyException("cannot read the terminal: " + e.getMessage());
            } finally {
                incoming.interrupt();
            }
        }
    }

    /**
     * Plain mode: a line that needs a 16 KiB mailbox post is priced first (as `send` does); with
     * --yes it goes, on a terminal the next line read answers y/N, and without a terminal it is
     * refused with one error line (there is no one to ask). True if the line may be sent.
     */
    private boolean costAccepted(Context ctx, String line, BufferedReader in) throws IOException {
        Optional<CostCheck.ExpensivePost> post = CostCheck.expensivePost(ctx, line);
        if (post.isEmpty()) {
            return true;
        }
        String priced = CostCheck.priced(ctx, post.get().what(), post.get().gas());
        if (yes) {
            ctx.out.progress(priced);
            return true;
        }
        if (!Terminal.interactive()) {
            ctx.out.progress("error: " + priced + "; not sent: " + ChatScreen.excerpt(line) + " (no terminal to ask"
                    + " on: start chat with --yes to send such lines)");
            return false;
        }
        ctx.out.progress(priced);
        System.err.print("Send it? [y/N] ");
        System.err.flush();
        String answer = in.readLine();
        if (answer == null || !answer.strip().toLowerCase().startsWith("y")) {
            ctx.out.progress("not sent: " + ChatScreen.excerpt(line));
            return false;
        }
        return true;
    }

    private static void printIncoming(ChatRuntime rt, PeerId peer, MessagePrinter printer) {
        long seq = rt.lastSeq();
        FollowerBackoff backoff = new FollowerBackoff(rt.ctx.out::progress);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                rt.followOnce(backoff);
                for (Message m : rt.textAfter(seq)) {
                    if (m.direction() == Direction.IN && m.peer().equals(peer) && m.ourId().equals(rt.client.id())) {
                        printer.print(m);
                        rt.store.inTransaction(tx -> tx.markRead(m.id()));
                    }
                    seq = m.seq();
                }
                rt.sleep();
            }
        } catch (PeerkeyException e) {
            // interrupted at the end of the chat, or the store closed under us
        }
    }
}
