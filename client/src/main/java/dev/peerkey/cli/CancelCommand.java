package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.Store;
import java.time.Instant;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * `peerkey cancel <messageId>`: drops a message that has not left. Its envelope was already
 * encrypted, so its message key is spent: the next message goes under the following key, and
 * the peer's Double Ratchet, seeing a gap, keeps the skipped key for a while (as for a message
 * lost or late) and then drops it. Nothing else changes on either side.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancel an outgoing message that has not left (queued, or failed): it is never sent, and"
                + " `outbox` shows it as cancelled. A message already sent cannot be recalled.",
            "The ratchet stays consistent: the message's key was used once, to encrypt the envelope that is now"
                    + " dropped; the peer skips the gap as for a lost message."})
final class CancelCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Parameters(index = "0", paramLabel = "MESSAGE_ID", converter = IdConverter.class,
            description = "The message's ID, as `send` and `outbox` print it (32 hex digits).")
    MessageId id;

    @Override
    public void run() {
        Output out = new Output(options.json);
        Message message;
        try (Context ctx = new Context(options); Store store = ctx.openStore()) {
            // Checked and cancelled in one transaction; a resend checks the status again just before it sends.
            message = store.inTransactionReturning(tx -> {
                Message m = tx.message(id).filter(found -> found.direction() == Direction.OUT).orElseThrow(
                        () -> new PeerkeyException("this profile sent no message " + id));
                refuseIfGone(m);
                tx.cancel(id);
                return tx.message(id).orElseThrow();
            });
        }
        out.progress("message " + id + " is cancelled and will not be sent; its message key is spent, and "
                + message.peer().displayName().value() + "'s ratchet skips the gap as for a lost message");
        out.result(OutboxCommand.describe(message, Instant.now()));
    }

    /** Refuses what cannot be cancelled, saying why; a cancelled message is taken as it is. */
    private static void refuseIfGone(Message m) {
        String via = m.transport() == null ? "" : " via " + m.transport().name().toLowerCase(Locale.ROOT);
        switch (m.status()) {
            case DELIVERED -> throw new PeerkeyException("message " + m.id() + " was already delivered" + via
                    + (m.deliveredAt() == null ? "" : " (acknowledged " + m.deliveredAt() + ")"));
            case SENT -> throw new PeerkeyException("message " + m.id() + " already left" + via + " at " + m.sentAt()
                    + " and cannot be recalled");
            case QUEUED, FAILED -> {
                if (m.kind() == MessageKind.CONFIRM) {
                    throw new PeerkeyException("message " + m.id() + " is its session's key confirmation: without it"
                            + " the peer accepts nothing on the session, so it cannot be cancelled");
                }
            }
            default -> { }
        }
    }

    /** A message ID: 32 hex digits, with or without 0x; anything else is a bad command line. */
    static final class IdConverter implements CommandLine.ITypeConverter<MessageId> {
        @Override
        public MessageId convert(String text) {
            try {
                return MessageId.parse(text.trim());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a message ID (32 hex digits,"
                        + " as `peerkey outbox` prints them)");
            }
        }
    }
}
