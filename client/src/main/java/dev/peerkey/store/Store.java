package dev.peerkey.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

import org.sqlite.SQLiteConfig;

/**
 * A profile's local database (one SQLite file, e.g. {@code <home>/peerkey.db}): sessions and
 * their ratchet state, pending handshakes, sent and received messages, chain sync cursors and
 * the hashes of accepted envelopes.
 *
 * <h2>Secrets</h2>
 * A store opens only with its {@link StoreKey}: every secret column (message bodies and envelopes,
 * ratchet states, handshake ephemeral keys and signed requests, endpoints; see
 * {@link SealedColumn}) is sealed under it with AES-256-GCM, bound to its table, column and row,
 * so a copy of the files without the key yields no text, key or endpoint. IDs, tags, statuses,
 * timestamps and sizes stay in clear for lookups. Opening a database written before sealing
 * seals its rows in one transaction, then VACUUMs the file and truncates the write-ahead log so
 * the plaintext is gone from both. The file is also created with mode 0600 (SQLite gives its -wal
 * and -shm files the same mode), and {@code secure_delete} zeroes deleted rows in the main file.
 * Ratchet states of revoked sessions, and of closed ones after {@link Tx#CLOSED_SESSION_GRACE},
 * are dropped.
 *
 * <h2>Atomicity and durability</h2>
 * All access goes through {@link #inTransaction} or {@link #inTransactionReturning}: one
 * {@code BEGIN IMMEDIATE} … {@code COMMIT} per call, in WAL mode with {@code synchronous=FULL},
 * so a committed transaction survives a crash or power loss, and an interrupted one leaves no
 * trace. FULL matters here: with NORMAL
 * a power cut may undo the last commits, and a ratchet state rolled back after its envelope
 * was sent would encrypt the next message under a key already used.
 *
 * <h2>Concurrency</h2>
 * Two processes of one profile (a {@code listen} daemon and a {@code send} command) may use the
 * file at once. BEGIN IMMEDIATE takes the write lock up front, so two writers queue instead of
 * deadlocking on a read-to-write upgrade; a writer waits up to {@link #BUSY_TIMEOUT} for the
 * other. Within a process, one Store may be shared by threads: transactions run one at a time.
 */
