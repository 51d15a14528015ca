package dev.peerkey.messaging;

import dev.peerkey.handshake.Endpoint;
import dev.peerkey.transport.direct.ConnectionClosedException;
import dev.peerkey.transport.direct.DirectConnection;
import dev.peerkey.transport.direct.DirectTransportException;
import dev.peerkey.transport.direct.Frame;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open direct connections by peer endpoint, reused across messages and dropped on the first
 * failure. A reused connection the peer has meanwhile closed (its listener closes idle ones)
 * is replaced by a new one and the frame sent once more: safe, because a copy of an envelope
 * the peer already took gets the same answer again and changes nothing there.
 */
final class DirectLinks implements AutoCloseable {
    private final Duration connectTimeout;
    private final Map<String, DirectConnection> open = new ConcurrentHashMap<>();

    DirectLinks(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Sends one frame and returns the replies; any failure closes the connection and is rethrown. */
    List<Frame> exchange(Endpoint endpoint, Frame frame, Duration replyTimeout) {
        String key = endpoint.toString();
        DirectConnection reused = open.get(key);
        if (reused != null && reused.isOpen()) {
            try {
                return reused.exchange(frame, replyTimeout);
            } catch (ConnectionClosedException e) {
                open.remove(key, reused); // closed by the peer while unused, most likely: try a new one
            } catch (DirectTransportException e) {
                open.remove(key, reused);
                throw e;
            }
        }
        DirectConnection connection = DirectConnection.open(endpoint.host(), endpoint.port(), connectTimeout);
        open.put(key, connection);
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
