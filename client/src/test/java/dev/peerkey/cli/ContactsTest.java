package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.PeerkeyException;
import org.junit.jupiter.api.Test;

/** Contact names: what is a valid name, and how close a typo is. */
class ContactsTest {
    @Test
    void aNameCannotReadAsAnIdentity() {
        assertEquals("bob", Contacts.requireValidName(" bob "));
        assertEquals("Alice.W-2_x", Contacts.requireValidName("Alice.W-2_x"));
        for (String bad : new String[] {"", "2bob", "bob smith", "bob!", "0xabc", "abcdefghijklmnop",
                "a".repeat(33), "b\u001b[2J"}) {
            PeerkeyException e = assertThrows(PeerkeyException.class, () -> Contacts.requireValidName(bad), bad);
            assertTrue(e.getMessage().contains("cannot be a contact name"), e.getMessage());
        }
    }

    @Test
    void identitiesAreRecognisedByTheirForm() {
        assertTrue(Contacts.looksLikeIdentity("0x" + "ab".repeat(32)));
        assertTrue(Contacts.looksLikeIdentity("0x" + "ab".repeat(20)));
        assertTrue(Contacts.looksLikeIdentity("abcdefghijklmnop"));
        assertFalse(Contacts.looksLikeIdentity("bob"));
    }

    @Test
    void editDistanceCountsSingleCharacterEdits() {
        assertEquals(0, Contacts.distance("bob", "bob"));
        assertEquals(1, Contacts.distance("bbo", "bob"), "a swap of neighbours is one edit");
        assertEquals(1, Contacts.distance("bob", "bobb"));
        assertEquals(1, Contacts.distance("carol", "carl"));
        assertEquals(5, Contacts.distance("", "carol"));
    }
}
