package dev.peerkey.chain;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the checks of a deployed contract found (that a peerkey contract of the right version
 * lives at an address, and its immutable settings), remembered for the rest of the process
 * once {@link #rememberInThisProcess} is called. The unlock agent does: it runs one command after
 * another against the same deployment, and each would ask the node the same questions again.
 * A contract's code and immutables do not change at an address of one chain (told apart by
 * chain id and genesis hash); other processes check every time.
 */
public final class CheckedContracts {
    private static volatile boolean remember;
    private static final Map<String, String> FOUND = new ConcurrentHashMap<>();

    private CheckedContracts() {
    }

    /** From now on, checks found good are not repeated in this process. */
    public static void rememberInThisProcess() {
        remember = true;
    }

    /**
     * What {@code check} returns for the contract of kind {@code what} at {@code address}: run now,
     * or, if this process remembers checks, the answer of an earlier run that did not throw.
     */
    public static String check(Chain chain, String what, String address, Supplier<String> check) {
        if (!remember) {
            return check.get();
        }
        String key = chain.chainKey() + "/" + what + "/" + address.toLowerCase(Locale.ROOT);
        String found = FOUND.get(key);
        if (found == null) {
            found = check.get();
            FOUND.put(key, found);
        }
        return found;
    }
}
