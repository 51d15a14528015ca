package dev.peerkey.cli;

import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey inbox`: the messages received, after reading the mailbox. */
@Command(name = "inbox", mixinStandardHelpOptions = true,
        description = {"Read the mailbox (answering contacts' handshake requests, keeping others' as message"
                + " requests, and completing ours on the way), then print"
                + " the received messages; with --follow, keep printing new ones as they arrive.",
            "With --json, one JSON object per line and message: id, from, text, sentAt, receivedAt, via."})
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
            MessagePrinter printer = new MessagePrinter(options.json);
            if (!rt.catchUpIfFree()) {
                ctx.out.progress("this profile's `listen` follows the mailbox; showing what it stored");
            }
            long requests = rt.client.requests().stream().map(r -> r.peer()).distinct().count();
            if (requests > 0) {
                ctx.out.progress(requests + " message request(s) from identities that are not contacts wait:"
                        + " `peerkey requests` shows them");
            }
            long seq = print(rt.textAfter(0), printer);
            while (follow) {
                rt.sleep();
                rt.syncIfFree();
                seq = Math.max(seq, print(rt.textAfter(seq), printer));
            }
        }
    }

    /** Prints and returns the last sequence number seen (0 if none). */
    private long print(List<Message> messages, MessagePrinter printer) {
        long last = 0;
        for (Message m : messages) {
            if (all || m.direction() == Direction.IN) {
                printer.print(m);
            }
            last = m.seq();
        }
        return last;
    }
}
