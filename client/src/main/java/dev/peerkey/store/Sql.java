package dev.peerkey.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Runs statements for one transaction. The first SQL error marks the transaction failed:
 * SQLite may already have rolled it back (disk full, I/O error), and statements after that
 * would each commit on their own, so the store refuses further work and rolls back instead.
 */
final class Sql {
    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final Connection connection;
    private final Path file;
    /** The connection's prepared statements by SQL text, kept open across transactions: parsing is most of a small query's cost. */
    private final Map<String, PreparedStatement> statements;
    private final StoreKey key;
    private StoreException failure;

    Sql(Connection connection, Path file, Map<String, PreparedStatement> statements, StoreKey key) {
        this.connection = connection;
        this.file = file;
        this.statements = statements;
        this.key = key;
    }

    /** {@code value} sealed for {@code column} of the row whose key is {@code row}; null stays null. */
    byte[] seal(SealedColumn column, byte[] row, byte[] value) {
        return column.seal(key, row, value);
    }

    /** What {@link #seal} sealed; throws a StoreException if it was altered or belongs to another row. */
    byte[] open(SealedColumn column, byte[] row, byte[] sealed) {
        return column.open(key, row, sealed);
    }

    /** Like {@link #seal} for a TEXT column (the sealed bytes in base64). */
    String sealText(SealedColumn column, byte[] row, String value) {
        return column.sealText(key, row, value);
    }

    String openText(SealedColumn column, byte[] row, String sealed) {
        return column.openText(key, row, sealed);
    }

    /** The first error of this transaction, or null. */
    StoreException failure() {
        return failure;
    }

    int update(String sql, Object... args) {
        try {
            return prepare(sql, args).executeUpdate();
        } catch (SQLException e) {
            throw fail(sql, e);
        }
    }

    <T> List<T> list(String sql, Row<T> row, Object... args) {
        try (ResultSet rs = prepare(sql, args).executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw fail(sql, e);
        }
    }

    <T> Optional<T> one(String sql, Row<T> row, Object... args) {
        List<T> rows = list(sql, row, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    boolean exists(String sql, Object... args) {
        return one(sql, rs -> Boolean.TRUE, args).isPresent();
    }

    private StoreException fail(String sql, SQLException e) {
        PreparedStatement broken = statements.remove(sql);
        if (broken != null) {
            try {
                broken.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
        }
        StoreException error = error(e, file);
        if (failure == null) {
            failure = error;
        }
        return error;
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        ps.clearParameters();
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    /** A NOT NULL blob column; the driver may hand back null for a zero-length blob. */
    static byte[] blob(ResultSet rs, String column) throws SQLException {
        byte[] b = rs.getBytes(column);
        return b == null ? new byte[0] : b;
    }

    static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    /** Turns a driver error into one sentence that says what the user can do about it. */
    static StoreException error(SQLException e, Path file) {
        int code = e instanceof SQLiteException se ? se.getResultCode().code & 0xFF : -1;
        String message;
        if (code == SQLiteErrorCode.SQLITE_BUSY.code || code == SQLiteErrorCode.SQLITE_LOCKED.code) {
            message = file + " stayed locked by another peerkey process for more than "
                    + Store.BUSY_TIMEOUT.toSeconds() + " s";
        } else if (code == SQLiteErrorCode.SQLITE_FULL.code) {
            message = "the disk holding " + file + " is full";
        } else if (code == SQLiteErrorCode.SQLITE_CORRUPT.code || code == SQLiteErrorCode.SQLITE_NOTADB.code) {
            message = file + " is not a valid peerkey database (corrupt, or another kind of file)";
        } else if (code == SQLiteErrorCode.SQLITE_READONLY.code) {
            message = file + " is read-only";
        } else if (code == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
            message = "cannot open " + file;
        } else if (code == SQLiteErrorCode.SQLITE_IOERR.code) {
            message = "I/O error on " + file;
        } else {
            message = "database error on " + file + ": " + e.getMessage();
        }
        return new StoreException(message, e);
    }
}
