package dev.peerkey.cli;

import dev.peerkey.PeerkeyException;
import dev.peerkey.chain.LocalChainState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The deployments already recorded for the chain in use (by chain id and genesis hash): the local
 * chain's record in the chain directory, which every profile without a record of its own uses, and
 * this profile's own. `deploy` refuses to replace them without --new and names whom they serve:
 * the profiles found next to this one (the directories beside its home that hold a profile.json).
 */
final class DeploymentRecords {
    private final String chainKey;
    private final Optional<LocalChainState> local;
    private final Optional<Profile.Deployment> own;
    private final Path chainDir;
    private final Path home;
    private final List<Path> usingLocal;

    private DeploymentRecords(String chainKey, Optional<LocalChainState> local, Optional<Profile.Deployment> own,
            Path chainDir, Path home, List<Path> usingLocal) {
        this.chainKey = chainKey;
        this.local = local;
        this.own = own;
        this.chainDir = chainDir;
        this.home = home;
        this.usingLocal = usingLocal;
    }

    static DeploymentRecords find(Context ctx) {
        String chainKey = ctx.chain().chainKey();
        String rpc = ctx.rpcUrl();
        Optional<LocalChainState> local = ctx.localChain().filter(state -> state.registry() != null)
                .filter(ctx::isThisChain);
        Path home = ctx.options.home.toAbsolutePath().normalize();
        Optional<Profile.Deployment> own = Profile.configAt(home).flatMap(c -> c.deploymentFor(chainKey, rpc));
        List<Path> usingLocal = new ArrayList<>();
        if (local.isPresent()) {
            for (Path profile : profilesNear(home)) {
                boolean hasOwn = Profile.configAt(profile).flatMap(c -> c.deploymentFor(chainKey, rpc)).isPresent();
                if (!hasOwn) {
                    usingLocal.add(profile);
                }
            }
        }
        return new DeploymentRecords(chainKey, local, own, ctx.options.chainDir.toAbsolutePath().normalize(), home,
                usingLocal);
    }

    boolean isEmpty() {
        return local.isEmpty() && own.isEmpty();
    }

    /** Whether this profile has a record of its own for this chain (which it would use before the local chain's). */
    boolean hasOwn() {
        return own.isPresent();
    }

    /** One line: what is recorded, for the error. */
    String describe() {
        String registry = own.map(Profile.Deployment::registry).orElseGet(() -> local.orElseThrow().registry());
        String messenger = own.map(Profile.Deployment::messenger).orElseGet(() -> local.orElseThrow().messenger());
        return "this chain (chain id " + chainKey.substring(0, chainKey.indexOf(':')) + ") already has a deployment:"
                + " registry " + registry + ", messenger " + messenger;
    }

    /** Whose records a new deployment replaces. */
    String replaced() {
        List<String> parts = new ArrayList<>();
        if (local.isPresent()) {
            parts.add("the local chain's record in " + chainDir.resolve("chain.json") + (usingLocal.isEmpty()
                    ? "" : ", used by the profile" + (usingLocal.size() > 1 ? "s " : " ")
                            + String.join(", ", usingLocal.stream().map(Path::toString).toList())));
        }
        if (own.isPresent()) {
            parts.add("the record of the profile " + home + " (in its profile.json)");
        }
        return String.join(" and ", parts);
    }

    /** This profile's home and the profiles beside it (sorted). */
    private static List<Path> profilesNear(Path home) {
        List<Path> found = new ArrayList<>();
        if (Files.isRegularFile(home.resolve("profile.json"))) {
            found.add(home);
        }
        Path parent = home.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return found;
        }
        try (Stream<Path> list = Files.list(parent)) {
            list.filter(p -> !p.equals(home) && Files.isRegularFile(p.resolve("profile.json"))).forEach(found::add);
        } catch (IOException e) {
            throw new PeerkeyException("cannot list " + parent + ": " + e.getMessage());
        }
        found.sort(null);
        return found;
    }
}
