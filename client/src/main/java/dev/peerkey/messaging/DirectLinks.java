package dev.peerkey.messaging;

import dev.peerkey.handshake.Endpoint;
import dev.peerkey.transport.direct.DirectConnection;
import dev.peerkey.transport.direct.DirectTransportException;
import dev.peerkey.transport.direct.Frame;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Open direct connections by peer endpoint, reused across messages and dropped on the first failure. */
final class DirectLinks implements AutoCloseable {
    private final Duration connectTimeout;
    private final Map<String, DirectConnection> open = new ConcurrentHashMap<>();

    DirectLinks(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Sends one frame and returns the replies; any failure closes the connection and is rethrown. */
    List<Frame> exchange(Endpoint endpoint, Frame frame, Duration replyTimeout) {
        String key = endpoint.toString();
        DirectConnection connection = open.get(key);
        if (connection == null || !connection.isOpen()) {
            connection = DirectConnection.open(endpoint.host(), endpoint.port(), connectTimeout);
            open.put(key, connection);
        }
        try {
            return connection.exchange(frame, replyTimeout);
        } catch (DirectTransportException e) {
            open.remove(key, connection);
            connection.close();
            throw e;
        }
    }

    @Override
    public void close() {
        open.values().forEach(DirectConnection::close);
        open.clear();
    }
}
