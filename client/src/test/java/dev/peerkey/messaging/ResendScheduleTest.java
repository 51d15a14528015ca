package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.Direction;
import dev.peerkey.store.Message;
import dev.peerkey.store.MessageId;
import dev.peerkey.store.MessageKind;
import dev.peerkey.store.MessageStatus;
import dev.peerkey.store.Transport;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * When an unacknowledged message is sent again: a minute after it was stored or last sent, then
 * at intervals as long as it had been waiting, at most a day; a mailbox post is resent like a
 * direct one (its post or its acknowledgement may have been dropped by a reorganisation).
 */
class ResendScheduleTest {
    private static final Instant CREATED = Instant.parse("2026-12-07T12:00:00Z");

    private static Message message(MessageStatus status, Transport via, Instant sentAt) {
        return new Message(1, MessageId.random(), new byte[32], PeerId.of(new byte[32]), PeerId.of(new byte[32]),
                Direction.OUT, status, new byte[] {1}, new byte[] {2}, via, CREATED, sentAt, null, MessageKind.TEXT,
                null);
    }

    private static Instant at(Duration afterCreated) {
        return CREATED.plus(afterCreated);
    }

    @Test
    void aQueuedMessageIsSentAMinuteAfterItWasStored() {
        Message queued = message(MessageStatus.QUEUED, null, null);
        assertFalse(ChatClient.resendDue(queued, at(Duration.ofSeconds(59))));
        assertTrue(ChatClient.resendDue(queued, at(Duration.ofMinutes(1))));
    }

    @Test
    void aPostWithoutAcknowledgementIsResentAfterAMinute() {
        Message posted = message(MessageStatus.SENT, Transport.CHAIN, CREATED);
        assertFalse(ChatClient.resendDue(posted, at(Duration.ofSeconds(30))));
        assertTrue(ChatClient.resendDue(posted, at(Duration.ofMinutes(1))));
        Message direct = message(MessageStatus.SENT, Transport.DIRECT, CREATED);
        assertTrue(ChatClient.resendDue(direct, at(Duration.ofMinutes(1))));
    }

    @Test
    void laterResendsWaitAsLongAsTheMessageHadWaited() {
        Message resentAt10 = message(MessageStatus.SENT, Transport.CHAIN, at(Duration.ofMinutes(10)));
        assertFalse(ChatClient.resendDue(resentAt10, at(Duration.ofMinutes(19))));
        assertTrue(ChatClient.resendDue(resentAt10, at(Duration.ofMinutes(20))));
        Message resentAfterAWeek = message(MessageStatus.SENT, Transport.CHAIN, at(Duration.ofDays(7)));
        assertFalse(ChatClient.resendDue(resentAfterAWeek, at(Duration.ofDays(7).plusHours(23))));
        assertTrue(ChatClient.resendDue(resentAfterAWeek, at(Duration.ofDays(8))), "at most a day apart");
    }

    @Test
    void aPostStillOnChainIsResentOnlyAsABackstopTenMinutesLater() {
        Message posted = message(MessageStatus.SENT, Transport.CHAIN, CREATED);
        assertTrue(ChatClient.resendDue(posted, at(Duration.ofMinutes(1))), "unknown post: the minute");
        assertFalse(ChatClient.backstopDue(posted, at(Duration.ofMinutes(1))));
        assertFalse(ChatClient.backstopDue(posted, at(Duration.ofMinutes(9))));
        assertTrue(ChatClient.backstopDue(posted, at(Duration.ofMinutes(10))));
        Message resentAt10 = message(MessageStatus.SENT, Transport.CHAIN, at(Duration.ofMinutes(10)));
        assertFalse(ChatClient.backstopDue(resentAt10, at(Duration.ofMinutes(19))));
        assertTrue(ChatClient.backstopDue(resentAt10, at(Duration.ofMinutes(20))), "then as long as it had waited");
        Message resentAfterAWeek = message(MessageStatus.SENT, Transport.CHAIN, at(Duration.ofDays(7)));
        assertFalse(ChatClient.backstopDue(resentAfterAWeek, at(Duration.ofDays(7).plusHours(23))));
        assertTrue(ChatClient.backstopDue(resentAfterAWeek, at(Duration.ofDays(8))), "at most a day apart");
    }
}
