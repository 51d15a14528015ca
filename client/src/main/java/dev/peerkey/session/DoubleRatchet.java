package dev.peerkey.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

import javax.crypto.AEADBadTagException;

/**
 * One side of an end-to-end encrypted conversation: Signal's Double Ratchet (revision 4,
 * without header encryption) over X25519, HMAC-SHA256, HKDF-SHA256 and AES-256-GCM.
 *
 * <h2>Key schedule</h2>
 * <ul>
 *   <li>KDF_RK(rk, dh) = HKDF-SHA256(salt = rk, ikm = dh, info = "peerkey/ratchet/root"),
 *       64 bytes: the new root key, then the new chain key.</li>
 *   <li>KDF_CK(ck): message key = HMAC-SHA256(ck, 0x01), next chain key = HMAC-SHA256(ck, 0x02).</li>
 *   <li>Per message: HKDF-SHA256(no salt, ikm = message key, info = "peerkey/ratchet/message"),
 *       44 bytes: the AES-256 key, then the 12-byte GCM nonce. Every message key is used for
 *       exactly one message, so a nonce derived from it never repeats under its key.</li>
 *   <li>GCM associated data = the session's associated data (fixed at creation; it should bind
 *       both identities and the handshake transcript) followed by the envelope header.</li>
 * </ul>
 * The wire format is described in {@link Envelope}.
 *
 * <h2>Persistence: never reuse a message key</h2>
 * {@link #encrypt} advances the sending chain in memory only. The caller must store
 * {@link #toBytes()} durably <em>before</em> handing the envelope to any transport. If it sent
 * first and crashed before storing, the restored older state would encrypt the next message
 * under the same key and nonce as one already sent, which breaks AES-GCM. Likewise store the
 * state after {@link #decrypt} together with the plaintext, so a message is never lost and its
 * key is never kept longer than needed.
 *
 * <h2>Failures</h2>
 * {@link #decrypt} either returns the plaintext and advances the state, or throws a
 * {@link MessageRejectedException} and leaves the state exactly as it was: all derivations run
 * on temporary values that are committed only after the AES-GCM tag has verified.
 *
 * <p>Out-of-order messages are accepted up to {@value #MAX_SKIP} positions ahead of a
 * receiving chain; the keys skipped over are kept, at most {@value #MAX_SKIPPED_KEYS} in all,
 * oldest discarded first, and for at most {@link #SKIPPED_KEY_LIFETIME}: older ones are dropped
 * whenever the state is loaded or saved, so a stolen state holds no key of a long-lost message. A message whose key is gone is reported as a replay as long as its
 * chain is among the peer's last {@value #MAX_PREVIOUS_RATCHET_KEYS} ratchet keys, and as
 * tampered beyond that (it can no longer be told apart from a forgery). Methods are
 * synchronized, so one instance may be shared between a sending and a receiving thread.
 */
public final class DoubleRatchet {
    /** How far ahead of a receiving chain a message may be. */
    public static final int MAX_SKIP = 1000;
    /** How many skipped message keys a session keeps at most. */
    public static final int MAX_SKIPPED_KEYS = 2000;
    /**
     * How many of the peer's earlier ratchet public keys are remembered, so that a replay of
     * an older chain's message is reported as a replay rather than as tampering.
     */
    public static final int MAX_PREVIOUS_RATCHET_KEYS = 64;
    /** Bounds the associated data (it is stored with a 16-bit length). */
    public static final int MAX_ASSOCIATED_DATA = 0xFFFF;
    /** How long a skipped message key is kept: a message later than this counts as lost. */
    public static final Duration SKIPPED_KEY_LIFETIME = Duration.ofDays(7);

    /** Version 2 added the skipped keys' storage times. */
    private static final int STATE_VERSION = 2;
    private static final int HAS_THEIR_KEY = 0x01;
    private static final int HAS_SENDING_CHAIN = 0x02;
    private static final int HAS_RECEIVING_CHAIN = 0x04;
    private static final int KEY = RatchetCrypto.KEY_SIZE;

