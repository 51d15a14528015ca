package dev.peerkey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which command lines the unlock agent runs, and how the client hands them over. */
class AgentRunTest {
    private static final Map<String, String> NO_ENV = Map.of();

    private static Optional<AgentRun.Plan> plan(Map<String, String> env, String... args) {
        return AgentRun.plan(List.of(args), env);
    }

    @Test
    void theShortCommandsGo() {
        for (String line : List.of("send bob hi", "lookup bob", "sessions", "inbox --limit 3", "outbox", "id show",
                "id list", "contact list", "--json sessions", "id --json show")) {
            assertTrue(plan(NO_ENV, line.split(" ")).isPresent(), line);
        }
    }

    @Test
    void whatNeedsThisProcessStaysHere() {
        for (String line : List.of("chat bob", "listen", "inbox --follow", "id new", "id export --out f", "unlock",
                "lock", "contact add bob 0x01", "send bob hi --password-stdin", "send bob hi --password-file=p",
                "sessions --help", "sessions -h", "sessions -hV", "sessions -Vh", "--version",
                "--home /a id show --home /b", "--rpc http://a lookup bob --rpc=http://b", "send bob -- -x", "@args", "", "--home")) {
            assertEquals(Optional.empty(), plan(NO_ENV, line.isEmpty() ? new String[0] : line.split(" ")), line);
        }
        // A peerkey setting the agent would not see (a test clock, say) keeps the command here.
        assertEquals(Optional.empty(), plan(Map.of("PEERKEY_TEST_CLOCK_OFFSET", "1"), "sessions"));
        assertEquals(Optional.empty(), plan(Map.of("PEERKEY_RPC", ""), "sessions"));
        // A path no file system takes is left to the command line to refuse.
        assertEquals(java.util.OptionalInt.empty(), AgentRun.inAgent(new String[] {"--home", "a\0b", "sessions"}, NO_ENV));
    }

    @Test
    void settingsBecomeOptionsAndTheHomeIsTakenOut() {
        AgentRun.Plan plan = plan(Map.of("PEERKEY_HOME", "rel/home", "PEERKEY_RPC", "http://127.0.0.1:1",
                "PEERKEY_PASSWORD", "not handed over", "PATH", "/bin"), "--chain-dir", "chains", "send", "bob", "hi")
                .orElseThrow();
        assertEquals(Path.of("rel/home").toAbsolutePath(), plan.home());
        assertTrue(plan.args().contains("--rpc=http://127.0.0.1:1"), plan.args()::toString);
        assertTrue(plan.args().contains("--chain-dir=" + Path.of("chains").toAbsolutePath()), plan.args()::toString);
        assertEquals(List.of("send", "bob", "hi"), plan.args().subList(2, 5));
        assertTrue(plan.args().stream().noneMatch(a -> a.contains("home") || a.contains("not handed over")));
        // The command line's own values win over the environment's.
        AgentRun.Plan own = plan(Map.of("PEERKEY_HOME", "/env", "PEERKEY_RPC", "http://env"), "--home=/given",
                "lookup", "bob", "--rpc", "http://given").orElseThrow();
        assertEquals(Path.of("/given"), own.home());
        assertEquals(List.of("--rpc=http://given", "lookup", "bob"), own.args());
    }
}
