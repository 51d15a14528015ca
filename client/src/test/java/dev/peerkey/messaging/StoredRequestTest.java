package dev.peerkey.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.Endpoint;
import dev.peerkey.handshake.Handshake;
import dev.peerkey.handshake.HandshakeTypedData;
import dev.peerkey.handshake.LocalIdentity;
import dev.peerkey.identity.IdentityKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoredRequestTest {
    @Test
    void aSignedRequestSurvivesTheStoreUnchanged() {
        Handshake handshake = new Handshake(new HandshakeTypedData(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"));
        LocalIdentity bob = LocalIdentity.of(IdentityKey.generate());
        AuthRequest request = handshake.start(LocalIdentity.of(IdentityKey.generate()), bob.asPeer(), Instant.now(),
                Endpoint.parse("127.0.0.1:7470")).request();
        AuthRequest restored = StoredRequest.decode(StoredRequest.encode(request));
        assertEquals(request, restored);
        org.junit.jupiter.api.Assertions.assertArrayEquals(request.requestId(handshake.domain()),
                restored.requestId(handshake.domain()));
    }

    @Test
    void aMissingOrTruncatedRequestIsAClearError() {
        assertThrows(MessagingException.class, () -> StoredRequest.decode(null));
        assertThrows(MessagingException.class, () -> StoredRequest.decode(new byte[100]));
    }
}
