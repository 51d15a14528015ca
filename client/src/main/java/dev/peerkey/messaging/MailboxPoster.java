package dev.peerkey.messaging;

import dev.peerkey.chain.InsufficientFundsException;
import dev.peerkey.chain.RevertException;
import dev.peerkey.registry.TxResult;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.Store;
import dev.peerkey.transport.MessengerContract;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.web3j.crypto.Credentials;

/**
 * Posts envelopes to the mailbox: from the profile's mailbox account, never from an identity's
 * own account (which would name the sender to every observer), under the recipient's tag of
 * the current epoch ({@link MailboxTags}).
 */
final class MailboxPoster {
    private final Store store;
    private final MessengerContract contract;
    private final Supplier<Credentials> accountSource;
    private final Clock clock;
    private Credentials account;
    /** Whether the messenger refused a batch without a reason (it predates postBatch). */
    private volatile boolean batchesRefused;

    /** @param account the mailbox account, asked for once, on the first post (it may decrypt or create a key) */
    MailboxPoster(Store store, MessengerContract contract, Supplier<Credentials> account, Clock clock) {
        this.store = store;
        this.contract = contract;
        this.accountSource = Objects.requireNonNull(account, "account");
        this.clock = clock;
    }

    TxResult post(SessionRecord session, SessionRoute route, byte[] envelope) {
        byte[] tag = tagFor(session, route);
        try {
            return contract.post(account(), tag, envelope);
        } catch (InsufficientFundsException e) {
            throw cannotPay(e);
        }
    }

    /** One envelope of {@link #postAll}, for one session. */
    record Item(SessionRecord session, SessionRoute route, byte[] envelope) { }

    /**
     * Posts many envelopes (say, one acknowledgement for each of many sessions) in as few
     * transactions as carry them, {@link #MAX_BATCH_ENVELOPES} and {@link #MAX_BATCH_BYTES} at
     * most each: all are sent back to back with consecutive nonces, then their receipts are waited
     * for together, so the whole takes about one block instead of one block per envelope. One
     * envelope goes by a plain post.
     *
     * @return one result per transaction
     * @throws dev.peerkey.PeerkeyException if a transaction could not be sent or failed; those sent
     *     before it were still waited for
     */
    List<TxResult> postAll(List<Item> items) {
        if (items.isEmpty()) {
            return List.of();
        }
        if (items.size() == 1) {
            Item only = items.get(0);
            return List.of(post(only.session(), only.route(), only.envelope()));
        }
        List<MessengerContract.PendingPosts> sent = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (List<Item> batch : batches(items)) {
                List<byte[]> tags = batch.stream().map(i -> tagFor(i.session(), i.route())).toList();
                List<byte[]> envelopes = batch.stream().map(Item::envelope).toList();
                if (batchesRefused) {
                    for (int i = 0; i < tags.size(); i++) {
                        sent.add(contract.submitPost(account(), tags.get(i), envelopes.get(i)));
                    }
                    continue;
                }
                try {
                    sent.add(contract.submitPosts(account(), tags, envelopes));
                } catch (RevertException e) {
                    if (!"revert".equals(e.errorName()) || !sent.isEmpty()) {
                        throw e;
                    }
                    // No decoded error: a messenger deployed before postBatch. Its posts go one by one, back to back.
                    batchesRefused = true;
                    for (int i = 0; i < tags.size(); i++) {
                        sent.add(contract.submitPost(account(), tags.get(i), envelopes.get(i)));
                    }
                }
            }
        } catch (InsufficientFundsException e) {
            failure = cannotPay(e);
        } catch (RuntimeException e) {
            failure = e;
        }
        List<TxResult> results = new ArrayList<>();
        for (MessengerContract.PendingPosts pending : sent) {
            try {
                results.add(contract.await(pending));
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** Most envelopes in one batch transaction. */
    static final int MAX_BATCH_ENVELOPES = 64;
    /**
     * Most envelope bytes in one batch transaction: well under the 128 KiB that Geth's pool takes
     * for one transaction, ABI encoding and tags included.
     */
    static final int MAX_BATCH_BYTES = 96 * 1024;

    /** The items in order, cut into batches of at most {@link #MAX_BATCH_ENVELOPES} and {@link #MAX_BATCH_BYTES}. */
    static List<List<Item>> batches(List<Item> items) {
        List<List<Item>> batches = new ArrayList<>();
        List<Item> current = new ArrayList<>();
        int bytes = 0;
        for (Item item : items) {
            int length = item.envelope().length;
            if (!current.isEmpty() && (current.size() == MAX_BATCH_ENVELOPES || bytes + length > MAX_BATCH_BYTES)) {
                batches.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(item);
            bytes += length;
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    private byte[] tagFor(SessionRecord session, SessionRoute route) {
        return store.inTransactionReturning(tx -> tx.mailboxKey(session.sessionId()))
                .map(key -> MailboxTags.tag(key, session.peer(), MailboxTags.epochOf(clock.instant())))
                .orElseGet(route::outboxTag);
    }

    private static MessagingException cannotPay(InsufficientFundsException e) {
        return new MessagingException("the profile's mailbox account " + e.account()
                + " cannot pay for the post: it holds " + InsufficientFundsException.eth(e.balance())
                + " ETH and needs up to " + InsufficientFundsException.eth(e.needed()) + " ETH; send ether to "
                + e.account() + " (from an account not linked to your identity: see `peerkey mailbox-account`)", e);
    }

    private synchronized Credentials account() {
        if (account == null) {
            account = Objects.requireNonNull(accountSource.get(), "mailbox account");
        }
        return account;
    }
}
