package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.FollowerBackoff;
import dev.peerkey.identity.PeerId;
import dev.peerkey.messaging.ChatClient;
import dev.peerkey.store.Direction;
import dev.peerkey.store.History;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jline.keymap.KeyMap;
import org.jline.reader.Binding;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.TerminalBuilder;

/**
 * `chat` on a terminal: a line editor (JLine) with a prompt naming the peer, editing keys and
 * the lines sent this session to recall; the conversation's last messages shown on entry; the
 * peer's messages printed above the line being typed, which stays as it was; our lines shown with
 * a delivery mark once sent, and a line when the peer's acknowledgement arrives. Lines are sent
 * in order by one sender thread, so the prompt comes back at once.
 */
final class ChatScreen {
    static final String HELP = String.join("\n",
            "  /help  this help",
            "  /quit  leave the chat (also Ctrl-D, or Ctrl-C on an empty line)",
            "  Enter sends the line; a line starting with // sends it without its first '/'.",
            "  Keys: Left/Right move, Up/Down recall earlier lines, Ctrl-A/Ctrl-E start/end of line,"
                    + " Ctrl-W deletes a word, Ctrl-U the line, Ctrl-C clears it.",
            "  Marks on your lines: ... queued, ✓ sent, ✓✓ delivered (acknowledged by the peer), ✗ failed.");

    private final ChatRuntime rt;
    private final PeerId peer;
    private final String label;
    private final int last;
    /** --yes: a line that needs a 16 KiB mailbox post is sent without asking (its cost is still shown). */
    private final boolean yes;
    private final MessagePrinter printer;
    /** Our messages sent but not yet acknowledged, with the start of their text. */
    private final Map<MessageId, String> awaitingAck = new ConcurrentHashMap<>();
    private final Object screen = new Object();
    private LineReader reader;
    private Function<MessageStatus, String> marks;

    ChatScreen(ChatRuntime rt, PeerId peer, int last, boolean yes) {
        this.rt = rt;
        this.yes = yes;
        this.peer = peer;
        this.label = rt.contacts().label(peer);
        this.last = last;
        this.printer = rt.printer();
    }

