package dev.reasoningsdk.impl.relay.internal;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Not API: a server's listening socket in front of a JDK HTTP server. Each client connection is relayed byte for
 * byte to the JDK server, which listens on a loopback port of its own, so that a client closing its connection (or
 * the connection breaking) is seen at once. The JDK server cannot tell: it reads a connection only between requests
 * and gives a handler no socket, so a request being generated for a client that timed out or was killed would run
 * to its last token while later requests wait for the slot it holds. {@link #whileConnected} runs a request's work
 * watched: when its client goes away the working thread is interrupted, which a local model honours between
 * decoding steps, and the JDK HTTP client honours by cancelling a request it is sending (closing its connection, so
 * the server it forwards to sees its own client go). {@code LocalOpenAiServer} generates under it;
 * {@code FaultInjectingServer} (reasoning-sdk-fixtures) forwards to its upstream under it.
 *
 * <p>A client that half-closes its side after sending a request is taken as gone, as uvicorn (vLLM's server) takes
 * it. Each open connection holds two daemon threads, one per direction. Thread-safe. Public for Java's sake only;
 * it may change in any release.
 */
public final class ClientRelay implements AutoCloseable {

    private static final int BUFFER_BYTES = 16 * 1024;
    private static final long MAX_ACCEPT_PAUSE_MILLIS = 1000;
    private static final System.Logger LOG = System.getLogger(ClientRelay.class.getName());

    private final ServerSocket listener;
    private final HttpServer http;
    private final InetSocketAddress upstream;
    private final ExecutorService threads;
    /** Open connections by the local port of their upstream socket: the JDK server's remote address for them. */
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Relays connections accepted on {@code listener} to {@code http}, from a thread of its own. */
    private ClientRelay(ServerSocket listener, HttpServer http, String name) {
        this.listener = listener;
        this.http = http;
        this.upstream = http.getAddress();
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, name + "-relay-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        threads.execute(this::accept);
    }

    /**
     * Listens on {@code address} (port 0: an ephemeral one) and relays every connection to a new JDK HTTP server on
     * an ephemeral loopback port that nobody else is told, so every connection that server sees is the relay's.
     * The caller adds its contexts and executor to {@link #http()}, starts it, and stops it after closing the relay.
     *
     * @param name the prefix of the relay's thread names
     * @throws IOException if {@code address} cannot be bound or the JDK server cannot listen; nothing is left open
     */
    public static ClientRelay listen(InetSocketAddress address, String name) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.bind(address);
            return new ClientRelay(listener, HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), name);
        } catch (IOException e) {
            try {
                listener.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The JDK HTTP server behind the relay, for the caller to configure, start and stop. */
    public HttpServer http() {
        return http;
    }

    /** The address clients connect to. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /**
     * Runs {@code work} on this thread, interrupting it if the client whose connection reached the JDK server from
     * {@code remote} ({@code HttpExchange.getRemoteAddress()}) goes away meanwhile.
     *
     * @throws ClientGone if the client went away before or during the work (whatever the work returned or threw).
     *                    A connection the relay no longer holds is one whose client already left: the JDK server
     *                    can still read a request the client sent just before leaving. Every connection the JDK
     *                    server sees is the relay's, as it listens on an ephemeral loopback port nobody else is told.
     */
    public <T> T whileConnected(InetSocketAddress remote, Supplier<T> work) {
        Connection connection = connections.get(remote.getPort());
        if (connection == null) {
            throw new ClientGone(null);
        }
        connection.begin();
        T result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            if (connection.end()) {
                throw new ClientGone(e);
            }
            throw e;
        }
        if (connection.end()) {
            throw new ClientGone(null);
        }
        return result;
    }

    /** Stops accepting and closes every relayed connection; the JDK server is the caller's to stop. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        connections.values().forEach(Connection::close);
        threads.shutdownNow();
    }

    private void accept() {
        long pauseMillis = 0;
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
                pauseMillis = 0;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // An accept that keeps failing (out of file descriptors, say) would otherwise spin a core and
                // flood the log; back off as servers do, up to a second, until a connection is accepted again.
                pauseMillis = Math.min(MAX_ACCEPT_PAUSE_MILLIS, Math.max(10, pauseMillis * 2));
                LOG.log(System.Logger.Level.WARNING, "accepting a connection failed; retrying in " + pauseMillis
                        + " ms", e);
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(upstream);
                Connection connection = new Connection(client, server);
                connections.put(connection.key, connection);
                threads.execute(() -> pump(connection, client, server, true));
                threads.execute(() -> pump(connection, server, client, false));
            } catch (IOException | RejectedExecutionException e) {
                closeQuietly(client);
                closeQuietly(server);
            }
        }
    }

    /**
     * Copies {@code from} to {@code to} until either ends. The client's end (end of stream, a reset, a write that
     * fails) means it is gone; the server's end means it closed the connection after a reply, which the client then
     * sees.
     */
    private static void pump(Connection connection, Socket from, Socket to, boolean fromClient) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int read; (read = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // Either side reset or was closed: the connection is over.
        }
        if (fromClient) {
            connection.clientGone();
        } else {
            connection.close();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing what is already broken.
        }
    }

    /** A relayed connection and the thread generating for it, if any. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        private final int key;
        private Thread generating;
        private boolean interrupted;
        private boolean gone;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
            this.key = server.getLocalPort();
        }

        /** Watches the current thread; throws at once if the client is already gone. */
        synchronized void begin() {
            if (gone) {
                throw new ClientGone(null);
            }
            generating = Thread.currentThread();
        }

        /**
         * Stops watching the current thread and clears an interrupt this connection sent, so that it never reaches
         * the thread's next task; returns whether the client went away.
         */
        synchronized boolean end() {
            generating = null;
            if (interrupted) {
                Thread.interrupted();
                interrupted = false;
            }
            return gone;
        }

        /** The client went away: stop what is generated for it, and close both ends. */
        void clientGone() {
            synchronized (this) {
                gone = true;
                if (generating != null && !interrupted) {
                    generating.interrupt();
                    interrupted = true;
                }
            }
            close();
        }

        void close() {
            connections.remove(key, this);
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    /** The client of a request went away before its reply; there is nobody to answer. */
    public static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super("the client closed its connection", cause, false, false);
        }
    }
}