public final class Store implements AutoCloseable {
    /** How long a transaction waits for another process's transaction to finish. */
    public static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);
    /** The default file name inside a profile's home directory. */
    public static final String FILE_NAME = "peerkey.db";

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    /**
     * {@code PRAGMA synchronous} levels. FULL, the default, makes every commit survive a power
     * loss; NORMAL (WAL) survives the process being killed but not the machine losing power,
     * which could roll back a ratchet step whose envelope already left. Benchmarks compare them.
     */
    public enum Sync { FULL, NORMAL }

    private final Path file;
    private final Connection connection;
    private final StoreKey key;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Prepared statements, reused by every transaction; guarded by {@link #lock}, closed with the connection. */
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private Tx current;
    private boolean closed;

    private Store(Path file, Connection connection, StoreKey key, Clock clock) {
        this.file = file;
        this.connection = connection;
        this.key = key;
        this.clock = clock;
    }

    /**
     * Opens the database with its key, creating it (and its parent directory) owner-only if
     * missing, and sealing it if it was written before sealing existed.
     *
     * @throws StoreException if the database is sealed under another key (see {@link StoreKeyFile})
     */
    public static Store open(Path file, StoreKey key) {
        return open(file, key, Clock.systemUTC(), Sync.FULL);
    }

    /** Opens the database with the given durability; see {@link Sync}. */
    public static Store open(Path file, StoreKey key, Sync sync) {
        return open(file, key, Clock.systemUTC(), sync);
    }

    /** Opens the database with a clock of its own for the times it records (a test's moved clock). */
    public static Store open(Path file, StoreKey key, Clock clock) {
        return open(file, key, clock, Sync.FULL);
    }

    public static Store open(Path file, StoreKey key, Clock clock, Sync sync) {
        Objects.requireNonNull(key, "key");
        Path path = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        createOwnerOnly(path);
        Connection connection;
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
            connection = config.createConnection("jdbc:sqlite:" + path);
        } catch (SQLException e) {
            throw Sql.error(e, path);
        }
        try {
            configure(connection, path, sync);
            Store store = new Store(path, connection, key, clock);
            boolean[] vacuum = new boolean[1];
            store.run(sql -> {
                Schema.migrate(connection, path);
                vacuum[0] = Sealing.unlock(sql, path);
                SessionTable.wipeEnded(sql, clock.millis() - Tx.CLOSED_SESSION_GRACE.toMillis());
            });
            if (vacuum[0]) {
                store.vacuum();
            }
            return store;
        } catch (RuntimeException e) {
            closeQuietly(connection, e);
            throw e;
        } catch (SQLException e) {
            closeQuietly(connection, e);
            throw Sql.error(e, path);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Runs {@code work} in one transaction: all of its writes are committed when it returns, or
     * none if it throws, and the exception then propagates unchanged. Transactions do not nest;
     * do everything that belongs together in one call.
     */
    public void inTransaction(Consumer<Tx> work) {
        Objects.requireNonNull(work, "work");
        inTransactionReturning(tx -> {
            work.accept(tx);
            return null;
        });
    }

    /**
     * Like {@link #inTransaction(Consumer)}, and returns what {@code work} returns. (A separate
     * name, because with two overloads {@code inTransaction(tx -> tx.sessions())} would not
     * compile: Java finds a one-argument lambda that returns a value ambiguous between
     * Consumer and Function.)
     */
    public <T> T inTransactionReturning(Function<Tx, T> work) {
        Objects.requireNonNull(work, "work");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the store " + file + " is closed");
            }
            if (current != null) {
                throw new IllegalStateException("transactions do not nest; use the Tx you already have");
            }
            execute("BEGIN IMMEDIATE");
            // Timestamps after the lock is ours, so they follow the commit order across processes.
            Sql sql = new Sql(connection, file, statements, key);
            Tx tx = new Tx(sql, clock.millis());
            current = tx;
            T result;
            try {
                result = work.apply(tx);
            } catch (Throwable t) {
                rollback(t);
                throw t;
            } finally {
                tx.end();
                current = null;
            }
            if (sql.failure() != null) {
                // The work caught a database error and went on: its writes cannot be trusted.
                StoreException e = new StoreException("a statement failed inside the transaction on " + file
                        + "; nothing was written", sql.failure());
                rollback(e);
                throw e;
            }
            commit();
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Reads one setting of this store's own connection (e.g. "synchronous"); for tests and diagnostics. */
    String pragma(String name) {
        if (!name.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a pragma name: " + name);
        }
        lock.lock();
        try (Statement st = connection.createStatement()) {
            return pragma(st, "PRAGMA " + name);
        } catch (SQLException e) {
            throw Sql.error(e, file);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the connection; the last process to close the file checkpoints and removes the WAL. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            connection.close();
        } catch (SQLException e) {
            throw Sql.error(e, file);
        } finally {
            lock.unlock();
        }
    }

    private interface SqlWork {
        void run(Sql sql) throws SQLException;
    }

    /** Runs setup work (the schema migration, unlocking) in a transaction of its own. */
    private void run(SqlWork work) throws SQLException {
        execute("BEGIN IMMEDIATE");
        Sql sql = new Sql(connection, file, statements, key);
        try {
            work.run(sql);
        } catch (SQLException | RuntimeException e) {
            rollback(e);
            throw e;
        }
        if (sql.failure() != null) {
            rollback(sql.failure());
            throw sql.failure();
        }
        commit();
    }

    /**
     * Rebuilds the file after the first sealing, so the plaintext of the rows it sealed is gone
     * from the database's free pages, then empties the write-ahead log. Until both have run, the
     * "vacuum" marker stays and the next open tries again.
     */
    private void vacuum() throws SQLException {
        // VACUUM refuses to run while any statement is open, and the cached ones count.
        for (PreparedStatement ps : statements.values()) {
            ps.close();
        }
        statements.clear();
        execute("VACUUM");
        run(Sealing::vacuumed);
        try (Statement st = connection.createStatement()) {
            pragma(st, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private void commit() {
        try {
            execute("COMMIT");
        } catch (StoreException e) {
            rollback(e);
            throw e;
        }
    }

    private void rollback(Throwable cause) {
        try (Statement st = connection.createStatement()) {
            st.executeUpdate("ROLLBACK");
        } catch (SQLException e) {
            // SQLite may have rolled back already (e.g. after an I/O error); keep the first cause.
            cause.addSuppressed(e);
        }
    }

    private void execute(String sql) {
        try (Statement st = connection.createStatement()) {
            st.executeUpdate(sql);
        } catch (SQLException e) {
            throw Sql.error(e, file);
        }
    }

    private static void configure(Connection connection, Path path, Sync sync) throws SQLException {
        try (Statement st = connection.createStatement()) {
            String mode = pragma(st, "PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StoreException("cannot switch " + path + " to write-ahead logging (journal mode " + mode + ")");
            }
            st.executeUpdate("PRAGMA synchronous = " + sync.name());
            st.executeUpdate("PRAGMA foreign_keys = ON");
            // Deleted rows (spent ephemeral keys, old ratchet states) are overwritten with zeros.
            st.executeUpdate("PRAGMA secure_delete = ON");
            // VACUUM and large sorts work in memory, never in a temporary file holding plaintext.
            st.executeUpdate("PRAGMA temp_store = MEMORY");
            if (!"1".equals(pragma(st, "PRAGMA foreign_keys"))) {
                throw new StoreException("this SQLite build cannot enforce foreign keys");
            }
        }
    }

    private static String pragma(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Creates the file with mode 0600 before SQLite opens it; tightens an existing one. */
    private static void createOwnerOnly(Path path) {
        boolean posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            Path dir = path.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir, posix ? owner(OWNER_ONLY_DIR) : new FileAttribute<?>[0]);
            }
            try {
                Files.createFile(path, posix ? owner(OWNER_ONLY_FILE) : new FileAttribute<?>[0]);
            } catch (FileAlreadyExistsException e) {
                // Another process created it first, or it exists from an earlier run.
            }
            if (posix) {
                for (String suffix : new String[] {"", "-wal", "-shm"}) {
                    Path p = path.resolveSibling(path.getFileName() + suffix);
                    if (Files.exists(p) && !Files.getPosixFilePermissions(p).equals(OWNER_ONLY_FILE)) {
                        Files.setPosixFilePermissions(p, OWNER_ONLY_FILE);
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot create the database file " + path + ": " + e.getMessage(), e);
        }
    }

    private static FileAttribute<?>[] owner(Set<PosixFilePermission> permissions) {
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
    }

    private static void closeQuietly(Connection connection, Throwable cause) {
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
