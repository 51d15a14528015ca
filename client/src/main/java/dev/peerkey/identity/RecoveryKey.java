package dev.peerkey.identity;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.web3j.crypto.MnemonicUtils;

/**
 * An identity's recovery key: a secp256k1 key kept offline, written down as 24 BIP-39 English
 * words whose 256 bits of entropy are the private scalar itself. The registry stores only its
 * address; its signatures revoke the identity or move it to a new key after a delay. The
 * words never appear in {@link #toString()} or in exception messages.
 */
public final class RecoveryKey {
    /** Words in a recovery phrase: 256 bits of entropy and an 8-bit checksum, 11 bits a word. */
    public static final int WORD_COUNT = 24;
    private static final int ENTROPY_BYTES = 32;
    /** A recovery file holds 24 words of at most 8 letters; anything much larger is not one. */
    private static final int MAX_FILE_SIZE = 4096;
    private static final List<String> WORD_LIST = MnemonicUtils.getWords();
    private static final Map<String, Integer> WORD_INDEX = index(WORD_LIST);

    private final IdentityKey key;
    private final String words;

    private RecoveryKey(byte[] entropy) {
        BigInteger scalar = new BigInteger(1, entropy);
        if (!Secp256k1.isValidPrivateKey(scalar)) {
            throw new RecoveryKeyException(
                    "the recovery words do not give a usable secp256k1 key (zero or not below the curve order)");
        }
        this.key = IdentityKey.fromPrivateKey(scalar);
        this.words = MnemonicUtils.generateMnemonic(entropy);
    }

    /** A new recovery key from {@link SecureRandom}. */
    public static RecoveryKey generate() {
        return generate(new SecureRandom());
    }

    /** Rejection sampling: 32 random bytes are the private scalar when it lies in [1, n-1]. */
    public static RecoveryKey generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] entropy = new byte[ENTROPY_BYTES];
        try {
            while (true) {
                random.nextBytes(entropy);
                if (Secp256k1.isValidPrivateKey(new BigInteger(1, entropy))) {
                    return new RecoveryKey(entropy);
                }
            }
        } finally {
            Arrays.fill(entropy, (byte) 0);
        }
    }

    /**
     * The recovery key these 24 words encode. Case and spacing (spaces, tabs, new lines) do not
     * matter.
     *
     * @throws RecoveryKeyException for a wrong number of words, a word not in the BIP-39 English
     *     list, a failed checksum (a word mistyped or out of order) or an unusable scalar
     */
    public static RecoveryKey fromWords(String text) {
        if (text == null || text.isBlank()) {
            throw new RecoveryKeyException("no recovery words given: expected " + WORD_COUNT + " words");
        }
        String[] given = text.strip().toLowerCase(Locale.ROOT).split("\\s+");
        if (given.length != WORD_COUNT) {
            throw new RecoveryKeyException("a recovery phrase has " + WORD_COUNT + " words, not " + given.length);
        }
        // 24 words x 11 bits = 264 bits: the 256-bit entropy, then its 8-bit checksum.
        BigInteger bits = BigInteger.ZERO;
        for (int i = 0; i < given.length; i++) {
            Integer index = WORD_INDEX.get(given[i]);
            if (index == null) {
                throw new RecoveryKeyException("recovery word " + (i + 1)
                        + " is not in the BIP-39 English word list (check its spelling)");
            }
            bits = bits.shiftLeft(11).or(BigInteger.valueOf(index));
        }
        byte[] entropy = toBytes(bits.shiftRight(8), ENTROPY_BYTES);
        try {
            if (MnemonicUtils.calculateChecksum(entropy) != (byte) bits.intValue()) {
                throw new RecoveryKeyException("the recovery words fail their checksum:"
                        + " a word is mistyped, swapped with another or missing");
            }
            return new RecoveryKey(entropy);
        } finally {
            Arrays.fill(entropy, (byte) 0);
        }
    }

    /**
     * Reads the words from a recovery file (as {@link #writeFile} writes it).
     *
     * @throws RecoveryKeyException if the file is missing, unreadable, too large or does not
     *     hold valid recovery words
     */
    public static RecoveryKey readFile(Path file) {
        byte[] data;
        try (var in = Files.newInputStream(file)) {
            data = in.readNBytes(MAX_FILE_SIZE + 1);
        } catch (NoSuchFileException e) {
            throw new RecoveryKeyException("recovery file " + file + " does not exist");
        } catch (IOException e) {
            throw new RecoveryKeyException("cannot read recovery file " + file + ": " + describe(e), e);
        }
        try {
            if (data.length > MAX_FILE_SIZE) {
                throw new RecoveryKeyException("recovery file " + file + " is far larger than 24 words");
            }
            try {
                return fromWords(new String(data, StandardCharsets.UTF_8));
            } catch (RecoveryKeyException e) {
                throw new RecoveryKeyException("recovery file " + file + ": " + e.getMessage());
            }
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    /** The 24 words, separated by single spaces. Show them once; never log them. */
    public String words() {
        return words;
    }

    /**
     * Writes the words to a new file readable only by its owner (mode 0600 where the file
     * system has POSIX permissions), through a temporary file moved into place.
     *
     * @throws RecoveryKeyException if the file exists (it is never overwritten) or the write fails
     */
    public void writeFile(Path file) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RecoveryKeyException("recovery file " + file + " already exists; it is not overwritten");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new RecoveryKeyException("cannot write recovery file " + file + ": its directory does not exist");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, ".peerkey-recovery-", ".tmp", ownerOnly(dir));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap((words + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (FileAlreadyExistsException e) {
            throw new RecoveryKeyException("recovery file " + file + " already exists; it is not overwritten", e);
        } catch (IOException e) {
            throw new RecoveryKeyException("cannot write recovery file " + file + ": " + describe(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; the file is the owner's only
                }
            }
        }
    }

    /** The key's Ethereum address (EIP-55 checksummed): what the registry stores. */
    public String address() {
        return key.address();
    }

    /** The 64-byte public key. */
    public PublicKey publicKey() {
        return key.publicKey();
    }

    /**
     * Signs a 32-byte digest as given: 65 bytes r || s || v, low s, v = 27 or 28, as
     * {@link IdentityKey#signatureBytes} does.
     */
    public byte[] sign(byte[] digest32) {
        return key.signatureBytes(digest32);
    }

    @Override
    public String toString() {
        return "RecoveryKey[address=" + address() + "]";
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static Map<String, Integer> index(List<String> words) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            index.put(words.get(i), i);
        }
        return Map.copyOf(index);
    }

    private static byte[] toBytes(BigInteger value, int length) {
        return Secp256k1.toBytes(value, length);
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
