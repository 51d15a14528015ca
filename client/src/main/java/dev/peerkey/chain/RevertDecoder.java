package dev.peerkey.chain;

/** Turns a contract's revert data into a readable exception. */
@FunctionalInterface
public interface RevertDecoder {
    /**
     * @param revertData the hex revert data returned by the node, possibly empty
     * @return the exception that describes it
     */
    RevertException decode(String revertData);
}
