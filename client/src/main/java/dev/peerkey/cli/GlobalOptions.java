package dev.peerkey.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes, each also read from an environment variable. */
final class GlobalOptions {
    @Option(names = "--home", paramLabel = "DIR", defaultValue = "${env:PEERKEY_HOME:-${sys:user.home}/.peerkey}",
            description = "Profile directory: keystore and settings (env PEERKEY_HOME; default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--rpc", paramLabel = "URL", defaultValue = "${env:PEERKEY_RPC}",
            description = "JSON-RPC URL of the chain node (env PEERKEY_RPC; default: the local chain from"
                    + " `peerkey chain start`).")
    String rpc;

    @Option(names = "--registry", paramLabel = "ADDRESS", defaultValue = "${env:PEERKEY_REGISTRY}",
            description = "Address of the identity registry (env PEERKEY_REGISTRY; default: the one"
                    + " `peerkey deploy` recorded).")
    String registry;

    @Option(names = "--messenger", paramLabel = "ADDRESS", defaultValue = "${env:PEERKEY_MESSENGER}",
            description = "Address of the messenger contract (env PEERKEY_MESSENGER; default: the one"
                    + " `peerkey deploy` recorded).")
    String messenger;

    @Option(names = "--password-file", paramLabel = "FILE", defaultValue = "${env:PEERKEY_PASSWORD_FILE}",
            description = "Read the keystore password from FILE (env PEERKEY_PASSWORD_FILE); else env"
                    + " PEERKEY_PASSWORD, else a prompt.")
    Path passwordFile;

    @Option(names = "--password-stdin", description = "Read the keystore password from the first line of standard input.")
    boolean passwordStdin;

    @Option(names = "--chain-dir", paramLabel = "DIR",
            defaultValue = "${env:PEERKEY_CHAIN_DIR:-${sys:user.home}/.peerkey/chain}",
            description = "Where `chain start` records the local chain (env PEERKEY_CHAIN_DIR;"
                    + " default: ${DEFAULT-VALUE}).")
    Path chainDir;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
    boolean json;
}