    private final byte[] associatedData;
    /** Stamps skipped keys and tells which are too old. */
    private final Clock clock;
    private final SkippedKeys skippedKeys = new SkippedKeys(MAX_SKIPPED_KEYS);
    /** Oldest first. */
    private final ArrayDeque<byte[]> previousRatchetKeys = new ArrayDeque<>();
    private RatchetKeyPair ourRatchetKey;
    /** Null until the responder receives its first message. */
    private byte[] theirRatchetKey;
    private byte[] rootKey;
    /** Null until the responder receives its first message. */
    private byte[] sendingChainKey;
    /** Null until the initiator receives its first message. */
    private byte[] receivingChainKey;
    private long sendCount;          // Ns
    private long receiveCount;       // Nr
    private long previousSendCount;  // PN

    private DoubleRatchet(byte[] associatedData, RatchetKeyPair ourRatchetKey, byte[] rootKey, Clock clock) {
        this.associatedData = associatedData;
        this.clock = clock;
        this.ourRatchetKey = ourRatchetKey;
        this.rootKey = rootKey;
    }

    /**
     * The side that sends first (RatchetInitAlice).
     *
     * @param sharedSecret the 32-byte secret agreed by the handshake
     * @param responderRatchetPublicKey the responder's 32-byte X25519 ratchet public key
     * @param associatedData bytes that bind the session to its parties, e.g. both identity IDs
     *     and the transcript hash; both sides must give the same bytes
     */
    public static DoubleRatchet initiator(byte[] sharedSecret, byte[] responderRatchetPublicKey,
            byte[] associatedData) {
        return initiator(sharedSecret, responderRatchetPublicKey, associatedData, null);
    }

    /** As above with a chosen first ratchet key pair (null: a fresh one), so tests can recompute the keys. */
    static DoubleRatchet initiator(byte[] sharedSecret, byte[] responderRatchetPublicKey, byte[] associatedData,
            RatchetKeyPair firstRatchetKey) {
        checkInit(sharedSecret, associatedData);
        Objects.requireNonNull(responderRatchetPublicKey, "responderRatchetPublicKey");
        if (responderRatchetPublicKey.length != RatchetKeyPair.KEY_SIZE) {
            throw new SessionException("the responder's ratchet public key must be 32 bytes, got "
                    + responderRatchetPublicKey.length);
        }
        RatchetKeyPair ours = firstRatchetKey != null ? firstRatchetKey : RatchetKeyPair.generate();
        byte[] dh = ours.agree(responderRatchetPublicKey, 0);
        if (dh == null) {
            throw new SessionException("the responder's ratchet public key is a low-order point and cannot be used");
        }
        byte[] rootAndChain = RatchetCrypto.kdfRoot(sharedSecret, dh);
        Arrays.fill(dh, (byte) 0);
        DoubleRatchet r = new DoubleRatchet(associatedData.clone(), ours, Arrays.copyOfRange(rootAndChain, 0, KEY),
                Clock.systemUTC());
        r.sendingChainKey = Arrays.copyOfRange(rootAndChain, KEY, 2 * KEY);
        r.theirRatchetKey = responderRatchetPublicKey.clone();
        Arrays.fill(rootAndChain, (byte) 0);
        return r;
    }

    /**
     * The side that receives first (RatchetInitBob). It cannot {@link #encrypt} until it has
     * decrypted the initiator's first message, which carries the initiator's ratchet key.
     *
     * @param responderRatchetKey the pair whose public half the initiator was given
     */
    public static DoubleRatchet responder(byte[] sharedSecret, RatchetKeyPair responderRatchetKey,
            byte[] associatedData) {
        checkInit(sharedSecret, associatedData);
        Objects.requireNonNull(responderRatchetKey, "responderRatchetKey");
        return new DoubleRatchet(associatedData.clone(), responderRatchetKey, sharedSecret.clone(), Clock.systemUTC());
    }

