package dev.peerkey.messaging;

import dev.peerkey.session.Envelope;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.Transport;
import dev.peerkey.transport.MessengerContract;
import dev.peerkey.transport.direct.Frame;
import java.util.Locale;

/**
 * How large a message each route carries, checked before a message is encrypted and queued, so
 * that nothing is stored that no route can deliver. The mailbox takes envelopes up to the
 * Messenger's {@value #MAILBOX} bytes, a direct frame up to {@value #DIRECT}. A message only a
 * direct frame can carry has no fallback to the mailbox when the peer is offline, so it is
 * taken only when the sender asks for direct delivery ({@code --via direct}) and the peer told
 * us an endpoint.
 */
final class RouteCapacity {
    /** The longest envelope the mailbox carries. */
    static final int MAILBOX = MessengerContract.MAX_ENVELOPE_LENGTH;
    /** The longest envelope a direct frame carries. */
    static final int DIRECT = Frame.MAX_BODY;
    /** The most UTF-8 bytes of text one message through the mailbox carries. */
    static final int MAILBOX_TEXT = Packet.MAX_MAILBOX_TEXT;
    /** The most UTF-8 bytes of text one direct message carries. */
    static final int DIRECT_TEXT = Packet.MAX_DIRECT_TEXT;

    private RouteCapacity() {
    }

    /** The length of the envelope that carries {@code packet}, padding included. */
    static int envelopeLength(Packet packet) {
        return Envelope.OVERHEAD + packet.encode().length;
    }

    /**
     * Refuses a text that no route could carry whatever the session: over the direct frame's
     * limit, or over the mailbox's unless {@code via} is direct.
     *
     * @throws MessagingException naming the limit; nothing is stored or sent
     */
    static void requireCarried(Packet packet, Transport via) {
        int envelope = envelopeLength(packet);
        int text = packet.body().length;
        if (envelope > DIRECT) {
            throw new MessagingException("the message has " + n(text) + " bytes of text (UTF-8), more than any"
                    + " route carries: at most " + n(MAILBOX_TEXT) + " through the mailbox (" + n(MAILBOX)
                    + "-byte envelopes) and " + n(DIRECT_TEXT) + " directly; it was not sent");
        }
        if (envelope > MAILBOX && via != Transport.DIRECT) {
            throw new MessagingException("the message has " + n(text) + " bytes of text (UTF-8), more than the "
                    + n(MAILBOX_TEXT) + " the mailbox carries (" + n(MAILBOX) + "-byte envelopes); it was not sent."
                    + " Split it, or, if the peer listens for direct connections, send it with --via direct (up to "
                    + n(DIRECT_TEXT) + " bytes, with no fallback to the mailbox if the peer is offline)");
        }
    }

    /**
     * Like {@link #requireCarried(Packet, Transport)}, and also refuses a text only a direct frame
     * carries when {@code session}'s peer has not told us an endpoint.
     */
    static void requireCarried(Packet packet, Transport via, SessionRecord session) {
        requireCarried(packet, via);
        if (envelopeLength(packet) > MAILBOX && session.endpoint() == null) {
            throw new MessagingException("the message has " + n(packet.body().length) + " bytes of text (UTF-8),"
                    + " more than the " + n(MAILBOX_TEXT) + " the mailbox carries, and " + session.peer()
                    + " has not told us a direct endpoint; it was not sent");
        }
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
