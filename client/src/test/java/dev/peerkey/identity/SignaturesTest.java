package dev.peerkey.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.peerkey.PeerkeyException;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;

class SignaturesTest {
    private static final BigInteger N = IdentityKeyTest.N;
    private final IdentityKey key = IdentityKeyTest.hardhat0();
    private final byte[] digest = Hash.sha3("peerkey test message".getBytes(StandardCharsets.UTF_8));

    private static String error(byte[] digest, byte[] sig) {
        return assertThrows(InvalidSignatureException.class, () -> Signatures.recover(digest, sig)).getMessage();
    }

    @Test
    void signAndRecoverRoundTrip() {
        for (int i = 0; i < 20; i++) {
            IdentityKey k = i == 0 ? key : IdentityKey.generate();
            byte[] d = Hash.sha3(new byte[] {(byte) i});
            byte[] sig = k.signatureBytes(d);
            assertEquals(65, sig.length);
            assertTrue(sig[64] == 27 || sig[64] == 28, "v = " + sig[64]);
            assertTrue(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64)).compareTo(N.shiftRight(1)) <= 0);
            assertEquals(k.publicKey(), Signatures.recover(d, sig));
        }
    }

    @Test
    void signatureDataAndBytesAgree() {
        Sign.SignatureData data = key.signDigest(digest);
        byte[] sig = key.signatureBytes(digest);
        assertArrayEquals(data.getR(), Arrays.copyOfRange(sig, 0, 32));
        assertArrayEquals(data.getS(), Arrays.copyOfRange(sig, 32, 64));
        assertEquals(data.getV()[0], sig[64]);
    }

    @Test
    void signsTheDigestAsIsWithoutPrefixOrRehash() {
        // Verify with BouncyCastle's plain ECDSA over the same 32 bytes: no Ethereum prefix.
        byte[] sig = key.signatureBytes(digest);
        X9ECParameters p = CustomNamedCurves.getByName("secp256k1");
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(key.publicKey().point(),
                new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH())));
        assertTrue(verifier.verifySignature(digest,
                new BigInteger(1, Arrays.copyOfRange(sig, 0, 32)),
                new BigInteger(1, Arrays.copyOfRange(sig, 32, 64))));
    }

    @Test
    void aDifferentDigestRecoversADifferentKey() {
        byte[] sig = key.signatureBytes(digest);
        byte[] other = digest.clone();
        other[0] ^= 1;
        assertNotEquals(key.publicKey(), Signatures.recover(other, sig));
    }

    @Test
    void highSIsRejected() {
        byte[] sig = key.signatureBytes(digest);
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        byte[] twin = sig.clone();
        // The malleable twin (n - s, flipped v) is valid ECDSA, but the chain refuses it; so do we.
        System.arraycopy(Secp256k1.toBytes(N.subtract(s), 32), 0, twin, 32, 32);
        twin[64] = (byte) (sig[64] == 27 ? 28 : 27);
        assertEquals("signature s is not canonical (high s)", error(digest, twin));
    }

    @Test
    void malformedSignaturesAreRejected() {
        byte[] sig = key.signatureBytes(digest);
        assertEquals("a signature must be 65 bytes (r, s, v), got 64", error(digest, Arrays.copyOf(sig, 64)));
        assertEquals("a signature must be 65 bytes (r, s, v), got 66", error(digest, Arrays.copyOf(sig, 66)));
        assertEquals("a signature must be 65 bytes (r, s, v), got 0", error(digest, null));
        assertEquals("a signed digest must be 32 bytes, got 31", error(Arrays.copyOf(digest, 31), sig));

        byte[] v0 = sig.clone();
        v0[64] = 0;
        assertEquals("signature v must be 27 or 28, got 0", error(digest, v0));
        byte[] v29 = sig.clone();
        v29[64] = 29;
        assertEquals("signature v must be 27 or 28, got 29", error(digest, v29));

        byte[] r0 = sig.clone();
        Arrays.fill(r0, 0, 32, (byte) 0);
        assertEquals("signature r is out of range", error(digest, r0));
        byte[] rN = sig.clone();
        System.arraycopy(Secp256k1.toBytes(N, 32), 0, rN, 0, 32);
        assertEquals("signature r is out of range", error(digest, rN));
        byte[] s0 = sig.clone();
        Arrays.fill(s0, 32, 64, (byte) 0);
        assertEquals("signature s is out of range", error(digest, s0));
    }

    @Test
    void anRThatIsNoCurveXRecoversNothing() {
        byte[] sig = key.signatureBytes(digest);
        byte[] bad = sig.clone();
        Arrays.fill(bad, 0, 32, (byte) 0);
        bad[31] = 5; // x = 5 is not the x of any point
        assertEquals("signature does not recover to a public key", error(digest, bad));
    }

    @Test
    void signingRejectsAWrongDigestLength() {
        PeerkeyException e = assertThrows(PeerkeyException.class, () -> key.signDigest(new byte[33]));
        assertEquals("a digest to sign must be 32 bytes, got 33", e.getMessage());
        IdentityKeyTest.assertNoSecret(e.getMessage(), IdentityKeyTest.HARDHAT0_KEY);
    }
}
