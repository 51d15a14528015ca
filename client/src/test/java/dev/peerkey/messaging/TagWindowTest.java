package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.SessionStatus;
import dev.peerkey.store.Store;
import dev.peerkey.store.StoreKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which epochs' tags the mailbox follower asks for. */
class TagWindowTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration DAY = MailboxTags.EPOCH;
    private static final Instant DAY_0 = Instant.parse("2026-11-01T10:00:00Z");
    private static final PeerId ME = PeerId.of(random(32));

    @TempDir
    Path dir;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static byte[] tagOn(byte[] key, Instant t) {
        return MailboxTags.tag(key, ME, MailboxTags.epochOf(t));
    }

    /** Whether the window maps {@code tag} to the session's inbox tag. */
    private static boolean follows(TagWindow window, byte[] tag, byte[] inboxTag) {
        return window.inboxTagOf(tag).map(found -> java.util.Arrays.equals(found, inboxTag)).orElse(false);
    }

    @Test
    void aClientOfflineForDaysAsksForEveryDaySinceItsCursorWasSaved() {
        byte[] key = random(32);
        byte[] inbox = random(32);
        TagWindow.Followed session = new TagWindow.Followed(inbox, key, ME, DAY_0.minus(DAY.multipliedBy(30)));
        Instant now = DAY_0.plus(DAY.multipliedBy(5));
        TagWindow window = TagWindow.of(List.of(session), Optional.of(DAY_0), now);
        for (int day = -1; day <= 6; day++) {
            assertTrue(follows(window, tagOn(key, DAY_0.plus(DAY.multipliedBy(day))), inbox), "day " + day);
        }
        assertEquals(8, window.tags().size(), "the day before the cursor was saved to the day after now");
        assertTrue(window.inboxTagOf(tagOn(key, DAY_0.minus(DAY.multipliedBy(2)))).isEmpty());
        assertTrue(window.inboxTagOf(tagOn(key, DAY_0.plus(DAY.multipliedBy(7)))).isEmpty());
    }

    @Test
    void aFollowerThatKeepsUpAsksForYesterdayTodayAndTomorrow() {
        byte[] key = random(32);
        TagWindow.Followed session = new TagWindow.Followed(random(32), key, ME, DAY_0.minus(DAY.multipliedBy(30)));
        TagWindow window = TagWindow.of(List.of(session), Optional.of(DAY_0.minusSeconds(1)), DAY_0);
        assertEquals(3, window.tags().size());
    }

    @Test
    void aSessionMadeAfterTheCursorOrWithoutOneStartsTheDayBeforeItWasMade() {
        byte[] key = random(32);
        Instant made = DAY_0.plus(DAY.multipliedBy(3));
        TagWindow.Followed session = new TagWindow.Followed(random(32), key, ME, made);
        Instant now = DAY_0.plus(DAY.multipliedBy(4));
        assertEquals(4, TagWindow.of(List.of(session), Optional.of(DAY_0), now).tags().size(), "days 2 to 5");
        assertEquals(4, TagWindow.of(List.of(session), Optional.empty(), now).tags().size());
    }

    @Test
    void aSessionFromBeforeDailyTagsKeepsItsOneTag() {
        byte[] inbox = random(32);
        TagWindow window = TagWindow.of(List.of(new TagWindow.Followed(inbox, null, ME, DAY_0)), Optional.empty(),
                DAY_0.plus(DAY.multipliedBy(10)));
        assertEquals(1, window.tags().size());
        assertArrayEquals(inbox, window.tags().get(0));
        assertTrue(follows(window, inbox, inbox));
    }

    @Test
    void theWindowIsReadFromTheStoresSessionsAndCursor() {
        byte[] key = random(32);
        byte[] inbox = random(32);
        byte[] legacyInbox = random(32);
        String cursor = "mailbox:test";
        try (Store store = Store.open(dir.resolve("peerkey.db"), StoreKey.random())) {
            Instant savedAt = store.inTransactionReturning(tx -> {
                byte[] session = random(32);
                tx.saveSession(session, ME, PeerId.of(random(32)), SessionStatus.ESTABLISHED, new byte[] {1}, null);
                tx.saveRoute(new SessionRoute(session, inbox, random(32), null, null));
                tx.setMailboxKey(session, key);
                byte[] legacy = random(32);
                tx.saveSession(legacy, ME, PeerId.of(random(32)), SessionStatus.ESTABLISHED, new byte[] {1}, null);
                tx.saveRoute(new SessionRoute(legacy, legacyInbox, random(32), null, null));
                byte[] closed = random(32);
                tx.saveSession(closed, ME, PeerId.of(random(32)), SessionStatus.REVOKED, new byte[] {1}, null);
                tx.saveRoute(new SessionRoute(closed, random(32), random(32), null, null));
                tx.setCursor(cursor, 1, 0);
                return tx.cursorSavedAt(cursor).orElseThrow();
            });
            // The follower runs again three days later (its clock), the store's cursor still from today.
            Instant now = savedAt.plus(DAY.multipliedBy(3));
            TagWindow window = store.inTransactionReturning(tx -> TagWindow.read(tx, ME, cursor, now));
            for (int day = -1; day <= 4; day++) {
                assertTrue(follows(window, tagOn(key, savedAt.plus(DAY.multipliedBy(day))), inbox), "day " + day);
            }
            assertTrue(follows(window, legacyInbox, legacyInbox));
            assertEquals(6 + 1, window.tags().size(), "a revoked session is not followed");
        }
    }
}
