package dev.peerkey.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP forwarder the tests put between a client and a server, to stop and restart
 * "the server" on the same port, to cut connections in the middle of what the client sends,
 * to send new connections to another server, or to record what passes (as an eavesdropper would).
 */
public final class TcpProxy implements AutoCloseable {
    private final int port;
    private volatile int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Client connections forwarded and not closed yet (by either side). */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private volatile ServerSocket server;
    /** When positive, each connection is cut after forwarding this many bytes from the client. */
    private volatile int cutAfter = -1;
    /** What clients sent and what the server answered, while recording (null: not recording). */
    private volatile ByteArrayOutputStream sent;
    private volatile ByteArrayOutputStream answered;

    private TcpProxy(int port, int targetPort) {
        this.port = port;
        this.targetPort = targetPort;
    }

    public static TcpProxy start(int targetPort) {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpProxy proxy = new TcpProxy(probe.getLocalPort(), targetPort);
            probe.close();
            proxy.resume();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** How many client connections were forwarded so far. */
    public int accepted() {
        return accepted.get();
    }

    /** How many forwarded client connections are open now (neither the client nor the server closed it). */
    public int openConnections() {
        return open.size();
    }

    /** How many client connections the server side closed first (an idle timeout, say), not the client. */
    public int closedByServer() {
        return closedByServer.get();
    }

    /** Cuts every connection after the client sent {@code bytes} bytes through it (-1: never). */
    public void cutAfter(int bytes) {
        cutAfter = bytes;
    }

    /** Sends new connections to {@code port} instead (open ones keep their server). */
    public void target(int port) {
        targetPort = port;
    }

    /** Starts recording the bytes of new and open connections, both ways, from now on. */
    public void record() {
        sent = new ByteArrayOutputStream();
        answered = new ByteArrayOutputStream();
    }

    /** What clients sent since {@link #record()}. */
    public byte[] sent() {
        synchronized (sent) {
            return sent.toByteArray();
        }
    }

    /** What the server answered since {@link #record()}. */
    public byte[] answered() {
        synchronized (answered) {
            return answered.toByteArray();
        }
    }

    /** Refuses connections and drops the open ones, as a stopped server would. */
    public void pause() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dropAll();
    }

    /** Listens again on the same port. */
    public void resume() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = s;
            Thread.ofVirtual().start(() -> accept(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                open.add(client);
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> pipe(client, upstream, cutAfter, true));
                Thread.ofVirtual().start(() -> pipe(upstream, client, -1, false));
            } catch (IOException e) {
                close(client); // nothing behind the proxy: the client sees the connection close
            }
        }
    }

    private void pipe(Socket from, Socket to, int limit, boolean fromClient) {
        byte[] buffer = new byte[8192];
        long forwarded = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (limit >= 0 && forwarded + n >= limit) {
                    out.write(buffer, 0, (int) (limit - forwarded));
                    out.flush();
                    break;
                }
                ByteArrayOutputStream recording = fromClient ? sent : answered;
                if (recording != null) {
                    synchronized (recording) {
                        recording.write(buffer, 0, n);
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
                forwarded += n;
            }
            if (n < 0 && !fromClient) {
                closedByServer.incrementAndGet(); // the server ended it (a close by the client ends this read otherwise)
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            close(from);
            close(to);
            open.remove(fromClient ? from : to);
        }
    }

    private void dropAll() {
        sockets.forEach(TcpProxy::close);
        sockets.clear();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        pause();
    }
}
