package dev.peerkey.messaging;

import dev.peerkey.chain.InsufficientFundsException;
import dev.peerkey.registry.TxResult;
import dev.peerkey.store.SessionRecord;
import dev.peerkey.store.SessionRoute;
import dev.peerkey.store.Store;
import dev.peerkey.transport.MessengerContract;
import java.time.Clock;
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

    /** @param account the mailbox account, asked for once, on the first post (it may decrypt or create a key) */
    MailboxPoster(Store store, MessengerContract contract, Supplier<Credentials> account, Clock clock) {
        this.store = store;
        this.contract = contract;
        this.accountSource = Objects.requireNonNull(account, "account");
        this.clock = clock;
    }

    TxResult post(SessionRecord session, SessionRoute route, byte[] envelope) {
        byte[] tag = store.inTransactionReturning(tx -> tx.mailboxKey(session.sessionId()))
                .map(key -> MailboxTags.tag(key, session.peer(), MailboxTags.epochOf(clock.instant())))
                .orElseGet(route::outboxTag);
        try {
            return contract.post(account(), tag, envelope);
        } catch (InsufficientFundsException e) {
            throw new MessagingException("the profile's mailbox account " + e.account()
                    + " cannot pay for the post: it holds " + InsufficientFundsException.eth(e.balance())
                    + " ETH and needs up to " + InsufficientFundsException.eth(e.needed()) + " ETH; send ether to "
                    + e.account() + " (from an account not linked to your identity: see `peerkey mailbox-account`)", e);
        }
    }

    private synchronized Credentials account() {
        if (account == null) {
            account = Objects.requireNonNull(accountSource.get(), "mailbox account");
        }
        return account;
    }
}
