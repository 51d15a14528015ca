package dev.peerkey.cli;

import dev.peerkey.chain.FollowerBackoff;
import dev.peerkey.identity.PeerId;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey inbox`: the messages received, after reading the mailbox. */
@Command(name = "inbox", mixinStandardHelpOptions = true,
        description = {"Read the mailbox of the identity given with --id (default: the profile's default), answering"
                + " contacts' handshake requests (keeping others' as message requests) and completing ours on the"
                + " way, then print the received messages; with --follow, keep printing new ones as they arrive.",
            "Without --id the messages of all the profile's identities are printed, each line naming which of them"
                    + " received it when there are several; with --id, only that identity's.",
            "Control characters in messages are shown as escapes (\\x1b, \\r, \\u202e); further lines of a"
                    + " message are indented under its first.",
            "With --json, one JSON object per line and message: id, from, to, text, sentAt, receivedAt, via, status."})
final class InboxCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Mixin
    ChatOptions chat;

    @Option(names = "--follow", description = "Keep running and print messages as they arrive (Ctrl-C stops).")
    boolean follow;

    @Option(names = "--all", description = "Also print the messages this profile sent.")
    boolean all;

    @Override
    public void run() {
        try (Context ctx = new Context(options); ChatRuntime rt = ChatRuntime.open(ctx, chat, null)) {
            MessagePrinter printer = rt.printer();
            PeerId only = chat.identity == null ? null : rt.client.id();
            if (follow) { // a reply sent meanwhile (`send`, from another terminal) carries them
                rt.client.holdAcknowledgements(dev.peerkey.messaging.ChatClient.ACK_GRACE);
            }
            if (!rt.catchUpIfFree()) {
                ctx.out.progress("this profile's `listen` follows the mailbox; showing what it stored");
            }
            rt.client.keyChanges().forEach(change -> ctx.out.progress("notice: " + change));
            long requests = rt.client.requests().stream().map(r -> r.peer()).distinct().count();
            if (requests > 0) {
                ctx.out.progress(requests + " message request(s) from identities that are not contacts wait:"
                        + " `peerkey requests` shows them");
            }
            long seq = print(rt.textAfter(0), printer, only);
            FollowerBackoff backoff = new FollowerBackoff(ctx.out::progress);
            while (follow) {
                rt.sleep();
                rt.followOnce(backoff);
                seq = Math.max(seq, print(rt.textAfter(seq), printer, only));
            }
        }
    }

    /** Prints (only {@code only}'s, if not null) and returns the last sequence number seen (0 if none). */
    private long print(List<Message> messages, MessagePrinter printer, PeerId only) {
        long last = 0;
        for (Message m : messages) {
            if ((all || m.direction() == Direction.IN) && (only == null || m.ourId().equals(only))) {
                printer.print(m);
            }
            last = m.seq();
        }
        return last;
    }
}
