package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.InsufficientFundsException;
import java.math.BigInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `peerkey mailbox-account`: the account that sends and pays for this profile's mailbox posts. */
@Command(name = "mailbox-account", mixinStandardHelpOptions = true,
        description = {"Show the profile's mailbox account and its balance (making the account if there is none).",
            "Every mailbox post of the profile (messages, acknowledgements, key confirmations, endpoint updates)"
                    + " is sent and paid for by this account, not by an identity's, so a post does not name its"
                    + " sender. On a local chain it is funded automatically; on a real chain, send it ether from"
                    + " an account that is not linked to your identities."})
final class MailboxAccountCommand implements Runnable {
    @Mixin
    GlobalOptions options;

    @Override
    public void run() {
        try (Context ctx = new Context(options)) {
            String address = MailboxAccount.address(options.home).orElseGet(() -> MailboxAccount.loadOrCreate(
                    ctx.profile(), ctx.profile().identity(null), ctx.password(false), ctx.out::progress).address());
            var fields = Output.fields();
            fields.put("address", address);
            try {
                ctx.fundIfDevChain(address);
                BigInteger balance = ctx.chain().balance(address);
                fields.put("balance", InsufficientFundsException.eth(balance) + " ETH");
                fields.put("balanceWei", balance.toString());
            } catch (PeerkeyException e) {
                ctx.out.progress("balance unknown: " + e.getMessage());
            }
            ctx.out.result(fields);
            ctx.out.progress("this account sends and pays for the profile's mailbox posts; on a real chain, fund it"
                    + " from an account that is not linked to your identities");
        }
    }
}