    private static void checkInit(byte[] sharedSecret, byte[] associatedData) {
        Objects.requireNonNull(sharedSecret, "sharedSecret");
        Objects.requireNonNull(associatedData, "associatedData");
        if (sharedSecret.length != KEY) {
            throw new SessionException("the shared secret must be 32 bytes, got " + sharedSecret.length);
        }
        if (associatedData.length == 0 || associatedData.length > MAX_ASSOCIATED_DATA) {
            throw new SessionException("the associated data must be 1 to " + MAX_ASSOCIATED_DATA
                    + " bytes (it binds the session to both identities), got " + associatedData.length);
        }
    }

    /**
     * Encrypts one message under a fresh message key and returns the complete envelope.
     * Persist {@link #toBytes()} before sending the envelope (see the class documentation).
     *
     * @throws SessionException if this is a responder that has not received a message yet
     */
    public synchronized byte[] encrypt(byte[] plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        if (sendingChainKey == null) {
            throw new SessionException(
                    "cannot send yet: the responder sends only after decrypting the initiator's first message");
        }
        if (sendCount >= Envelope.MAX_COUNTER) {
            throw new SessionException("the sending chain is exhausted; the peer must reply before more can be sent");
        }
        if (plaintext.length > Integer.MAX_VALUE - 2 * Envelope.OVERHEAD) {
            throw new SessionException("the message is too large for one envelope");
        }
        byte[] messageKey = new byte[KEY];
        byte[] nextChainKey = new byte[KEY];
        RatchetCrypto.kdfChain(sendingChainKey, messageKey, nextChainKey);
        try {
            byte[] envelope = Envelope.allocate(plaintext.length);
            Envelope.writeHeader(envelope, ourRatchetKey.publicKeyRef(), previousSendCount, sendCount);
            RatchetCrypto.seal(messageKey, associatedData, envelope, Envelope.HEADER_SIZE, plaintext);
            Arrays.fill(sendingChainKey, (byte) 0);
            sendingChainKey = nextChainKey;
            sendCount++;
            return envelope;
        } catch (RuntimeException e) {
            Arrays.fill(nextChainKey, (byte) 0);
            throw e;
        } finally {
            Arrays.fill(messageKey, (byte) 0);
        }
    }

    /**
     * Authenticates and decrypts one envelope.
     *
     * @throws MalformedEnvelopeException if it is truncated or of an unsupported version
     * @throws TamperedMessageException if it does not authenticate under this session
     * @throws ReplayedMessageException if its message was already decrypted or its key discarded
     * @throws MessageWindowException if it is more than {@value #MAX_SKIP} messages ahead
     */
    public synchronized byte[] decrypt(byte[] envelope) {
        Objects.requireNonNull(envelope, "envelope");
        Envelope env = Envelope.parse(envelope); // a private copy: the caller cannot change it mid-check
        byte[] senderKey = env.ratchetPublicKey();
        long n = env.messageNumber();

        byte[] skipped = skippedKeys.get(senderKey, n);
        if (skipped != null) {
            byte[] plaintext = open(skipped, env);
            skippedKeys.remove(senderKey, n);
            return plaintext;
        }
        if (theirRatchetKey != null && Arrays.equals(senderKey, theirRatchetKey)) {
            return decryptInCurrentChain(env, n);
        }
        for (byte[] previous : previousRatchetKeys) {
            if (Arrays.equals(senderKey, previous)) {
                throw replayed();
            }
        }
        return decryptInNewChain(env, senderKey, n);
    }

