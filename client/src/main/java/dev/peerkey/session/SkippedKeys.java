package dev.peerkey.session;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Message keys of messages not yet received, by (sender ratchet key, message number), in the
 * order they were stored, each with the time it was stored. Holds at most {@code capacity} keys;
 * the oldest go first, and so do keys older than the age limit ({@link #dropOlderThan}); their
 * messages can then no longer be decrypted.
 */
final class SkippedKeys {
    private final int capacity;
    private final LinkedHashMap<Position, Stored> keys = new LinkedHashMap<>();

    SkippedKeys(int capacity) {
        this.capacity = capacity;
    }

    /** The key of message {@code n} in the chain of {@code ratchetKey}, or null. */
    byte[] get(byte[] ratchetKey, long n) {
        Stored stored = keys.get(new Position(ratchetKey, n));
        return stored == null ? null : stored.key;
    }

    void remove(byte[] ratchetKey, long n) {
        Stored stored = keys.remove(new Position(ratchetKey, n));
        if (stored != null) {
            Arrays.fill(stored.key, (byte) 0);
        }
    }

    /** Stores the walk's skipped keys (taking ownership of them) as stored at {@code now}, evicting the oldest keys. */
    void add(byte[] ratchetKey, ChainWalk walk, long now) {
        for (int i = 0; i < walk.skipped.length; i++) {
            keys.put(new Position(ratchetKey, walk.from + i), new Stored(walk.skipped[i], now));
        }
        Iterator<Stored> oldest = keys.values().iterator();
        while (keys.size() > capacity) {
            Arrays.fill(oldest.next().key, (byte) 0);
            oldest.remove();
        }
    }

    /** Drops (and wipes) the keys stored before {@code cutoff} (epoch milliseconds). */
    void dropOlderThan(long cutoff) {
        Iterator<Stored> it = keys.values().iterator();
        while (it.hasNext()) {
            Stored stored = it.next();
            if (stored.at < cutoff) {
                Arrays.fill(stored.key, (byte) 0);
                it.remove();
            }
        }
    }

    int size() {
        return keys.size();
    }

    /**
     * Runs of consecutive keys with the same ratchet key and storage time, so the 32-byte key is
     * written once per run: u16 runs, then per run: key (32), u64 stored at (epoch ms), u16 count,
     * count x (u32 n, message key (32)).
     */
    void writeTo(DataOutput out) throws IOException {
        List<List<Map.Entry<Position, Stored>>> runs = new ArrayList<>();
        List<Map.Entry<Position, Stored>> run = null;
        for (Map.Entry<Position, Stored> e : keys.entrySet()) {
            if (run == null || !Arrays.equals(run.get(0).getKey().ratchetKey, e.getKey().ratchetKey)
                    || run.get(0).getValue().at != e.getValue().at || run.size() == 0xFFFF) {
                run = new ArrayList<>();
                runs.add(run);
            }
            run.add(e);
        }
        out.writeShort(runs.size());
        for (List<Map.Entry<Position, Stored>> r : runs) {
            out.write(r.get(0).getKey().ratchetKey);
            out.writeLong(r.get(0).getValue().at);
            out.writeShort(r.size());
            for (Map.Entry<Position, Stored> e : r) {
                out.writeInt((int) e.getKey().n);
                out.write(e.getValue().key);
            }
        }
    }

    /**
     * Reads what {@link #writeTo} wrote, rejecting more than {@code capacity} keys.
     *
     * @param storedAtOrNull null to read the storage times; else the format without them (state
     *     version 1), whose keys count as stored at this time
     */
    void readFrom(DataInput in, Long storedAtOrNull) throws IOException {
        int runs = in.readUnsignedShort();
        for (int r = 0; r < runs; r++) {
            byte[] ratchetKey = new byte[RatchetKeyPair.KEY_SIZE];
            in.readFully(ratchetKey);
            long at = storedAtOrNull != null ? storedAtOrNull : in.readLong();
            int count = in.readUnsignedShort();
            if (count == 0 || keys.size() + count > capacity) {
                throw new CorruptStateException("session state is corrupt: bad count of skipped message keys");
            }
            for (int i = 0; i < count; i++) {
                long n = in.readInt() & 0xFFFF_FFFFL;
                byte[] mk = new byte[RatchetCrypto.KEY_SIZE];
                in.readFully(mk);
                if (keys.put(new Position(ratchetKey, n), new Stored(mk, at)) != null) {
                    throw new CorruptStateException("session state is corrupt: a skipped message key is stored twice");
                }
            }
        }
    }

    /** A message key and when it was stored (epoch milliseconds). */
    private record Stored(byte[] key, long at) {
    }

    /** A message's place: the sender's ratchet key and its number in that chain. */
    private static final class Position {
        final byte[] ratchetKey;
        final long n;

        Position(byte[] ratchetKey, long n) {
            this.ratchetKey = ratchetKey;
            this.n = n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Position p && n == p.n && Arrays.equals(ratchetKey, p.ratchetKey);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(ratchetKey) + Long.hashCode(n);
        }
    }
}
