package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a pass's acknowledgements are cut into mailbox transactions: in order, by count and by bytes. */
class MailboxBatchesTest {
    private static List<MailboxPoster.Item> items(int count, int bytes) {
        List<MailboxPoster.Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(new MailboxPoster.Item(null, null, new byte[bytes]));
        }
        return items;
    }

    @Test
    void aHundredAcknowledgementsTakeTwoTransactions() {
        List<MailboxPoster.Item> items = items(100, 256);
        List<List<MailboxPoster.Item>> batches = MailboxPoster.batches(items);
        assertEquals(2, batches.size());
        assertEquals(MailboxPoster.MAX_BATCH_ENVELOPES, batches.get(0).size());
        assertEquals(100 - MailboxPoster.MAX_BATCH_ENVELOPES, batches.get(1).size());
        assertSame(items.get(0), batches.get(0).get(0));
        assertSame(items.get(99), batches.get(1).get(batches.get(1).size() - 1));
    }

    @Test
    void largeEnvelopesAreCutByBytes() {
        List<List<MailboxPoster.Item>> batches = MailboxPoster.batches(items(13, 16 * 1024));
        assertEquals(List.of(6, 6, 1), batches.stream().map(List::size).toList());
    }

    @Test
    void oneEnvelopeIsOneBatchAndNoneIsNone() {
        assertEquals(1, MailboxPoster.batches(items(1, 16 * 1024)).size());
        assertEquals(0, MailboxPoster.batches(List.of()).size());
    }
}
