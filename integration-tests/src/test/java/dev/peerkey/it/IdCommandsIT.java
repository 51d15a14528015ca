package dev.peerkey.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `id new`, `id list` and `id use` in a profile with two identities, as separate processes (no chain needed). */
class IdCommandsIT {
    @TempDir
    Path dir;

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result result = cli.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static boolean isDefault(Cli cli, String id) {
        for (JsonNode i : ok(cli, "id", "list", "--json").json().path("identities")) {
            if (i.path("id").asText().equals(id)) {
                return i.path("default").asBoolean();
            }
        }
        throw new AssertionError(id + " not listed");
    }

    @Test
    void theDefaultIsMarkedAndChangedWithIdUse() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse battery\n");
        Cli cli = new Cli(Map.of("PEERKEY_HOME", dir.resolve("alice").toString(), "PEERKEY_PASSWORD_FILE",
                password.toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        Cli.Result first = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json");
        String a1 = first.json().path("id").asText();
        assertFalse(first.stderr().contains("added identity"), first::toString);
        Cli.Result second = ok(cli, "id", "new", "--fast-kdf", "--no-recovery", "--json");
        String a2 = second.json().path("id").asText();
        String a1Name = first.json().path("name").asText();
        String a2Name = second.json().path("name").asText();
        assertTrue(second.stderr().contains("added identity #2 to " + dir.resolve("alice") + "; the default is still "
                + a1Name + " (`peerkey id use " + a2Name + "` to change it)"), second::toString);

        assertTrue(isDefault(cli, a1));
        assertFalse(isDefault(cli, a2));
        String text = ok(cli, "id", "list").stdout();
        assertTrue(text.contains("* " + a1Name + "  " + a1) && text.contains("  " + a2Name + "  " + a2), text);

        JsonNode used = ok(cli, "id", "use", a2Name, "--json").json();
        assertEquals(a2, used.path("id").asText());
        assertTrue(isDefault(cli, a2));
        assertFalse(isDefault(cli, a1));
        assertEquals(a2, ok(cli, "id", "show", "--json").json().path("id").asText(), "id show follows the default");

        Cli.Result unknown = cli.run("id", "use", "0x" + "ab".repeat(32));
        assertEquals(1, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.stderr().contains("has no identity 0x" + "ab".repeat(32)), unknown::toString);
        assertTrue(isDefault(cli, a2), "a failed `id use` changes nothing");
        assertFalse(first.stderr().contains("warning: a password"), first::toString);
    }

    @Test
    void aShortPasswordIsWarnedAbout() throws IOException {
        Path password = dir.resolve("short");
        Files.writeString(password, "hunter2\n");
        Cli cli = new Cli(Map.of("PEERKEY_HOME", dir.resolve("bob").toString(), "PEERKEY_PASSWORD_FILE",
                password.toString(), "PEERKEY_CHAIN_DIR", dir.resolve("chain").toString()));
        Cli.Result made = ok(cli, "id", "new", "--fast-kdf", "--no-recovery");
        assertTrue(made.stderr().contains("warning: a password of 7 characters is quickly guessed by anyone who"
                + " copies the keystore; 12 or more (several words) are advised"), made::toString);
    }
}