    private byte[] decryptInCurrentChain(Envelope env, long n) {
        if (receivingChainKey == null) {
            // The initiator's view of the responder's initial key: no message is ever sent under it.
            throw tampered(null);
        }
        if (n < receiveCount) {
            throw replayed();
        }
        checkWindow(receiveCount, n);
        ChainWalk walk = ChainWalk.walk(receivingChainKey, receiveCount, n);
        byte[] messageKey = new byte[KEY];
        byte[] nextChainKey = new byte[KEY];
        RatchetCrypto.kdfChain(walk.chainKey, messageKey, nextChainKey);
        byte[] plaintext;
        try {
            plaintext = open(messageKey, env);
        } catch (TamperedMessageException e) {
            walk.destroy();
            Arrays.fill(nextChainKey, (byte) 0);
            throw e;
        } finally {
            Arrays.fill(messageKey, (byte) 0);
        }
        // Authentic: commit.
        skippedKeys.add(theirRatchetKey, walk, clock.millis());
        Arrays.fill(walk.chainKey, (byte) 0);
        Arrays.fill(receivingChainKey, (byte) 0);
        receivingChainKey = nextChainKey;
        receiveCount = n + 1;
        return plaintext;
    }

    /** The peer has a new ratchet key: a DH ratchet step, committed only once the message authenticates. */
    private byte[] decryptInNewChain(Envelope env, byte[] senderKey, long n) {
        checkWindow(0, n);
        byte[] dh = ourRatchetKey.agree(senderKey, 0);
        if (dh == null) {
            throw tampered(null);
        }
        byte[] rootAndChain = RatchetCrypto.kdfRoot(rootKey, dh);
        Arrays.fill(dh, (byte) 0);
        byte[] newRootKey = Arrays.copyOfRange(rootAndChain, 0, KEY);
        byte[] newReceivingChain = Arrays.copyOfRange(rootAndChain, KEY, 2 * KEY);
        Arrays.fill(rootAndChain, (byte) 0);

        ChainWalk walk = ChainWalk.walk(newReceivingChain, 0, n);
        Arrays.fill(newReceivingChain, (byte) 0);
        byte[] messageKey = new byte[KEY];
        byte[] nextChainKey = new byte[KEY];
        RatchetCrypto.kdfChain(walk.chainKey, messageKey, nextChainKey);
        byte[] plaintext;
        try {
            plaintext = open(messageKey, env);
        } catch (TamperedMessageException e) {
            discard(walk, nextChainKey, newRootKey);
            throw e;
        } finally {
            Arrays.fill(messageKey, (byte) 0);
        }
        // PN is trusted only now that the header has authenticated.
        long pn = env.previousChainLength();
        ChainWalk oldChainTail = null;
        if (receivingChainKey != null && pn > receiveCount) {
            if (pn - receiveCount > MAX_SKIP) {
                discard(walk, nextChainKey, newRootKey);
                Arrays.fill(plaintext, (byte) 0);
                throw windowExceeded(pn - receiveCount);
            }
            oldChainTail = ChainWalk.walk(receivingChainKey, receiveCount, pn);
        }

        RatchetKeyPair nextRatchetKey = RatchetKeyPair.generate();
        byte[] dhSend = nextRatchetKey.agree(senderKey, 0);
        if (dhSend == null) {
            // Unreachable: only low-order points give zero, and this one did not with our previous key.
            discard(walk, nextChainKey, newRootKey);
            throw tampered(null);
        }
        byte[] rootAndSending = RatchetCrypto.kdfRoot(newRootKey, dhSend);
        Arrays.fill(dhSend, (byte) 0);
        Arrays.fill(newRootKey, (byte) 0);

        // Authentic and in the window: commit.
        if (theirRatchetKey != null) {
            if (oldChainTail != null) {
                skippedKeys.add(theirRatchetKey, oldChainTail, clock.millis());
                Arrays.fill(oldChainTail.chainKey, (byte) 0);
            }
            rememberPrevious(theirRatchetKey);
        }
        skippedKeys.add(senderKey, walk, clock.millis());
        Arrays.fill(walk.chainKey, (byte) 0);
        theirRatchetKey = senderKey;
        wipe(receivingChainKey);
        receivingChainKey = nextChainKey;
        receiveCount = n + 1;
        previousSendCount = sendCount;
        sendCount = 0;
        ourRatchetKey = nextRatchetKey;
        wipe(rootKey);
        rootKey = Arrays.copyOfRange(rootAndSending, 0, KEY);
        wipe(sendingChainKey);
        sendingChainKey = Arrays.copyOfRange(rootAndSending, KEY, 2 * KEY);
        Arrays.fill(rootAndSending, (byte) 0);
        return plaintext;
    }

