package dev.peerkey.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The commands a client process hands to its unlock agent run in the agent's threads, several at a
 * time: this is what such a thread knows of its client. A command's {@link Output} is bound to its
 * client's streams when made; stray writes to System.out and System.err go to the client of the
 * thread that writes (threads a command starts inherit it), and whatever needs the
 * client's own process (a password, a question on its terminal) stops the command with
 * {@link RunHere}, so that the client runs it itself.
 */
final class InAgent {
    private static final InheritableThreadLocal<Client> CLIENT = new InheritableThreadLocal<>();

    /** The client of one command: whether it sits at a terminal, its streams, and whether it must run the command. */
    static final class Client {
        final boolean terminal;
        final PrintStream out;
        final PrintStream err;
        volatile boolean runHere;

        Client(boolean terminal, PrintStream out, PrintStream err) {
            this.terminal = terminal;
            this.out = out;
            this.err = err;
        }
    }

    /** Thrown where a command running in the agent needs its client's own process; nothing was done yet. */
    static final class RunHere extends RuntimeException {
        RunHere(String why) {
            super(why, null, false, false);
            Client client = CLIENT.get();
            if (client != null) {
                client.runHere = true; // even if some caller swallows this exception
            }
        }
    }

    private InAgent() {
    }

    /** Whether this thread runs a command for a client of the agent. */
    static boolean active() {
        return CLIENT.get() != null;
    }

    /**
     * Whether a person is at the client's terminal. At a terminal the command is handed back (the
     * question must be asked there), else it goes on as without a terminal.
     */
    static boolean interactive() {
        if (CLIENT.get().terminal) {
            throw new RunHere("a question on the terminal");
        }
        return false;
    }

    /** The standard output of this thread's command: its client's in the agent, else System.out. */
    static PrintStream stdout() {
        Client client = CLIENT.get();
        return client == null ? System.out : client.out;
    }

    /** The standard error of this thread's command: its client's in the agent, else System.err. */
    static PrintStream stderr() {
        Client client = CLIENT.get();
        return client == null ? System.err : client.err;
    }

    static void enter(Client client) {
        CLIENT.set(client);
    }

    static void leave() {
        CLIENT.remove();
    }

    /** Routes System.out and System.err to the client of the writing thread; other threads' output is dropped. */
    static void routeStandardStreams() {
        System.setOut(new PrintStream(new Routed(false), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Routed(true), true, StandardCharsets.UTF_8));
    }

    private static final class Routed extends OutputStream {
        private final boolean err;

        Routed(boolean err) {
            this.err = err;
        }

        private PrintStream target() {
            Client client = CLIENT.get();
            return client == null ? null : err ? client.err : client.out;
        }

        @Override
        public void write(int b) {
            PrintStream target = target();
            if (target != null) {
                target.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            PrintStream target = target();
            if (target != null) {
                target.write(b, off, len);
            }
        }

        @Override
        public void flush() {
            PrintStream target = target();
            if (target != null) {
                target.flush();
            }
        }
    }
}
