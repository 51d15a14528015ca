package dev.peerkey.messaging;

import dev.peerkey.store.Transport;
import dev.peerkey.transport.direct.Frame;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a direct listener answers to each frame. An accepted envelope gets a REPLY with its
 * acknowledgement (a copy gets the very same REPLY again). A refused envelope that did not
 * decrypt under a session (an unknown tag, a known tag with a body that does not decrypt, a
 * copy of a mailbox envelope) gets the {@linkplain Frame#refusal() refusal that says nothing},
 * byte for byte the same whatever the reason, so a stranger learns neither whose tag it is nor
 * whether it exists. Only an envelope that decrypted gets a reason, under a proof of the session.
 */
final class DirectAnswers {
    private final Inbound inbound;
    private final Consumer<String> notices;

    DirectAnswers(Inbound inbound, Consumer<String> notices) {
        this.inbound = inbound;
        this.notices = notices;
    }

    List<Frame> answer(Frame frame) {
        try {
            Inbound.Received r = inbound.receive(frame.tag(), frame.body(), Transport.DIRECT, true);
            return List.of(Frame.reply(r.route().outboxTag(), r.reply()));
        } catch (RefusedException e) {
            notices.accept(e.getMessage()); // for our user; the peer gets only what it proved it may see
            return List.of(e.proof().map(proof -> Frame.error(proof, e.getMessage())).orElseGet(Frame::refusal));
        }
    }
}
