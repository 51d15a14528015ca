package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peerkey.chain.EvmFeatures.Feature;
import dev.peerkey.registry.generated.IdentityRegistry;
import dev.peerkey.transport.generated.Messenger;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvmFeaturesTest {
    @Test
    void findsOpcodesAndSkipsPushData() {
        assertEquals(EnumSet.of(Feature.PUSH0, Feature.MCOPY), EvmFeatures.used("0x5f5e00"));
        // 0x5f and 0x5e inside PUSH2 data are not instructions.
        assertEquals(Set.of(), EvmFeatures.used("0x615f5e00"));
        // PUSH32 skips 32 bytes, then CHAINID.
        assertEquals(EnumSet.of(Feature.CHAINID), EvmFeatures.used("0x7f" + "5f".repeat(32) + "46"));
    }

    @Test
    void ignoresTheSolidityMetadataAtTheEnd() {
        // STOP, then a 3-byte CBOR map {…} whose bytes include 0x5f, then its length 0x0003.
        assertEquals(Set.of(), EvmFeatures.used("0x00" + "a15f5e" + "0003"));
        // Without a plausible CBOR map the whole code is walked.
        assertEquals(EnumSet.of(Feature.PUSH0), EvmFeatures.used("0x005f0001"));
    }

    @Test
    void theContractsAreBuiltForShanghai() {
        for (String code : new String[] {IdentityRegistry.BINARY, Messenger.BINARY}) {
            Set<Feature> used = EvmFeatures.used(code);
            assertTrue(used.contains(Feature.PUSH0), "built for Shanghai or later: " + used);
            for (Feature feature : used) {
                assertFalse(feature.upgrade().equals("Cancun") || feature.upgrade().equals("Osaka"),
                        feature.describe() + " needs an upgrade after Shanghai");
            }
        }
    }

    @Test
    void describesTheFeatureByEipAndUpgrade() {
        assertEquals("PUSH0 (EIP-3855, Shanghai)", Feature.PUSH0.describe());
        assertEquals("MCOPY (EIP-5656, Cancun)", Feature.MCOPY.describe());
    }
}
