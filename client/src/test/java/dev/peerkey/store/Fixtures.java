package dev.peerkey.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.peerkey.identity.PeerId;

/** Test helpers: random IDs, and plain JDBC to look at the file behind the store's back. */
final class Fixtures {
    static final SecureRandom RANDOM = new SecureRandom();
    static final PeerId ME = PeerId.of(random(32));
    /** One fixed key, so that child JVMs open the files the test wrote. */
    static final StoreKey KEY = StoreKey.of(MessageTable.sha256(text("peerkey test store key")));

    private Fixtures() {
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static PeerId peer() {
        return PeerId.of(random(32));
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Creates an established session with {@code peer} and returns its ID. */
    static byte[] established(Store store, PeerId peer) {
        byte[] id = random(32);
        store.inTransaction(tx -> {
            tx.saveSession(id, ME, peer, SessionStatus.ESTABLISHED, text("state-0"), null);
        });
        return id;
    }

    /** The first column of every row of {@code sql}, run on its own connection to {@code db}. */
    static List<String> column(Path db, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** The first column of the first row of {@code sql} as bytes, read on its own connection. */
    static byte[] blob(Path db, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getBytes(1) : null;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    static String scalar(Path db, String sql) {
        List<String> rows = column(db, sql);
        return rows.isEmpty() ? null : rows.get(0);
    }

    static long count(Path db, String table) {
        return Long.parseLong(scalar(db, "SELECT count(*) FROM " + table));
    }

    static void execute(Path db, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