    private static void discard(ChainWalk walk, byte[] chainKey, byte[] rootKey) {
        walk.destroy();
        Arrays.fill(chainKey, (byte) 0);
        Arrays.fill(rootKey, (byte) 0);
    }

    private byte[] open(byte[] messageKey, Envelope env) {
        try {
            return RatchetCrypto.open(messageKey, associatedData, env.bytesRef(), Envelope.HEADER_SIZE);
        } catch (AEADBadTagException e) {
            throw tampered(e);
        }
    }

    private static void checkWindow(long position, long n) {
        if (n - position > MAX_SKIP) {
            throw windowExceeded(n - position);
        }
    }

    private static MessageWindowException windowExceeded(long distance) {
        return new MessageWindowException("message is " + distance
                + " positions ahead of its chain, more than the " + MAX_SKIP + " this session accepts");
    }

    private void rememberPrevious(byte[] ratchetKey) {
        previousRatchetKeys.addLast(ratchetKey);
        if (previousRatchetKeys.size() > MAX_PREVIOUS_RATCHET_KEYS) {
            previousRatchetKeys.removeFirst();
        }
    }

    private static TamperedMessageException tampered(Throwable cause) {
        return new TamperedMessageException(
                "message does not authenticate: it was altered, forged, or belongs to another session", cause);
    }

    private static ReplayedMessageException replayed() {
        return new ReplayedMessageException(
                "message was already received, or is so old that its key has been discarded");
    }