    /** Builds the system terminal; empty if this one cannot be driven (the caller then reads plain lines). */
    static Optional<org.jline.terminal.Terminal> terminal() {
        java.util.logging.Logger.getLogger("org.jline").setLevel(java.util.logging.Level.OFF);
        try {
            org.jline.terminal.Terminal terminal = TerminalBuilder.builder().system(true).dumb(false).build();
            if (org.jline.terminal.Terminal.TYPE_DUMB.equals(terminal.getType())
                    || org.jline.terminal.Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
                terminal.close();
                return Optional.empty();
            }
            return Optional.of(terminal);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Runs the screen until /quit, Ctrl-D, or Ctrl-C on an empty line. */
    void run(org.jline.terminal.Terminal terminal) {
        Charset charset = terminal.encoding();
        boolean unicode = charset.newEncoder().canEncode("✓✓…✗");
        marks = status -> switch (status) {
            case QUEUED -> unicode ? "…" : "...";
            case SENT -> unicode ? "✓" : "(sent)";
            case DELIVERED -> unicode ? "✓✓" : "(delivered)";
            case FAILED -> unicode ? "✗ failed" : "(failed)";
            case CANCELLED -> unicode ? "✗ cancelled" : "(cancelled)";
            case RECEIVED -> "";
        };
        if (terminal.getWidth() <= 0 || terminal.getHeight() <= 0) {
            terminal.setSize(new Size(80, 24)); // a terminal that reports no size (a pty nobody sized)
        }
        reader = LineReaderBuilder.builder().terminal(terminal).appName("peerkey-chat")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' in a message is text
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)
                .build();
        bindCursorKeys(reader.getKeyMaps().get(LineReader.MAIN));
        // Raw for the whole chat, not only while a line is read: a key typed between two lines
        // (Ctrl-D right after Enter, say) then reaches the editor as a key instead of the tty's line discipline.
        Attributes cooked = terminal.enterRawMode();
        try {
            run(terminal, reader);
        } finally {
            terminal.setAttributes(cooked);
        }
    }

    private void run(org.jline.terminal.Terminal terminal, LineReader reader) {
        long seq = rt.lastSeq();
        showHistory(terminal.writer());
        rt.routeNotices(notice -> show(TerminalText.escape(notice)));
        ExecutorService sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "chat-sender"));
        Thread incoming = Thread.ofPlatform().daemon().name("chat-incoming").start(() -> follow(seq));
        String prompt = label + "> ";
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt);
                } catch (UserInterruptException e) {
                    if (e.getPartialLine() == null || e.getPartialLine().isEmpty()) {
                        break; // Ctrl-C on an empty line
                    }
                    continue; // Ctrl-C clears the line being typed
                } catch (EndOfFileException e) {
                    break; // Ctrl-D
                }
                String text = line.strip();
                if (text.isEmpty()) {
                    continue;
                }
                if (text.startsWith("/") && !text.startsWith("//")) {
                    String command = text.split("\\s+", 2)[0];
                    if (command.equals("/quit") || command.equals("/q") || command.equals("/exit")) {
                        break;
                    }
                    show(command.equals("/help") ? HELP
                            : "unknown command " + command + "; /help lists them (// at the start sends a '/')");
                    continue;
                }
                String message = text.startsWith("//") ? line.substring(line.indexOf('/') + 1) : line;
                switch (costCheck(reader, message)) {
                    case REFUSED:
                        continue;
                    case ACCEPTED: // the line, the price and the answer stay on the screen
                        sender.submit(() -> send(message));
                        continue;
                    case CHEAP:
                        break;
                }
                eraseEcho(terminal, prompt.length() + line.length());
                sender.submit(() -> send(message));
            }
        } finally {
            sender.shutdown();
            try {
                if (!sender.awaitTermination(5, TimeUnit.MINUTES)) {
                    sender.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            incoming.interrupt();
            try {
                incoming.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            rt.routeNotices(rt.ctx.out::progress);
        }
    }

    private enum Cost { CHEAP, ACCEPTED, REFUSED }

    /**
     * A line that needs a 16 KiB mailbox post: its gas and cost shown, then (without --yes) a y/N
     * question on the screen; anything but y keeps the chat going with nothing sent.
     */
    private Cost costCheck(LineReader reader, String message) {
        String priced;
        try {
            Optional<CostCheck.ExpensivePost> post = CostCheck.expensivePost(rt.ctx, message);
            if (post.isEmpty()) {
                return Cost.CHEAP;
            }
            priced = CostCheck.priced(rt.ctx, post.get().what(), post.get().gas());
        } catch (PeerkeyException e) {
            show("error: cannot price the mailbox post: " + e.getMessage() + " (not sent: " + excerpt(message) + ")");
            return Cost.REFUSED;
        }
        show(priced);
        if (yes) {
            return Cost.ACCEPTED;
        }
        String answer;
        reader.setVariable(LineReader.DISABLE_HISTORY, true); // the answer is no line to recall
        try {
            answer = reader.readLine("Send it? [y/N] ");
        } catch (UserInterruptException | EndOfFileException e) {
            answer = null; // Ctrl-C or Ctrl-D at the question: no
        } finally {
            reader.setVariable(LineReader.DISABLE_HISTORY, false);
        }
        if (answer == null || !answer.strip().toLowerCase().startsWith("y")) {
            show("not sent: " + excerpt(message));
            return Cost.REFUSED;
        }
        return Cost.ACCEPTED;
    }

    /**
     * Binds the cursor keys in both encodings terminals send them in (CSI "ESC [ D" and SS3
     * "ESC O D", whatever the terminal description says), so that they edit, never insert text.
     */
    private static void bindCursorKeys(KeyMap<Binding> keys) {
        keys.bind(new Reference(LineReader.UP_LINE_OR_HISTORY), "\033[A", "\033OA");
        keys.bind(new Reference(LineReader.DOWN_LINE_OR_HISTORY), "\033[B", "\033OB");
        keys.bind(new Reference(LineReader.FORWARD_CHAR), "\033[C", "\033OC");
        keys.bind(new Reference(LineReader.BACKWARD_CHAR), "\033[D", "\033OD");
        keys.bind(new Reference(LineReader.BEGINNING_OF_LINE), "\033[H", "\033OH", "\033[1~");
        keys.bind(new Reference(LineReader.END_OF_LINE), "\033[F", "\033OF", "\033[4~");
        keys.bind(new Reference(LineReader.DELETE_CHAR), "\033[3~");
    }

    /** The conversation's last messages, before the first prompt; received ones are then read. */
    private void showHistory(PrintWriter out) {
        if (last <= 0) {
            return;
        }
        List<Message> history = rt.store.inTransactionReturning(tx -> tx.history(
                new History(rt.client.id(), peer, null, true, false, last)));
        if (history.isEmpty()) {
            out.println("(no messages with " + label + " yet; /help for help)");
        } else {
            out.println("(the last " + history.size() + " message(s) with " + label + "; /help for help)");
        }
        for (Message m : history) {
            out.println(printer.chatText(m, marks));
            if (m.direction() == Direction.IN) {
                rt.store.inTransaction(tx -> tx.markRead(m.id()));
            } else {
                reader.getHistory().add(m.text()); // Up recalls what we wrote before, too
                if (m.status() == MessageStatus.SENT || m.status() == MessageStatus.QUEUED) {
                    awaitingAck.put(m.id(), excerpt(m.text()));
                }
            }
        }
        out.flush();
    }

    /**
     * Removes the line the editor left on the screen after Enter (prompt and text, over as many
     * rows as it wrapped to): the message is shown again, formatted and marked, once sent.
     */
    private void eraseEcho(org.jline.terminal.Terminal terminal, int width) {
        int columns = terminal.getWidth() > 0 ? terminal.getWidth() : 80;
        int rows = Math.max(1, (width + columns - 1) / columns);
        synchronized (screen) {
            PrintWriter out = terminal.writer();
            out.print("\r\033[2K");
            for (int i = 0; i < rows; i++) {
                out.print("\033[1A\033[2K");
            }
            out.flush();
        }
    }

    private void send(String line) {
        try {
            Message sent;
            if (rt.client.session(peer).isEmpty()) {
                ChatClient.RequestSent request = rt.client.sendInRequest(peer, line);
                sent = request.message();
                show(printer.chatText(sent, marks) + "\n  (in a handshake request: " + label
                        + " reads it on accepting)");
            } else {
                MessageId id = rt.client.send(peer, line, null).message().id();
                sent = rt.store.inTransactionReturning(tx -> tx.message(id)).orElseThrow();
                show(printer.chatText(sent, marks));
            }
            if (sent.status() != MessageStatus.DELIVERED) {
                awaitingAck.put(sent.id(), excerpt(line));
            }
        } catch (PeerkeyException e) {
            // A refusal (too long, say) is reported and the chat goes on; nothing was queued.
            show("error: " + e.getMessage() + " (not sent: " + excerpt(line) + ")");
        } catch (RuntimeException e) {
            show("error: " + e + " (not sent: " + excerpt(line) + ")");
        }
    }

    /** Follows the mailbox: the peer's messages and acknowledgements, shown above the input line. */
    private void follow(long fromSeq) {
        long seq = fromSeq;
        FollowerBackoff backoff = new FollowerBackoff(this::show);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                rt.followOnce(backoff);
                for (Message m : rt.textAfter(seq)) {
                    seq = m.seq();
                    if (m.direction() == Direction.IN && m.peer().equals(peer) && m.ourId().equals(rt.client.id())) {
                        show(printer.chatText(m, marks));
                        rt.store.inTransaction(tx -> tx.markRead(m.id()));
                    }
                }
                for (Map.Entry<MessageId, String> waiting : awaitingAck.entrySet()) {
                    Optional<Message> now = rt.store.inTransactionReturning(tx -> tx.message(waiting.getKey()));
                    MessageStatus status = now.map(Message::status).orElse(MessageStatus.FAILED);
                    if (status == MessageStatus.DELIVERED) {
                        show(marks.apply(status) + " " + label + " received: " + waiting.getValue());
                        awaitingAck.remove(waiting.getKey());
                    } else if (status == MessageStatus.FAILED || status == MessageStatus.CANCELLED) {
                        show(marks.apply(status) + ": " + waiting.getValue());
                        awaitingAck.remove(waiting.getKey());
                    }
                }
                rt.sleep();
            }
        } catch (PeerkeyException e) {
            // interrupted at the end of the chat, or the store closed under us
        }
    }

    /** Prints above the line being typed, leaving it intact. */
    private void show(String text) {
        synchronized (screen) {
            reader.printAbove(text);
        }
    }

    /** The start of a message, for the lines about it: control characters escaped, on one line. */
    static String excerpt(String text) {
        String one = TerminalText.escape(text).replace("\n", " ");
        return one.length() <= 40 ? "\"" + one + "\"" : "\"" + one.substring(0, 39) + "…\"";
    }
}
