package dev.peerkey.transport.direct;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Applies {@link DirectLimits} per remote address: counts open connections and keeps each
 * address's frame, byte and refusal budgets. An address's budgets outlive its connections
 * until they are full again, so reconnecting does not refill them.
 */
final class Admission {
    /** How often the log may speak about one address. */
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** Past this many remembered addresses, idle ones with full budgets are forgotten. */
    private static final int SWEEP_ABOVE = 1_024;

    private final DirectLimits limits;
    private final LongSupplier nanos;
    private final Map<String, Address> addresses = new HashMap<>();
    private int open;

    Admission(DirectLimits limits, LongSupplier nanos) {
        this.limits = limits;
        this.nanos = nanos;
    }

    /** One remote address's budgets and connection count. */
    final class Address {
        final String name;
        private final Budget frames;
        private final Budget bytes;
        private final Budget refusals;
        private int connections;
        private long loggedAt;
        private int suppressed;

        private Address(String name, long now) {
            this.name = name;
            this.frames = new Budget(limits.framesPerSecond(), limits.frameBurst(), now);
            this.bytes = new Budget(limits.bytesPerSecond(), limits.byteBurst(), now);
            this.refusals = new Budget(limits.refusalsPerSecond(), limits.refusalBurst(), now);
            this.loggedAt = now - LOG_INTERVAL_NANOS;
        }

        /**
         * Charges one frame of {@code wireBytes} bytes, before its body is read.
         *
         * @return null if it may be read and answered, else why the connection must close
         */
        String chargeFrame(int wireBytes) {
            long now = nanos.getAsLong();
            if (!frames.take(1, now)) {
                return "over the limit of " + limits.framesPerSecond() + " frames/s (burst " + limits.frameBurst()
                        + ") for its address";
            }
            if (!bytes.take(wireBytes, now)) {
                return "over the limit of " + limits.bytesPerSecond() + " bytes/s (burst " + limits.byteBurst()
                        + ") for its address";
            }
            if (!refusals.any(now)) {
                return "over the limit of " + limits.refusalsPerSecond() + " refused frames/s (burst "
                        + limits.refusalBurst() + ") for its address";
            }
            return null;
        }

        /** Counts a frame that was answered with an ERROR. */
        void chargeRefusal() {
            refusals.take(1, nanos.getAsLong());
        }

        /**
         * Whether a log line about this address may be written now (at most one per 10 s);
         * returns the line to write, with how many were held back since, or null.
         */
        synchronized String loggable(String line) {
            long now = nanos.getAsLong();
            if (now - loggedAt < LOG_INTERVAL_NANOS) {
                suppressed++;
                return null;
            }
            loggedAt = now;
            String out = suppressed == 0 ? line : line + " (and " + suppressed + " more from this address)";
            suppressed = 0;
            return out;
        }

        private boolean forgettable(long now) {
            return connections == 0 && frames.full(now) && bytes.full(now) && refusals.full(now)
                    && now - loggedAt >= LOG_INTERVAL_NANOS;
        }
    }

    /** The budgets of {@code remote}'s address, created on first sight. */
    synchronized Address address(InetAddress remote) {
        long now = nanos.getAsLong();
        if (addresses.size() > SWEEP_ABOVE) {
            sweep(now);
        }
        return addresses.computeIfAbsent(key(remote), k -> new Address(k, now));
    }

    /**
     * Counts a new connection from {@code address}, unless that would pass a connection limit.
     *
     * @return null if admitted (call {@link #release} when it ends), else why it must close
     */
    synchronized String connect(Address address) {
        if (open >= limits.connections()) {
            return "over the limit of " + limits.connections() + " open connections";
        }
        if (address.connections >= limits.connectionsPerAddress()) {
            return "over the limit of " + limits.connectionsPerAddress() + " open connections per address";
        }
        address.connections++;
        open++;
        return null;
    }

    /** The connection ends. */
    synchronized void release(Address address) {
        address.connections--;
        open--;
    }

    synchronized int remembered() {
        return addresses.size();
    }

    private void sweep(long now) {
        for (Iterator<Address> it = addresses.values().iterator(); it.hasNext();) {
            if (it.next().forgettable(now)) {
                it.remove();
            }
        }
    }

    /** The address a limit applies to: the IPv4 address, or the IPv6 /64 (an IPv4-mapped one as IPv4). */
    static String key(InetAddress remote) {
        byte[] raw = remote.getAddress();
        if (remote instanceof Inet4Address) {
            return remote.getHostAddress();
        }
        if (remote instanceof Inet6Address && raw.length == 16) {
            return HexFormat.of().formatHex(raw, 0, 8) + "::/64";
        }
        return remote.getHostAddress();
    }
}
