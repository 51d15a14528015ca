package dev.peerkey.chain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * The node refused a transaction because its account cannot pay for it. Names the account,
 * what it holds and what the transaction may cost (gas limit × the fee offered, plus any value).
 */
public final class InsufficientFundsException extends ChainException {
    private static final long serialVersionUID = 1L;
    private static final BigDecimal WEI_PER_ETH = BigDecimal.TEN.pow(18);

    private final String account;
    private final BigInteger balance;
    private final BigInteger needed;

    public InsufficientFundsException(String account, BigInteger balance, BigInteger needed) {
        super("account " + account + " cannot pay for this transaction: it holds " + eth(balance)
                + " ETH and needs up to " + eth(needed) + " ETH; send ether to " + account);
        this.account = account;
        this.balance = balance;
        this.needed = needed;
    }

    /** Whether a node's refusal of a transaction means "the sender cannot pay" (Geth, Hardhat, Anvil wording). */
    static boolean matches(String nodeMessage) {
        String m = nodeMessage == null ? "" : nodeMessage.toLowerCase(Locale.ROOT);
        return m.contains("insufficient funds") || m.contains("enough funds");
    }

    /** Wei as ether, without trailing zeros. */
    public static String eth(BigInteger wei) {
        return new BigDecimal(wei).divide(WEI_PER_ETH).stripTrailingZeros().toPlainString();
    }

    public String account() {
        return account;
    }

    public BigInteger balance() {
        return balance;
    }

    public BigInteger needed() {
        return needed;
    }
}
