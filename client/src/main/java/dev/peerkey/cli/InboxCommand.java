package dev.peerkey.cli;

import dev.peerkey.chain.FollowerBackoff;
import dev.peerkey.identity.PeerId;
import dev.peerkey.store.Direction;
import dev.peerkey.store.History;
import dev.peerkey.store.Message;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey inbox`: the conversation history, after reading the mailbox. */
@Command(name = "inbox", mixinStandardHelpOptions = true,
        description = {"Read the mailbox of the identity given with --id (default: the profile's default), answering"
                + " contacts' handshake requests (keeping others' as message requests) and completing ours on the"
                + " way, then print the messages: received ones, and in text output the ones sent too, each with its"
                + " delivery state (queued, sent, delivered, failed, cancelled). With --follow, keep printing new"
                + " ones as they arrive.",
            "Filters: --from PEER (a contact's name, an ID, display name or address), --since (2h, 3d, or a date or"
                    + " time), --limit N (the last N), --unread (only received messages not shown before)."
                    + " A received message counts as read once `inbox` or `chat` has shown it.",
            "Without --id the messages of all the profile's identities are printed, each line naming which of them"
                    + " received it when there are several; with --id, only that identity's. Peers are named by"
                    + " their contact name where you gave one, else by their display name.",
            "Control characters in messages are shown as escapes (\\x1b, \\r, \\u202e); further lines of a"
                    + " message are indented under its first.",
            "With --json, one JSON object per line and received message (sent ones too with --all): id, from, to,"
                    + " peer (the other side's ID), contact (its contact name or null), peerName, direction, text,"
                    + " sentAt, receivedAt, via, status."})
final class InboxCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    ChatOptions chat;

    @Option(names = "--follow", description = "Keep running and print messages as they arrive (Ctrl-C stops).")
    boolean follow;

    @Option(names = "--all", description = "With --json, also print the messages this profile sent (text output"
            + " always shows them).")
    boolean all;

    @Option(names = "--from", paramLabel = "PEER", description = "Only the conversation with PEER: a contact's name,"
            + " an ID, display name or address.")
    String from;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only messages since WHEN: a duration back from now"
            + " (90m, 2h, 3d) or a date or time as --at takes it (2026-12-01, 2026-12-01T09:30 in UTC,"
            + " 2026-12-01T09:30:00+01:00).")
    String since;

    @Option(names = "--limit", paramLabel = "N", description = "Only the last N messages.")
    Integer limit;

    @Option(names = "--unread", description = "Only received messages not shown before (by `inbox` or `chat`);"
            + " showing them marks them read.")
    boolean unread;

    @Override
    public void run() {
        if (limit != null && limit <= 0) {
            throw new UsageException("--limit must be a positive number, got " + limit);
        }
        Instant after = since == null ? null : parseSince(since, Instant.now());
        try (Context ctx = new Context(options); ChatRuntime rt = ChatRuntime.open(ctx, chat, null)) {
            MessagePrinter printer = rt.printer();
            PeerId only = chat.identity == null ? null : rt.client.id();
            if (follow) { // a reply sent meanwhile (`send`, from another terminal) carries them
                rt.client.holdAcknowledgements(dev.peerkey.messaging.ChatClient.ACK_GRACE);
            }
            PeerId peer = from == null ? null : rt.peer(from);
            boolean outgoing = !ctx.options.json || all;
            if (!rt.catchUpIfFree()) {
                ctx.out.progress("another command of this profile reads the mailbox (`listen`, or an `inbox` or"
                        + " `send` still running); showing what it stored");
            }
            rt.client.keyChanges().forEach(change -> ctx.out.progress("notice: " + change));
            long requests = rt.client.requests().stream().map(r -> r.peer()).distinct().count();
            if (requests > 0) {
                ctx.out.progress(requests + " message request(s) from identities that are not contacts wait:"
                        + " `peerkey requests` shows them");
            }
            long seq = rt.lastSeq(); // taken before the query: a message stored meanwhile is printed by --follow
            History filter = new History(only, peer, after, outgoing, unread, limit == null ? Integer.MAX_VALUE : limit);
            List<Message> shown = rt.store.inTransactionReturning(tx -> tx.history(filter));
            shown.forEach(m -> show(rt, printer, m));
            if (shown.isEmpty() && !ctx.options.json) {
                ctx.out.progress(unread ? "no unread messages" : "no messages");
            }
            FollowerBackoff backoff = new FollowerBackoff(ctx.out::progress);
            while (follow) {
                rt.sleep();
                rt.followOnce(backoff);
                for (Message m : rt.textAfter(seq)) {
                    seq = m.seq();
                    if (passes(m, only, peer, outgoing, filter.unreadOnly())) {
                        show(rt, printer, m);
                    }
                }
            }
        }
    }

    private static boolean passes(Message m, PeerId only, PeerId peer, boolean outgoing, boolean unreadOnly) {
        boolean in = m.direction() == Direction.IN;
        return (only == null || m.ourId().equals(only)) && (peer == null || m.peer().equals(peer))
                && (in || (outgoing && !unreadOnly));
    }

    /** Prints a message; a received one is then read. */
    private static void show(ChatRuntime rt, MessagePrinter printer, Message m) {
        printer.print(m);
        if (m.direction() == Direction.IN) {
            rt.store.inTransaction(tx -> tx.markRead(m.id()));
        }
    }

    /**
     * The instant {@code text} names for --since: a duration back from {@code now} (as every
     * duration option reads it: 90m, 2h, 3d, P1D; a bare number is seconds), else a date or time
     * as --at reads it ({@link TimeArgument}: 2026-12-01, 2026-12-01T09:30 in UTC, or with its offset).
     */
    static Instant parseSince(String text, Instant now) {
        String t = text.strip();
        if (!t.matches("\\d{4}-.*")) {
            try {
                return now.minus(new DurationConverter().convert(t));
            } catch (CommandLine.TypeConversionException | ArithmeticException | DateTimeException e) {
                throw badSince(text);
            }
        }
        try {
            return TimeArgument.parse("--since", t);
        } catch (UsageException e) {
            throw badSince(text);
        }
    }

    private static UsageException badSince(String text) {
        return new UsageException("--since '" + text + "' is neither a duration (90m, 2h, 3d) nor a date or time"
                + " (2026-12-01, 2026-12-01T09:30 in UTC, 2026-12-01T09:30:00+01:00)");
    }
}
