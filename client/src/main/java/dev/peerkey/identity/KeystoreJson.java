package dev.peerkey.identity;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.web3j.crypto.WalletFile;

/**
 * Reads and writes the V3 keystore JSON. Reading validates every field before web3j sees
 * it: web3j's hex decoder silently accepts garbage, and a truncated MAC or IV would
 * otherwise surface as "wrong password" instead of "corrupt".
 */
final class KeystoreJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** scrypt needs 128 * r * n bytes; refuse files that would need more than 1 GiB. */
    private static final long MAX_SCRYPT_MEMORY = 1L << 30;

    /** A parsed file: the web3j model plus the address field, if the file has one. */
    record Parsed(WalletFile wallet, String address) {
    }

    /** Signals a specific defect; the caller turns it into a CORRUPT KeystoreException. */
    static final class Defect extends Exception {
        private static final long serialVersionUID = 1L;

        Defect(String what) {
            super(what, null, false, false);
        }
    }

    private KeystoreJson() {
    }

    static byte[] write(WalletFile wallet) {
        try {
            return MAPPER.writeValueAsBytes(wallet);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a keystore", e);
        }
    }

    static Parsed parse(byte[] json) throws Defect {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new Defect("it is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new Defect("it is not a JSON object");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber() || version.asLong() != 3) {
            throw new Defect("it is not a version 3 keystore");
        }
        // Some old writers capitalised the key; web3j reads both.
        JsonNode crypto = root.has("crypto") ? root.get("crypto") : root.get("Crypto");
        if (crypto == null || !crypto.isObject()) {
            throw new Defect("the crypto section is missing");
        }

        WalletFile.Crypto c = new WalletFile.Crypto();
        if (!"aes-128-ctr".equals(text(crypto, "cipher"))) {
            throw new Defect("the cipher is not aes-128-ctr");
        }
        c.setCipher("aes-128-ctr");
        c.setCiphertext(hex(crypto, "ciphertext", 32));
        JsonNode cipherParams = object(crypto, "cipherparams");
        WalletFile.CipherParams cp = new WalletFile.CipherParams();
        cp.setIv(hex(cipherParams, "iv", 16));
        c.setCipherparams(cp);
        c.setMac(hex(crypto, "mac", 32));

        String kdf = text(crypto, "kdf");
        JsonNode kp = object(crypto, "kdfparams");
        if ("scrypt".equals(kdf)) {
            c.setKdf(kdf);
            c.setKdfparams(scrypt(kp));
        } else if ("pbkdf2".equals(kdf)) {
            c.setKdf(kdf);
            c.setKdfparams(pbkdf2(kp));
        } else {
            throw new Defect("the key derivation function is not scrypt or pbkdf2");
        }

        WalletFile wallet = new WalletFile();
        wallet.setVersion(3);
        wallet.setCrypto(c);
        String address = null;
        if (root.hasNonNull("address")) {
            address = normaliseAddress(root.get("address").asText(""));
            if (address == null) {
                throw new Defect("the address field is not a 20-byte hex address");
            }
            wallet.setAddress(address);
        }
        if (root.hasNonNull("id")) {
            wallet.setId(root.get("id").asText());
        }
        return new Parsed(wallet, address);
    }

    /** The address field (40 lowercase hex digits) without checking anything else, or null. */
    static String addressOnly(byte[] json) {
        try {
            JsonNode root = MAPPER.readTree(json);
            JsonNode a = root == null ? null : root.get("address");
            return a == null || !a.isTextual() ? null : normaliseAddress(a.asText());
        } catch (IOException e) {
            return null;
        }
    }

    private static WalletFile.ScryptKdfParams scrypt(JsonNode kp) throws Defect {
        int dklen = positiveInt(kp, "dklen");
        int n = positiveInt(kp, "n");
        int r = positiveInt(kp, "r");
        int p = positiveInt(kp, "p");
        if (dklen != 32) {
            throw new Defect("the scrypt key length is not 32");
        }
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new Defect("the scrypt cost n is not a power of two");
        }
        if (128L * r * n > MAX_SCRYPT_MEMORY) {
            throw new Defect("the scrypt parameters would need more than 1 GiB of memory");
        }
        WalletFile.ScryptKdfParams params = new WalletFile.ScryptKdfParams();
        params.setDklen(dklen);
        params.setN(n);
        params.setR(r);
        params.setP(p);
        params.setSalt(hex(kp, "salt", -1));
        return params;
    }

    private static WalletFile.Aes128CtrKdfParams pbkdf2(JsonNode kp) throws Defect {
        int dklen = positiveInt(kp, "dklen");
        if (dklen != 32) {
            throw new Defect("the pbkdf2 key length is not 32");
        }
        if (!"hmac-sha256".equals(text(kp, "prf"))) {
            throw new Defect("the pbkdf2 function is not hmac-sha256");
        }
        WalletFile.Aes128CtrKdfParams params = new WalletFile.Aes128CtrKdfParams();
        params.setDklen(dklen);
        params.setC(positiveInt(kp, "c"));
        params.setPrf("hmac-sha256");
        params.setSalt(hex(kp, "salt", -1));
        return params;
    }

    private static JsonNode object(JsonNode parent, String field) throws Defect {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw new Defect("the " + field + " section is missing");
        }
        return node;
    }

    private static String text(JsonNode parent, String field) throws Defect {
        JsonNode node = parent.get(field);
        if (node == null || !node.isTextual()) {
            throw new Defect("the " + field + " field is missing");
        }
        return node.asText();
    }

    private static int positiveInt(JsonNode parent, String field) throws Defect {
        JsonNode node = parent.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() <= 0) {
            throw new Defect("the " + field + " parameter is missing or not a positive integer");
        }
        return node.asInt();
    }

    /** Validated lowercase hex without prefix; {@code length} in bytes, or -1 for any. */
    private static String hex(JsonNode parent, String field, int length) throws Defect {
        byte[] raw = Hex.decodeOrNull(text(parent, field));
        if (raw == null) {
            throw new Defect("the " + field + " field is not hex");
        }
        if (length >= 0 && raw.length != length) {
            throw new Defect("the " + field + " field is not " + length + " bytes");
        }
        return Hex.encode(raw);
    }

    private static String normaliseAddress(String text) {
        byte[] raw = Hex.decodeOrNull(text);
        return raw == null || raw.length != 20 ? null : Hex.encode(raw);
    }
}
