package dev.peerkey.handshake;

import java.util.Objects;

/**
 * A direct-connection address, "host:port": a DNS name, a dotted IPv4 address, or an IPv6
 * address in brackets ("[::1]:7000"). Only the syntax is checked; nothing is resolved.
 * Immutable; equal when the text is equal (host compared case-insensitively).
 */
public final class Endpoint {
    /** The longest "host:port" text, so that it fits the payload's one-byte length. */
    public static final int MAX_LENGTH = 255;

    private static final int MAX_HOST_NAME = 253;
    private static final int MAX_LABEL = 63;
    private static final int MAX_IPV6_TEXT = 45;

    private final String host;
    private final int port;

    private Endpoint(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * Parses "host:port".
     *
     * @throws HandshakeException naming what is wrong
     */
    public static Endpoint parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new HandshakeException("the endpoint is missing: expected host:port");
        }
        if (text.length() > MAX_LENGTH) {
            throw new HandshakeException("the endpoint is longer than " + MAX_LENGTH + " characters");
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new HandshakeException("the endpoint has no port: expected host:port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                throw new HandshakeException("the endpoint's IPv6 address must be in brackets, like [::1]:7000");
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new HandshakeException("an IPv6 endpoint must put the address in brackets, like [::1]:7000");
        }
        return of(host, parsePort(text.substring(colon + 1)));
    }

    /**
     * @param host a DNS name, dotted IPv4 address or IPv6 address (without brackets)
     * @param port 1 to 65535
     * @throws HandshakeException naming what is wrong
     */
    public static Endpoint of(String host, int port) {
        if (host == null || host.isEmpty()) {
            throw new HandshakeException("the endpoint's host is missing");
        }
        if (port < 1 || port > 65535) {
            throw new HandshakeException("the endpoint's port must be 1 to 65535, got " + port);
        }
        if (host.indexOf(':') >= 0) {
            checkIpv6(host);
        } else {
            checkHostName(host);
        }
        Endpoint e = new Endpoint(host, port);
        if (e.toString().length() > MAX_LENGTH) {
            throw new HandshakeException("the endpoint is longer than " + MAX_LENGTH + " characters");
        }
        return e;
    }

    /** The host, without brackets for IPv6. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    private static int parsePort(String digits) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw new HandshakeException("the endpoint's port must be a number from 1 to 65535");
        }
        return Integer.parseInt(digits);
    }

    private static void checkHostName(String host) {
        if (host.length() > MAX_HOST_NAME) {
            throw new HandshakeException("the endpoint's host name is longer than " + MAX_HOST_NAME + " characters");
        }
        String[] labels = host.split("\\.", -1);
        boolean numeric = true;
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL) {
                throw new HandshakeException("the endpoint's host name has an empty or over-long label");
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new HandshakeException("a label of the endpoint's host name starts or ends with a hyphen");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                if (!ok) {
                    throw new HandshakeException("the endpoint's host may hold only ASCII letters, digits, "
                            + "hyphens and dots");
                }
                numeric &= c >= '0' && c <= '9';
            }
        }
        if (numeric) {
            checkIpv4(labels);
        }
    }

    private static void checkIpv4(String[] parts) {
        if (parts.length != 4) {
            throw new HandshakeException("the endpoint's IPv4 address must have four parts");
        }
        for (String part : parts) {
            if (part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0') || Integer.parseInt(part) > 255) {
                throw new HandshakeException("each part of the endpoint's IPv4 address must be 0 to 255, "
                        + "without leading zeros");
            }
        }
    }

    private static void checkIpv6(String host) {
        boolean ok = host.length() >= 2 && host.length() <= MAX_IPV6_TEXT
                && host.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                        || (c >= 'A' && c <= 'F') || c == ':' || c == '.')
                && host.indexOf(':') != host.lastIndexOf(':') // at least two colons
                && !host.contains(":::");
        if (!ok) {
            throw new HandshakeException("the endpoint's IPv6 address is malformed");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint other && port == other.port && host.equalsIgnoreCase(other.host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host.toLowerCase(java.util.Locale.ROOT), port);
    }

    /** "host:port", with the host in brackets for IPv6; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
