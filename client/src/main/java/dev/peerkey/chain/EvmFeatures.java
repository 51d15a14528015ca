package dev.peerkey.chain;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.utils.Numeric;

/**
 * The EVM opcodes added by upgrades since Byzantium that compiled contracts may use, and a check, before a
 * deployment spends gas, that a node runs every one its bytecode contains. Each check is an {@code eth_call}
 * without a recipient (creation code run as a simulation, so nothing is sent) that executes the opcode and
 * then returns the byte 0x2a; a node that lacks the opcode answers with an error ("invalid opcode") or with
 * anything else.
 */
public final class EvmFeatures {
    /** An opcode added by an upgrade, and creation code that executes it (its operands pushed first). */
    public enum Feature {
        SHL(0x1b, "EIP-145", "Constantinople", "600160011b50"),
        SHR(0x1c, "EIP-145", "Constantinople", "600160011c50"),
        SAR(0x1d, "EIP-145", "Constantinople", "600160011d50"),
        CLZ(0x1e, "EIP-7939", "Osaka", "60011e50"),
        EXTCODEHASH(0x3f, "EIP-1052", "Constantinople", "60003f50"),
        CHAINID(0x46, "EIP-1344", "Istanbul", "4650"),
        SELFBALANCE(0x47, "EIP-1884", "Istanbul", "4750"),
        BASEFEE(0x48, "EIP-3198", "London", "4850"),
        BLOBHASH(0x49, "EIP-4844", "Cancun", "60004950"),
        BLOBBASEFEE(0x4a, "EIP-7516", "Cancun", "4a50"),
        TLOAD(0x5c, "EIP-1153", "Cancun", "60005c50"),
        TSTORE(0x5d, "EIP-1153", "Cancun", "600060005d"),
        MCOPY(0x5e, "EIP-5656", "Cancun", "6000600060005e"),
        PUSH0(0x5f, "EIP-3855", "Shanghai", "5f50"),
        CREATE2(0xf5, "EIP-1014", "Constantinople", "6000600060006000f550");

        /** Stores 0x2a in memory and returns that one byte: the sign that the opcode before it ran. */
        private static final String RETURN_MARK = "602a60005360016000f3";

        private final int opcode;
        private final String eip;
        private final String upgrade;
        private final String probe;

        Feature(int opcode, String eip, String upgrade, String exercise) {
            this.opcode = opcode;
            this.eip = eip;
            this.upgrade = upgrade;
            this.probe = "0x" + exercise + RETURN_MARK;
        }

        public int opcode() {
            return opcode;
        }

        /** The upgrade (hard fork) that added the opcode, e.g. Shanghai. */
        public String upgrade() {
            return upgrade;
        }

        /** The creation code that runs the opcode and returns 0x2a. */
        String probe() {
            return probe;
        }

        /** E.g. "PUSH0 (EIP-3855, Shanghai)". */
        public String describe() {
            return name() + " (" + eip + ", " + upgrade + ")";
        }

        static Feature of(int opcode) {
            for (Feature feature : values()) {
                if (feature.opcode == opcode) {
                    return feature;
                }
            }
            return null;
        }
    }

    private EvmFeatures() {
    }

    /**
     * The features whose opcodes {@code bytecode} (hex, with or without 0x) contains, found by walking it
     * instruction by instruction (skipping PUSH data) up to the Solidity metadata at its end.
     */
    public static Set<Feature> used(String bytecode) {
        byte[] code = Numeric.hexStringToByteArray(bytecode);
        int end = codeEnd(code);
        Set<Feature> used = EnumSet.noneOf(Feature.class);
        for (int pc = 0; pc < end; pc++) {
            int op = code[pc] & 0xff;
            if (op >= 0x60 && op <= 0x7f) {
                pc += op - 0x5f; // PUSH1..PUSH32 data is not code
                continue;
            }
            Feature feature = Feature.of(op);
            if (feature != null) {
                used.add(feature);
            }
        }
        return used;
    }

    /**
     * Where the code ends and Solidity's CBOR metadata begins: the last two bytes give the metadata's
     * length; code without a plausible length is walked to its end.
     */
    private static int codeEnd(byte[] code) {
        if (code.length < 2) {
            return code.length;
        }
        int metadata = ((code[code.length - 2] & 0xff) << 8) | (code[code.length - 1] & 0xff);
        int start = code.length - 2 - metadata;
        // The metadata is a CBOR map: 0xa1..0xb7 (a map of 1 to 23 entries).
        if (metadata > 0 && start >= 0 && (code[start] & 0xff) >= 0xa1 && (code[start] & 0xff) <= 0xb7) {
            return start;
        }
        return code.length;
    }

    /** The features among {@code features} that the node does not run (each probed with one eth_call). */
    public static List<Feature> missing(Chain chain, Set<Feature> features) {
        return probe(chain, features).stream().map(Refusal::feature).toList();
    }

    /** A feature the node did not run, and what it answered instead. */
    private record Refusal(Feature feature, String answer) { }

    private static List<Refusal> probe(Chain chain, Set<Feature> features) {
        List<Refusal> refused = new ArrayList<>();
        for (Feature feature : features) {
            EthCall answer = chain.sendRaw(chain.web3j().ethCall(
                    Transaction.createEthCallTransaction(null, null, feature.probe()),
                    DefaultBlockParameterName.LATEST));
            if (answer.hasError()) {
                refused.add(new Refusal(feature, String.valueOf(answer.getError().getMessage())));
            } else if (!"0x2a".equalsIgnoreCase(answer.getValue())) {
                refused.add(new Refusal(feature, "returned " + answer.getValue()));
            }
        }
        return refused;
    }

    /**
     * Checks, before anything is sent, that the node runs every upgrade opcode in {@code bytecode}.
     *
     * @param contract what is about to be deployed, for the message (e.g. "the identity registry")
     * @throws ChainException naming the missing opcodes, their EIPs and upgrades
     */
    public static void requireSupport(Chain chain, String contract, String bytecode) {
        List<Refusal> refused = probe(chain, used(bytecode));
        if (!refused.isEmpty()) {
            List<String> names = refused.stream().map(r -> r.feature().describe()).toList();
            String upgrades = String.join(", ", refused.stream().map(r -> r.feature().upgrade()).distinct().toList());
            String answer = refused.get(0).answer();
            throw new ChainException("the node at " + chain.rpcUrl() + " (chain " + chain.chainId() + ") cannot run "
                    + contract + ": it lacks " + String.join(", ", names) + "; use a node or chain with the "
                    + upgrades + " upgrade (nothing was sent; the node answered: "
                    + (answer.length() > 120 ? answer.substring(0, 120) + "…" : answer) + ")");
        }
    }
}
