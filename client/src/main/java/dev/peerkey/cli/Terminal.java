package dev.peerkey.cli;

import java.io.Console;

/** Whether a person is at a terminal, to whom something secret may be shown once. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True if the process runs on a terminal. Since JDK 22 {@link System#console()} exists even
     * when the streams are redirected; Console.isTerminal (22+) tells the two apart. In the unlock
     * agent, the client's terminal counts ({@link InAgent}).
     */
    static boolean interactive() {
        if (InAgent.active()) {
            return InAgent.interactive();
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console is only returned for a terminal
        }
    }
}
