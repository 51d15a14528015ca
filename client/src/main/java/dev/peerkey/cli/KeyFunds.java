package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.InsufficientFundsException;
import dev.peerkey.chain.RevertException;
import dev.peerkey.chain.Transactor;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * An identity pays for its own transactions (rotations, revocation, handshake requests and
 * answers) from its current key's account. After a key change that account is a new one, which
 * holds nothing on a real network; so the ether of the old key's account moves with the key.
 */
final class KeyFunds {
    private KeyFunds() {
    }

    /**
     * Moves what the old key's account holds (less the transfer's cost) to the new key's account.
     * Never fails the command (the key change is done): a failure is told with the address to fund.
     *
     * @param fields the command's result, which gets {@code fundsMovedWei} and {@code payer}
     */
    static void follow(Context ctx, Credentials oldKey, String newAccount, Map<String, Object> fields) {
        fields.put("payer", newAccount);
        BigInteger moved = BigInteger.ZERO;
        try {
            Optional<TransactionReceipt> receipt = new Transactor(ctx.chain(), oldKey,
                    data -> new RevertException("revert", "the node refused the transfer"), ctx.out::progress)
                    .sweep(newAccount);
            if (receipt.isPresent()) {
                if (!receipt.get().isStatusOK()) {
                    throw new PeerkeyException("the transfer " + receipt.get().getTransactionHash() + " failed");
                }
                moved = new BigInteger(ctx.chain().send(ctx.chain().web3j().ethGetTransactionByHash(
                        receipt.get().getTransactionHash())).getTransaction().orElseThrow().getValue().toString());
                ctx.out.progress("moved " + InsufficientFundsException.eth(moved) + " ETH from the old key's account "
                        + oldKey.getAddress() + " to the new key's account " + newAccount
                        + ", which pays this identity's transactions from now on");
            }
        } catch (PeerkeyException e) {
            ctx.out.progress("warning: the old key's ether was not moved: " + e.getMessage());
        }
        fields.put("fundsMovedWei", moved.toString());
        BigInteger balance = ctx.chain().balance(newAccount);
        if (balance.signum() == 0) {
            ctx.out.progress("warning: the new key's account " + newAccount + " holds nothing; this identity pays"
                    + " for its transactions (answering requests, rotating, revoking) from it: send ether to "
                    + newAccount);
        }
    }
}
