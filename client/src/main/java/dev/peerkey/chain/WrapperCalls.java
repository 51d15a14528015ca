package dev.peerkey.chain;

import dev.peerkey.PeerkeyException;
import java.util.function.Function;

/**
 * Runs calls on web3j's generated contract wrappers, which throw plain exceptions: chain
 * errors and the caller's own errors pass through, everything else becomes the caller's
 * error with the wrapper's message.
 */
public final class WrapperCalls {
    /** A wrapper call, e.g. {@code () -> contract.lookup(id).send()}. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws Exception;
    }

    private WrapperCalls() {
    }

    /**
     * Throws the {@link ChainException} behind {@code failure} if the node failed (an HTTP error
     * status, say), so that a caller that turns any failure into its own verdict ("not a registry")
     * does not blame the contract for the node.
     */
    public static void rethrowNodeFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NodeHttpException http) {
                throw new NodeUnavailableException(http);
            }
            if (cause instanceof NodeUnavailableException unavailable) {
                throw unavailable;
            }
        }
    }

    /**
     * @param own the caller's exception type, passed through unchanged
     * @param wrap makes the caller's exception from a failure's message
     */
    public static <T, E extends PeerkeyException> T call(Call<T> call, Class<E> own, Function<String, E> wrap) {
        try {
            return call.call();
        } catch (ChainException e) {
            throw e;
        } catch (RuntimeException e) {
            if (own.isInstance(e)) {
                throw e;
            }
            if (e.getCause() instanceof ChainException chainException) {
                throw chainException;
            }
            throw wrap.apply(e.getMessage());
        } catch (Exception e) {
            rethrowNodeFailure(e);
            throw wrap.apply(e.getMessage());
        }
    }
}
