package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.agent.Agent;
import dev.peerkey.agent.AgentServer;
import dev.peerkey.identity.IdentityKey;
import dev.peerkey.identity.PeerId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `peerkey unlock [--for 30m]`: starts the profile's unlock agent, which holds its keys until then or `lock`. */
@Command(name = "unlock", mixinStandardHelpOptions = true,
        description = {"Unlock the profile once: ask for its password (up to three tries), decrypt the current key"
                + " of each identity, the mailbox account's key and the store key, and hand them to a background"
                + " agent that holds them in memory until --for runs out or `peerkey lock`. Meanwhile every"
                + " command of this profile takes its keys from the agent and asks for no password.",
            "The agent listens on a Unix socket in the profile (" + Agent.DIRECTORY + "/" + Agent.SOCKET + ", mode"
                    + " 0600 in a 0700 directory) and answers only this profile's requests from this user's"
                    + " processes. Unlocking again replaces the running agent (and its deadline).",
            "Commands that write a key or the password (id new, id import, id passwd, rotate, recover) and"
                    + " id export still ask for the password.",
            "While unlocked, the agent also runs the profile's short commands itself (send, lookup, sessions,"
                    + " inbox without --follow, outbox, id show, id list, contact list), so that they start warm"
                    + " instead of in a new JVM. One that needs a key the agent lacks (an identity added since) or asks"
                    + " a question on the terminal runs in its own process, as without the agent."})
final class UnlockCommand implements Runnable {
    /** The longest an unlock lasts. */
    static final Duration MAX = Duration.ofDays(7);

    @Mixin
    GlobalOptions options;

    @Option(names = "--for", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "How long the keys stay unlocked (e.g. 30m, 8h; at most 7d; default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Override
    public void run() {
        if (duration.compareTo(MAX) > 0) {
            throw new UsageException("--for is at most 7d");
        }
        try (Context ctx = new Context(options)) {
            Profile profile = ctx.profile();
            List<PeerId> ids = profile.identities();
            if (ids.isEmpty()) {
                throw new PeerkeyException("profile " + options.home + " has no identity yet: create one with `peerkey id new`");
            }
            char[] password = ctx.password(false);
            List<byte[]> secrets = new ArrayList<>();
            byte[] store = null;
            try {
                // The store key first: a wrong password must stop before anything (a mailbox account) is made.
                store = profile.unlockStore(password).bytes();
                // Then one scrypt per key, side by side.
                List<CompletableFuture<IdentityKey>> keys = new ArrayList<>();
                for (PeerId id : ids) {
                    keys.add(CompletableFuture.supplyAsync(() -> profile.currentKey(id, password)));
                }
                PeerId like = profile.identity(null);
                keys.add(CompletableFuture.supplyAsync(
                        () -> MailboxAccount.loadOrCreate(profile, like, password, ctx.out::progress)));
                for (CompletableFuture<IdentityKey> key : keys) {
                    secrets.add(privateKey(join(key)));
                }
                Agent agent = ctx.agent();
                if (agent.lock()) {
                    waitUntilGone(Agent.socket(options.home));
                }
                Instant until = Instant.now().plus(duration);
                start(options.home, until, store, secrets);
                var fields = Output.fields();
                fields.put("profile", options.home.toString());
                fields.put("until", until.toString());
                fields.put("keys", secrets.size());
                if (ctx.out.json()) {
                    ctx.out.result(fields);
                } else {
                    ctx.out.text("unlocked " + options.home + " until "
                            + DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault()).format(until)
                            + " (" + secrets.size() + " keys); `peerkey lock` locks it now");
                }
            } finally {
                secrets.forEach(s -> Arrays.fill(s, (byte) 0));
                if (store != null) {
                    Arrays.fill(store, (byte) 0);
                }
            }
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static byte[] privateKey(IdentityKey key) {
        byte[] k = new byte[32];
        byte[] raw = key.credentials().getEcKeyPair().getPrivateKey().toByteArray();
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, k, 32 - n, n);
        Arrays.fill(raw, (byte) 0);
        return k;
    }

    /** A locked agent removes its socket as it exits. */
    private static void waitUntilGone(Path socket) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(socket) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Starts the agent as a process of its own (in a session of its own where setsid exists, so that
     * closing the terminal leaves it running) and hands it the keys through its stdin.
     */
    private static void start(Path home, Instant until, byte[] store, List<byte[]> keys) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                command.add(setsid);
                break;
            }
        }
        command.add(java);
        // The agent works in its private directory (0700), and a crash report (hs_err: its command line,
        // environment, registers and stack words) goes there too, not into whichever directory `unlock`
        // was run from; no core dump, no heap dump.
        Path agentDir;
        try {
            agentDir = Agent.directory(home);
        } catch (IOException e) {
            throw new PeerkeyException("cannot make the unlock agent's directory: " + e.getMessage());
        }
        command.add("-XX:ErrorFile=" + agentDir.toString().replace("%", "%%") + "/hs_err_pid%p.log"); // %p: its pid
        command.add("-XX:-HeapDumpOnOutOfMemoryError");
        // The launcher's AOT cache (JDK 25) holds the classes the commands the agent runs will load.
        ProcessHandle.current().info().arguments().ifPresent(args -> Arrays.stream(args)
                .filter(arg -> arg.startsWith("-XX:AOTCache=")).forEach(command::add));
        // The agent also runs the profile's short commands (AgentRun): room for a few at once.
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xlog:disable",
                "-XX:-UsePerfData", "-XX:+DisableAttachMechanism", "-XX:-CreateCoredumpOnCrash",
                "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(),
                home.toAbsolutePath().toString(), Long.toString(until.toEpochMilli())));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .directory(agentDir.toFile());
            // The agent lives for hours: it must not keep PEERKEY_PASSWORD (or any of ours) in its environment.
            builder.environment().keySet().removeIf(name -> name.startsWith("PEERKEY_"));
            process = builder.start();
        } catch (IOException e) {
            throw new PeerkeyException("cannot start the unlock agent: " + e.getMessage());
        }
        try (OutputStream in = process.getOutputStream()) {
            AgentServer.writeSecrets(in, store, keys);
        } catch (IOException e) {
            process.destroy();
            throw new PeerkeyException("the unlock agent did not start (it took no keys)");
        }
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
        } catch (IOException e) {
            line = null;
        }
        if (!AgentServer.READY.equals(line)) {
            process.destroy();
            throw new PeerkeyException("the unlock agent did not start"
                    + (line != null && line.startsWith("error: ") ? ": " + line.substring(7) : ""));
        }
    }

}
