package dev.peerkey.chain;

/** A call or transaction the contract rejected; the message names the contract's reason. */
public final class RevertException extends ChainException {
    private static final long serialVersionUID = 1L;
    private final String errorName;

    public RevertException(String errorName, String message) {
        super(message);
        this.errorName = errorName;
    }

    /** The custom error's name, e.g. {@code AlreadyRegistered}, or {@code "revert"} when unknown. */
    public String errorName() {
        return errorName;
    }
}
