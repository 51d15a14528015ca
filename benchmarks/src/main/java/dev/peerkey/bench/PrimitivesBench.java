package dev.peerkey.bench;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The choice behind the session package's primitives: the JDK's HMAC-SHA256, AES-GCM and
 * X25519 against BouncyCastle's lightweight ones, each with a fresh key per operation as the
 * ratchet uses them (one key per message).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PrimitivesBench {
    private final byte[] key = new byte[32];
    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[137];
    private final byte[] plaintext = new byte[100];
    private final byte[] out = new byte[116];
    private Mac jdkMac;
    private Cipher jdkGcm;
    private HMac bcMac;
    private GCMModeCipher bcGcm;
    private final byte[] peerPublic = new byte[32];
    private final byte[] shared = new byte[32];
    private KeyPairGenerator jdkKeyGen;
    private KeyAgreement jdkAgreement;
    private PrivateKey jdkPrivate;
    private PublicKey jdkPeer;
    private int counter;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        new SecureRandom().nextBytes(key);
        jdkMac = Mac.getInstance("HmacSHA256");
        jdkGcm = Cipher.getInstance("AES/GCM/NoPadding");
        bcMac = new HMac(new SHA256Digest());
        bcGcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        X25519.generatePublicKey(key, 0, peerPublic, 0);
        jdkKeyGen = KeyPairGenerator.getInstance("X25519");
        jdkAgreement = KeyAgreement.getInstance("X25519");
        jdkPrivate = jdkKeyGen.generateKeyPair().getPrivate();
        jdkPeer = jdkKeyGen.generateKeyPair().getPublic();
    }

    /** A different key each call, like the chain and message keys. */
    private void nextKey() {
        key[0] = (byte) ++counter;
        key[1] = (byte) (counter >>> 8);
    }

    @Benchmark
    public byte[] x25519AgreeBouncyCastle() {
        nextKey();
        X25519.scalarMult(key, 0, peerPublic, 0, shared, 0);
        return shared;
    }

    @Benchmark
    public byte[] x25519KeyGenBouncyCastle() {
        nextKey();
        X25519.scalarMultBase(key, 0, shared, 0);
        return shared;
    }

    @Benchmark
    public byte[] x25519AgreeJdk() throws GeneralSecurityException {
        jdkAgreement.init(jdkPrivate);
        jdkAgreement.doPhase(jdkPeer, true);
        return jdkAgreement.generateSecret();
    }

    @Benchmark
    public KeyPair x25519KeyGenJdk() {
        return jdkKeyGen.generateKeyPair();
    }

    @Benchmark
    public byte[] hmacJdk() throws GeneralSecurityException {
        nextKey();
        jdkMac.init(new SecretKeySpec(key, "HmacSHA256"));
        jdkMac.update((byte) 1);
        return jdkMac.doFinal();
    }

    @Benchmark
    public byte[] hmacBouncyCastle() {
        nextKey();
        bcMac.init(new KeyParameter(key));
        bcMac.update((byte) 1);
        byte[] result = new byte[32];
        bcMac.doFinal(result, 0);
        return result;
    }

    @Benchmark
    public byte[] gcmSeal100Jdk() throws GeneralSecurityException {
        nextKey();
        jdkGcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        jdkGcm.updateAAD(aad);
        jdkGcm.doFinal(plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    @Benchmark
    public byte[] gcmSeal100BouncyCastle() throws InvalidCipherTextException {
        nextKey();
        bcGcm.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        int n = bcGcm.processBytes(plaintext, 0, plaintext.length, out, 0);
        bcGcm.doFinal(out, n);
        return out;
    }
}
