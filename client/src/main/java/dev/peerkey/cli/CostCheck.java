package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.Chain;
import dev.peerkey.messaging.Packet;
import dev.peerkey.messaging.Padding;
import dev.peerkey.session.Envelope;
import dev.peerkey.store.Transport;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.web3j.utils.Convert;

/**
 * Before an expensive transaction: its gas and cost at the node's gas price on stderr, then, without
 * --yes, a question on a terminal; without a terminal a local development chain goes ahead and
 * any other chain is refused with an error naming --yes.
 */
final class CostCheck {
    /** Mailbox posts of this envelope size and up are "expensive": the 16 KiB class, a text over about 4 KiB. */
    static final int EXPENSIVE_ENVELOPE = 16_384;

    private CostCheck() {
    }

    /** The envelope size class a text of this many UTF-8 bytes is padded to in the mailbox. */
    static int envelopeSize(int textBytes) {
        int needed = textBytes + Packet.HEADER_SIZE + Envelope.OVERHEAD;
        return Padding.ENVELOPE_SIZES.stream().filter(size -> size >= needed).findFirst()
                .orElse(Padding.ENVELOPE_SIZES.get(Padding.ENVELOPE_SIZES.size() - 1));
    }

    /** For `send`: a text that would make a 16 KiB mailbox post is priced and confirmed first. */
    static void mailboxPost(Context ctx, String text, Transport transport, boolean yes) {
        if (transport == Transport.DIRECT) {
            return;
        }
        expensivePost(ctx, text).ifPresent(post -> confirm(ctx, post.what(), post.gas(), yes, "sending it"));
    }

    /** A mailbox post that needs asking about: its envelope size, what it is, its gas. */
    record ExpensivePost(int size, String what, BigInteger gas) {
    }

    /**
     * For `chat` (which asks on its own screen): the post a line needs if it goes through the
     * mailbox, priced, when it is of the expensive size; empty for a cheaper line (no node call).
     */
    static java.util.Optional<ExpensivePost> expensivePost(Context ctx, String text) {
        int size = envelopeSize(text.getBytes(StandardCharsets.UTF_8).length);
        if (size < EXPENSIVE_ENVELOPE) {
            return java.util.Optional.empty();
        }
        String from = MailboxAccount.address(ctx.options.home).orElse("0x0000000000000000000000000000000000000001");
        BigInteger gas = ctx.messenger().estimatePostGas(from, size);
        return java.util.Optional.of(new ExpensivePost(size, "this message needs a " + size
                + "-byte mailbox post if it goes through the mailbox", gas));
    }

    /** "WHAT: about N gas, X ETH at the current gas price of G gwei", at the node's gas price now. */
    static String priced(Context ctx, String what, BigInteger gas) {
        Chain chain = ctx.chain();
        BigInteger price = chain.send(chain.web3j().ethGasPrice()).getGasPrice();
        return what + ": about " + gas + " gas, " + eth(gas.multiply(price)) + " ETH at the current gas price of "
                + Convert.fromWei(new BigDecimal(price), Convert.Unit.GWEI).stripTrailingZeros().toPlainString()
                + " gwei";
    }

    private static String eth(BigInteger wei) {
        return Convert.fromWei(new BigDecimal(wei), Convert.Unit.ETHER).stripTrailingZeros().toPlainString();
    }

    /**
     * Prints {@code what} with the gas and its cost, then confirms as the class comment says.
     *
     * @throws PeerkeyException if the user says no, or on a chain that is not local without --yes or a terminal
     */
    static void confirm(Context ctx, String what, BigInteger gas, boolean yes, String action) {
        // First: in the unlock agent, a question on the client's terminal hands the command back now.
        boolean ask = !yes && Terminal.interactive();
        Chain chain = ctx.chain();
        BigInteger price = chain.send(chain.web3j().ethGasPrice()).getGasPrice();
        String cost = Convert.fromWei(new BigDecimal(gas.multiply(price)), Convert.Unit.ETHER).stripTrailingZeros()
                .toPlainString();
        String gwei = Convert.fromWei(new BigDecimal(price), Convert.Unit.GWEI).stripTrailingZeros().toPlainString();
        ctx.out.progress(what + ": about " + gas + " gas, " + cost + " ETH at the current gas price of " + gwei
                + " gwei");
        if (yes) {
            return;
        }
        if (ask) {
            String answer = System.console().readLine("Go ahead? [y/N] ");
            if (answer == null || !answer.strip().toLowerCase().startsWith("y")) {
                throw new PeerkeyException("cancelled: nothing was sent");
            }
            return;
        }
        if (!chain.isDevChain()) {
            throw new PeerkeyException("chain " + chain.chainId() + " is not a local development chain and "
                    + action + " costs about " + cost + " ETH: pass --yes to go ahead (no terminal to ask on)");
        }
    }
}
