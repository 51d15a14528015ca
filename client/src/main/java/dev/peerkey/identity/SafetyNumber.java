package dev.peerkey.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A number two people compare out of band to know they see each other's real keys: 60 digits,
 * the same on both sides, computed from both identities and their current registry keys.
 *
 * <p>Each side's half is Signal's numeric fingerprint construction: SHA-512 iterated 5,200 times
 * over the key (so finding a colliding key costs an attacker 5,200 hashes per try), the first 30
 * bytes read as six 5-digit numbers. The two halves are ordered, so neither side comes first.
 */
public final class SafetyNumber {
    private static final int ITERATIONS = 5200;
    private static final byte[] VERSION = {0, 1};
    private static final byte[] LABEL = "peerkey safety number".getBytes(StandardCharsets.US_ASCII);

    private final String digits;

    private SafetyNumber(String digits) {
        this.digits = digits;
    }

    /** The safety number of the pair (ours, theirs): each identity with its current public key. */
    public static SafetyNumber of(PeerId ourId, PublicKey ourKey, PeerId theirId, PublicKey theirKey) {
        String ours = half(ourId, ourKey);
        String theirs = half(theirId, theirKey);
        return new SafetyNumber(ours.compareTo(theirs) <= 0 ? ours + theirs : theirs + ours);
    }

    private static String half(PeerId id, PublicKey key) {
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-512", e);
        }
        byte[] raw = key.bytes();
        sha512.update(VERSION);
        sha512.update(LABEL);
        sha512.update(raw);
        sha512.update(id.bytes());
        byte[] hash = sha512.digest();
        for (int i = 1; i < ITERATIONS; i++) {
            sha512.update(hash);
            sha512.update(raw);
            hash = sha512.digest();
        }
        StringBuilder out = new StringBuilder(30);
        for (int chunk = 0; chunk < 6; chunk++) {
            long value = 0;
            for (int b = 0; b < 5; b++) {
                value = (value << 8) | (hash[chunk * 5 + b] & 0xff);
            }
            out.append(String.format("%05d", value % 100_000));
        }
        return out.toString();
    }

    /** The 60 digits without spaces. */
    public String digits() {
        return digits;
    }

    /** Twelve groups of five digits, as people read them aloud. */
    public List<String> groups() {
        List<String> groups = new ArrayList<>(12);
        for (int i = 0; i < digits.length(); i += 5) {
            groups.add(digits.substring(i, i + 5));
        }
        return List.copyOf(groups);
    }

    /** The groups in three lines of four, for the terminal. */
    public String formatted() {
        List<String> g = groups();
        return String.join(" ", g.subList(0, 4)) + "\n" + String.join(" ", g.subList(4, 8)) + "\n"
                + String.join(" ", g.subList(8, 12));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetyNumber other && other.digits.equals(digits);
    }

    @Override
    public int hashCode() {
        return digits.hashCode();
    }

    @Override
    public String toString() {
        return String.join(" ", groups());
    }
}
