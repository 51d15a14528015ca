package dev.peerkey.transport.direct;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;

/** How addresses and durations appear in messages: {@code host:port}, {@code 2 s}. */
final class Addresses {
    private Addresses() {
    }

    static String describe(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port; // IPv6 literals in brackets
    }

    static String describe(SocketAddress address) {
        return address instanceof InetSocketAddress a ? describe(a.getHostString(), a.getPort())
                : String.valueOf(address);
    }

    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
