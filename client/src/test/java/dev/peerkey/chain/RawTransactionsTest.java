package dev.peerkey.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Transactions as a Hardhat 3.18 node returned them in eth_getBlockByNumber(…, true) (one of each
 * type, sent with eth_sendTransaction from a development account), encoded again: the encoding
 * hashes to the node's transaction hash.
 */
class RawTransactionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> fixtures() throws IOException {
        try (InputStream in = RawTransactionsTest.class.getResourceAsStream("hardhat-transactions.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank()).map(line -> {
                        try {
                            return JSON.readTree(line);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).toList();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void theEncodingHashesToTheNodesHash(int type) throws IOException {
        JsonNode tx = fixtures().stream().filter(t -> Integer.decode(t.path("type").asText()) == type)
                .findFirst().orElseThrow();
        assertEquals(tx.path("hash").asText(), RawTransactions.hash(RawTransactions.encode(tx)));
    }

    @Test
    void aLegacyVOf27Or28ForATypedTransactionIsItsParity() throws IOException {
        ObjectNode tx = (ObjectNode) fixtures().stream().filter(t -> t.path("type").asText().equals("0x2"))
                .findFirst().orElseThrow();
        tx.put("v", "0x1b");
        assertEquals(tx.path("hash").asText(), RawTransactions.hash(RawTransactions.encode(tx)));
    }

    @Test
    void aBlobTransactionIsRefused() throws IOException {
        ObjectNode tx = (ObjectNode) fixtures().get(2).deepCopy();
        tx.put("type", "0x3");
        ChainException e = assertThrows(ChainException.class, () -> RawTransactions.encode(tx));
        assertTrue(e.getMessage().contains("is of type 3, which cannot be saved for a replay"), e.getMessage());
    }

    @Test
    void aMissingSignatureIsRefused() throws IOException {
        ObjectNode tx = (ObjectNode) fixtures().get(0).deepCopy();
        tx.remove("r");
        ChainException e = assertThrows(ChainException.class, () -> RawTransactions.encode(tx));
        assertTrue(e.getMessage().contains("has no r the node returned"), e.getMessage());
    }
}
