package dev.peerkey.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CursorTest {
    @TempDir
    Path dir;

    @Test
    void setAndMoveCursors() {
        try (Store store = Store.open(dir.resolve("peerkey.db"), Fixtures.KEY)) {
            String name = "chain:mailbox:0x5FbDB2315678afecb367f032d93F642f64180aa3";
            store.inTransaction(tx -> {
                assertTrue(tx.cursor(name).isEmpty());
                tx.setCursor(name, 100, 2);
                tx.setCursor("other", 7, 0);
            });
            store.inTransaction(tx -> assertEquals(new Cursor(name, 100, 2), tx.cursor(name).orElseThrow()));
            store.inTransaction(tx -> tx.setCursor(name, 95, 0)); // after a reorganisation
            store.inTransaction(tx -> {
                assertEquals(new Cursor(name, 95, 0), tx.cursor(name).orElseThrow());
                assertEquals(new Cursor("other", 7, 0), tx.cursor("other").orElseThrow());
            });
            assertThrows(IllegalArgumentException.class, () -> store.inTransaction(tx -> tx.setCursor(name, -1, 0)));
            store.inTransaction(tx -> assertEquals(95, tx.cursor(name).orElseThrow().block()));
        }
    }
}
