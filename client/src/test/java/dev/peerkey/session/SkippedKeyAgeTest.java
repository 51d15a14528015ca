package dev.peerkey.session;

import static dev.peerkey.session.Sessions.exchange;
import static dev.peerkey.session.Sessions.string;
import static dev.peerkey.session.Sessions.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** Skipped message keys live at most {@link DoubleRatchet#SKIPPED_KEY_LIFETIME}, in memory and in the saved state. */
class SkippedKeyAgeTest {
    /** One skipped-key run of two keys: u16 runs, key (32), u64 stored at, u16 count, 2 x (u32 n, key (32)). */
    private static final int SKIPPED_SECTION = 2 + 32 + 8 + 2 + 2 * 36;

    /** Bob holds the keys of two messages he has not received: "late" and "later". */
    private record Gap(byte[] bobState, byte[] late, byte[] later) { }

    private static Gap gap() {
        Sessions s = Sessions.create();
        exchange(s.alice, s.bob, "one");
        byte[] late = s.alice.encrypt(text("late"));
        byte[] later = s.alice.encrypt(text("later"));
        exchange(s.alice, s.bob, "two");
        return new Gap(s.bob.toBytes(), late, later);
    }

    @Test
    void aSkippedKeyOpensItsMessageWithinTheLifetime() {
        Gap g = gap();
        DoubleRatchet bob = DoubleRatchet.fromBytes(g.bobState(), clockIn(Duration.ofDays(6)));
        assertEquals("late", string(bob.decrypt(g.late())));
        assertEquals("later", string(bob.decrypt(g.later())));
    }

    @Test
    void olderSkippedKeysAreGoneWhenTheStateIsLoaded() {
        Gap g = gap();
        DoubleRatchet bob = DoubleRatchet.fromBytes(g.bobState(), clockIn(Duration.ofDays(8)));
        assertThrows(ReplayedMessageException.class, () -> bob.decrypt(g.late()));
        assertEquals(g.bobState().length - 2 * 36 - 32 - 8 - 2, bob.toBytes().length, "the saved state holds neither key");
    }

    @Test
    void olderSkippedKeysAreGoneWhenTheStateIsSaved() {
        Gap g = gap();
        MovingClock clock = new MovingClock();
        DoubleRatchet bob = DoubleRatchet.fromBytes(g.bobState(), clock);
        clock.advance(DoubleRatchet.SKIPPED_KEY_LIFETIME.plusMinutes(1));
        byte[] saved = bob.toBytes();
        assertEquals(g.bobState().length - 2 * 36 - 32 - 8 - 2, saved.length, "saved without the expired keys");
        assertThrows(ReplayedMessageException.class, () -> bob.decrypt(g.later()));
    }

    /** A state saved before keys had ages (version 1) loads, its keys counted from the load. */
    @Test
    void readsAVersion1State() {
        Gap g = gap();
        byte[] v2 = g.bobState();
        int start = v2.length - SKIPPED_SECTION;
        ByteBuffer v1 = ByteBuffer.allocate(v2.length - 8);
        v1.put(v2, 0, start + 2 + 32);      // everything up to the run's ratchet key
        v1.put(v2, start + 2 + 32 + 8, SKIPPED_SECTION - 2 - 32 - 8); // the run without its time
        byte[] state = v1.array();
        state[0] = 1;
        DoubleRatchet bob = DoubleRatchet.fromBytes(state, clockIn(Duration.ofDays(30)));
        assertEquals("later", string(bob.decrypt(g.later())));
        assertEquals(v2.length - 36, bob.toBytes().length, "saved as version 2, with one key left");
    }

    private static Clock clockIn(Duration d) {
        return Clock.offset(Clock.systemUTC(), d);
    }

    private static final class MovingClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