    private static void wipe(byte[] key) {
        if (key != null) {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * The complete state, secrets included, in a versioned binary form for the local store.
     * All integers are unsigned big-endian:
     *
     * <pre>
     * u8   state version (2)
     * u8   flags: 0x01 peer ratchet key present, 0x02 sending chain present, 0x04 receiving chain present
     * 32   our ratchet private key
     * 32   peer ratchet public key         (if 0x01)
     * 32   root key
     * 32   sending chain key               (if 0x02)
     * 32   receiving chain key             (if 0x04)
     * u32  Ns, u32 Nr, u32 PN
     * u16  associated data length, then the associated data
     * u8   count of the peer's earlier ratchet keys (oldest first), then 32 bytes each
     * skipped message keys in storage order: u16 runs, then per run
     *      peer ratchet key (32), u64 stored at (epoch ms), u16 count, count x (u32 n, message key (32))
     * </pre>
     * Version 1 was the same without the storage times. Skipped keys older than
     * {@link #SKIPPED_KEY_LIFETIME} are dropped first.
     */
    public synchronized byte[] toBytes() {
        dropExpiredSkippedKeys();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256 + 36 * skippedKeys.size());
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(STATE_VERSION);
            out.writeByte((theirRatchetKey != null ? HAS_THEIR_KEY : 0)
                    | (sendingChainKey != null ? HAS_SENDING_CHAIN : 0)
                    | (receivingChainKey != null ? HAS_RECEIVING_CHAIN : 0));
            out.write(ourRatchetKey.privateKeyRef());
            if (theirRatchetKey != null) {
                out.write(theirRatchetKey);
            }
            out.write(rootKey);
            if (sendingChainKey != null) {
                out.write(sendingChainKey);
            }
            if (receivingChainKey != null) {
                out.write(receivingChainKey);
            }
            out.writeInt((int) sendCount);
            out.writeInt((int) receiveCount);
            out.writeInt((int) previousSendCount);
            out.writeShort(associatedData.length);
            out.write(associatedData);
            out.writeByte(previousRatchetKeys.size());
            for (byte[] key : previousRatchetKeys) {
                out.write(key);
            }
            skippedKeys.writeTo(out);
        } catch (IOException e) {
            throw new AssertionError("a write to memory failed", e);
        }
        return buffer.toByteArray();
    }

    /**
     * Restores a state written by {@link #toBytes()} (or by the version before), without the
     * skipped keys older than {@link #SKIPPED_KEY_LIFETIME}.
     *
     * @throws CorruptStateException if the bytes are damaged, truncated, padded or of another version
     */
    public static DoubleRatchet fromBytes(byte[] state) {
        return fromBytes(state, Clock.systemUTC());
    }

    /** As above, telling the skipped keys' ages by {@code clock} (tests). */
    static DoubleRatchet fromBytes(byte[] state, Clock clock) {
        Objects.requireNonNull(state, "state");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        try {
            int version = in.readUnsignedByte();
            if (version != STATE_VERSION && version != 1) {
                throw new CorruptStateException("session state version " + version + " is not supported");
            }
            int flags = in.readUnsignedByte();
            if ((flags & ~(HAS_THEIR_KEY | HAS_SENDING_CHAIN | HAS_RECEIVING_CHAIN)) != 0) {
                throw corrupt("unknown flags");
            }
            RatchetKeyPair ours = RatchetKeyPair.fromPrivateKey(read(in, KEY));
            byte[] theirs = (flags & HAS_THEIR_KEY) != 0 ? read(in, KEY) : null;
            byte[] root = read(in, KEY);
            byte[] sending = (flags & HAS_SENDING_CHAIN) != 0 ? read(in, KEY) : null;
            byte[] receiving = (flags & HAS_RECEIVING_CHAIN) != 0 ? read(in, KEY) : null;
            if (receiving != null && theirs == null) {
                throw corrupt("a receiving chain without the peer's ratchet key");
            }
            long ns = in.readInt() & 0xFFFF_FFFFL;
            long nr = in.readInt() & 0xFFFF_FFFFL;
            long pn = in.readInt() & 0xFFFF_FFFFL;
            int adLength = in.readUnsignedShort();
            if (adLength == 0) {
                throw corrupt("empty associated data");
            }
            DoubleRatchet r = new DoubleRatchet(read(in, adLength), ours, root, clock);
            r.theirRatchetKey = theirs;
            r.sendingChainKey = sending;
            r.receivingChainKey = receiving;
            r.sendCount = ns;
            r.receiveCount = nr;
            r.previousSendCount = pn;
            int previous = in.readUnsignedByte();
            if (previous > MAX_PREVIOUS_RATCHET_KEYS) {
                throw corrupt("too many earlier ratchet keys");
            }
            for (int i = 0; i < previous; i++) {
                r.previousRatchetKeys.addLast(read(in, KEY));
            }
            r.skippedKeys.readFrom(in, version == 1 ? clock.millis() : null);
            if (in.available() != 0) {
                throw corrupt("trailing bytes");
            }
            r.dropExpiredSkippedKeys();
            return r;
        } catch (EOFException e) {
            throw corrupt("truncated");
        } catch (IOException e) {
            throw new AssertionError("a read from memory failed", e);
        }
    }

    private void dropExpiredSkippedKeys() {
        skippedKeys.dropOlderThan(clock.millis() - SKIPPED_KEY_LIFETIME.toMillis());
    }

    private static byte[] read(DataInputStream in, int length) throws IOException {
        byte[] b = new byte[length];
        in.readFully(b);
        return b;
    }

    private static CorruptStateException corrupt(String why) {
        return new CorruptStateException("session state is corrupt (" + why + ")");
    }

    @Override
    public synchronized String toString() {
        return "DoubleRatchet[sent=" + sendCount + ", received=" + receiveCount + ", previousChain="
                + previousSendCount + ", skippedKeys=" + skippedKeys.size() + "]";
    }
}
