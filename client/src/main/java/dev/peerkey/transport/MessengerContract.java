package dev.peerkey.transport;

import dev.peerkey.chain.Chain;
import dev.peerkey.chain.CheckedContracts;
import dev.peerkey.chain.EvmFeatures;
import dev.peerkey.chain.Transactor;
import dev.peerkey.chain.WrapperCalls;
import dev.peerkey.handshake.AuthAccept;
import dev.peerkey.handshake.AuthRequest;
import dev.peerkey.handshake.HandshakeTypedData;
import dev.peerkey.identity.PeerId;
import dev.peerkey.registry.Registry;
import dev.peerkey.registry.TxResult;
import dev.peerkey.transport.generated.Messenger;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple7;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * One deployed peerkey Messenger: submits the two handshake steps and mailbox envelopes, and
 * reads back the events that concern one identity. A rejection is a
 * {@link dev.peerkey.chain.RevertException} naming the contract's error, found by simulating
 * before any gas is spent. Events are taken as data, not as truth: a malformed log is skipped,
 * and the caller verifies every signature against the registry itself.
 */
public final class MessengerContract {
    /** The contract's {@code MAX_ENVELOPE_LENGTH}: the longest envelope {@link #post} can carry. */
    public static final int MAX_ENVELOPE_LENGTH = 16 * 1024;
    /** A recipient tag is a bytes32. */
    public static final int TAG_LENGTH = 32;

    private static final String REQUESTED = EventEncoder.encode(Messenger.AUTHREQUESTED_EVENT);
    private static final String ACCEPTED = EventEncoder.encode(Messenger.AUTHACCEPTED_EVENT);
    private static final String POSTED = EventEncoder.encode(Messenger.POSTED_EVENT);

    private final Chain chain;
    private final String address;
    private final HandshakeTypedData domain;
    private final Consumer<String> progress;
    private final Messenger reader;

    private MessengerContract(Chain chain, String address, Consumer<String> progress) {
        this.chain = chain;
        this.address = address;
        this.domain = new HandshakeTypedData(chain.chainId(), address);
        this.progress = progress;
        this.reader = Messenger.load(address, chain.web3j(),
                Transactor.readOnly(chain, new MessengerErrors("the call")), new DefaultGasProvider());
    }

    /**
     * Deploys a new messenger bound to the registry at {@code registryAddress}, paid by
     * {@code deployer}.
     *
     * @throws dev.peerkey.registry.RegistryException if no peerkey registry lives there
     * @return the messenger and the transaction that deployed it
     */
    public static Deployment deploy(Chain chain, Credentials deployer, String registryAddress,
            Consumer<String> progress) {
        // A messenger bound to anything but a registry would refuse every handshake.
        Registry.at(chain, registryAddress, progress);
        requireRunnable(chain);
        progress.accept("deploying the messenger…");
        Messenger deployed = call(() -> Messenger.deploy(chain.web3j(),
                new Transactor(chain, deployer, new MessengerErrors("the deployment"), progress),
                new DefaultGasProvider(), registryAddress).send());
        TransactionReceipt receipt = deployed.getTransactionReceipt().orElseThrow();
        return new Deployment(new MessengerContract(chain, deployed.getContractAddress(), progress),
                TxResult.of(receipt));
    }

    /** A fresh deployment and the transaction that made it. */
    public record Deployment(MessengerContract messenger, TxResult tx) { }

    /**
     * Checks, sending nothing, that the node runs every opcode the messenger's code uses (e.g. PUSH0).
     *
     * @throws dev.peerkey.chain.ChainException naming the missing opcodes and the upgrade that adds them
     */
    public static void requireRunnable(Chain chain) {
        EvmFeatures.requireSupport(chain, "the messenger", Messenger.BINARY);
    }

    /**
     * The messenger at {@code address}, after checking that a peerkey messenger lives there.
     *
     * @throws MessengerException if the address is malformed, holds no code, or holds another contract
     */
    public static MessengerContract at(Chain chain, String address, Consumer<String> progress) {
        if (address == null || !address.matches("0x[0-9a-fA-F]{40}")) {
            throw new MessengerException("messenger address '" + address + "' is not a 20-byte hex address");
        }
        MessengerContract messenger = new MessengerContract(chain, address, progress);
        CheckedContracts.check(chain, "messenger", address, () -> {
            if (!chain.hasCode(address)) {
                throw new MessengerException("no contract at " + address + " on " + chain.rpcUrl()
                        + ": deploy one with `peerkey deploy` or check --messenger");
            }
            messenger.checkIsMessenger();
            return address;
        });
        return messenger;
    }

    private void checkIsMessenger() {
        Tuple7<byte[], String, String, BigInteger, String, byte[], List<BigInteger>> eip712;
        try {
            eip712 = reader.eip712Domain().send();
        } catch (Exception e) {
            WrapperCalls.rethrowNodeFailure(e);
            throw notAMessenger();
        }
        if (!HandshakeTypedData.NAME.equals(eip712.component2())) {
            throw notAMessenger();
        }
        if (!HandshakeTypedData.VERSION.equals(eip712.component3())) {
            throw new MessengerException("the Messenger at " + address + " is version " + eip712.component3()
                    + "; this client needs version " + HandshakeTypedData.VERSION
                    + ": deploy a new one with `peerkey deploy`");
        }
    }

    private MessengerException notAMessenger() {
        return new MessengerException("the contract at " + address + " is not a peerkey messenger");
    }

    public String address() {
        return address;
    }

    public Chain chain() {
        return chain;
    }

    /** The registry whose current keys must sign handshakes here, from the contract's {@code registry()}. */
    public String registryAddress() {
        return CheckedContracts.check(chain, "messenger's registry", address, () -> call(() -> reader.registry().send()));
    }

    /** The EIP-712 domain handshakes on this messenger are signed in. */
    public HandshakeTypedData domain() {
        return domain;
    }

    /** Submits the initiator's signed request; {@code sender} pays the gas and may be anyone. */
    public TxResult requestAuth(Credentials sender, AuthRequest request) {
        Objects.requireNonNull(request, "request");
        return transact(sender, "the auth request", contract -> contract.requestAuth(
                request.initiator().bytes(), request.responder().bytes(), request.ephemeralKey(),
                BigInteger.valueOf(request.signedAtSeconds()), request.sealedPayload(), request.signature()).send());
    }

    /**
     * Submits the responder's signed accept of {@code request}; {@code sender} pays the gas and may
     * be anyone. The contract keeps one slot per request, so the request's fields go with the accept.
     *
     * @throws IllegalArgumentException if {@code accept} does not answer {@code request} on this messenger
     */
    public TxResult acceptAuth(Credentials sender, AuthRequest request, AuthAccept accept) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(accept, "accept");
        if (!Arrays.equals(request.requestId(domain), accept.requestId())) {
            throw new IllegalArgumentException("the accept answers another request than the one given");
        }
        Messenger.AuthRequestFields fields = new Messenger.AuthRequestFields(request.initiator().bytes(),
                request.responder().bytes(), request.ephemeralKey(), BigInteger.valueOf(request.signedAtSeconds()),
                Hash.sha3(request.sealedPayload()));
        return transact(sender, "the auth accept", contract -> contract.acceptAuth(fields, accept.ephemeralKey(),
                BigInteger.valueOf(accept.signedAtSeconds()), accept.sealedPayload(), accept.signature()).send());
    }

    /**
     * Posts an envelope to the mailbox under {@code recipientTag}.
     *
     * @param recipientTag 32 bytes the recipient filters on
     * @param envelope 1 to {@link #MAX_ENVELOPE_LENGTH} bytes (the contract refuses others)
     */
    public TxResult post(Credentials sender, byte[] recipientTag, byte[] envelope) {
        byte[] tag = requireTag(recipientTag).clone();
        byte[] body = Objects.requireNonNull(envelope, "envelope").clone();
        return transact(sender, "the envelope", contract -> contract.post(tag, body).send());
    }

    /** The node's estimate of the gas of a {@link #post} of an envelope of {@code length} bytes from {@code from} (nothing is sent). */
    public java.math.BigInteger estimatePostGas(String from, int length) {
        byte[] tag = new byte[TAG_LENGTH];
        byte[] body = new byte[length];
        java.security.SecureRandom random = new java.security.SecureRandom();
        random.nextBytes(tag);
        random.nextBytes(body); // sealed envelopes look random: no cheap zero bytes
        var call = new java.util.LinkedHashMap<String, String>();
        call.put("from", from);
        call.put("to", address);
        call.put("data", reader.post(tag, body).encodeFunctionCall());
        return chain.send(chain.request("eth_estimateGas", List.of(call),
                org.web3j.protocol.core.methods.response.EthEstimateGas.class)).getAmountUsed();
    }

    /** A mailbox transaction sent and not yet mined: see {@link #submitPosts} and {@link #await}. */
    public record PendingPosts(String txHash, int envelopes, Transactor transactor) { }

    /**
     * Sends several envelopes in one transaction ({@code postBatch}: one {@code Posted} event each,
     * just as {@link #post} emits it) without waiting for it to be mined, so the next can follow
     * at once with the next nonce. Simulated first: a refusal names the contract's error.
     *
     * @param recipientTags one 32-byte tag per envelope
     */
    public PendingPosts submitPosts(Credentials sender, List<byte[]> recipientTags, List<byte[]> envelopes) {
        if (recipientTags.size() != envelopes.size() || envelopes.isEmpty()) {
            throw new IllegalArgumentException("a batch needs one tag per envelope and at least one envelope, got "
                    + recipientTags.size() + " tags and " + envelopes.size() + " envelopes");
        }
        List<byte[]> tags = recipientTags.stream().map(t -> requireTag(t).clone()).toList();
        List<byte[]> bodies = envelopes.stream().map(e -> Objects.requireNonNull(e, "envelope").clone()).toList();
        Transactor transactor = new Transactor(chain, sender, new MessengerErrors("the envelopes"), progress);
        String data = reader.postBatch(tags, bodies).encodeFunctionCall();
        return new PendingPosts(transactor.submit(address, data), bodies.size(), transactor);
    }

    /**
     * Sends one envelope ({@code post}) without waiting for it to be mined: for a messenger
     * deployed before {@code postBatch} existed, whose posts can still be sent back to back.
     */
    public PendingPosts submitPost(Credentials sender, byte[] recipientTag, byte[] envelope) {
        byte[] tag = requireTag(recipientTag).clone();
        byte[] body = Objects.requireNonNull(envelope, "envelope").clone();
        Transactor transactor = new Transactor(chain, sender, new MessengerErrors("the envelope"), progress);
        return new PendingPosts(transactor.submit(address, reader.post(tag, body).encodeFunctionCall()), 1, transactor);
    }

    /**
     * Waits for a batch sent by {@link #submitPosts} to be mined.
     *
     * @throws MessengerException if it was mined but failed
     */
    public TxResult await(PendingPosts pending) {
        TransactionReceipt receipt = pending.transactor().awaitReceipt(pending.txHash());
        if (!receipt.isStatusOK()) {
            throw new MessengerException("the mailbox transaction " + pending.txHash() + " carrying "
                    + pending.envelopes() + " envelope(s) failed on chain (status " + receipt.getStatus() + ")");
        }
        return TxResult.of(receipt);
    }

    /** Whether request {@code requestId} was never submitted, waits for its accept, or was accepted. */
    public RequestStatus requestStatus(byte[] requestId) {
        if (requestId == null || requestId.length != 32) {
            throw new IllegalArgumentException("a request ID must be 32 bytes");
        }
        BigInteger value = call(() -> reader.requestStatus(requestId.clone()).send());
        return RequestStatus.fromContract(value.bitLength() < 31 ? value.intValue() : -1)
                .orElseThrow(() -> new MessengerException("the node at " + chain.rpcUrl()
                        + " gave a false answer: request status " + value + " does not exist"));
    }

    /**
     * The {@code AuthAccepted} event that answers {@code request}, searched from block
     * {@code fromBlock} (where the request was made, say) to the head; empty if there is none or
     * the node does not report it. Taken as data: verify its signature before trusting it.
     */
    public Optional<AuthAccept> acceptOf(AuthRequest request, long fromBlock) {
        Objects.requireNonNull(request, "request");
        byte[] requestId = request.requestId(domain);
        String initiator = topic(request.initiator().bytes());
        String responder = topic(request.responder().bytes());
        for (Log log : logs(Math.max(0, fromBlock), latestBlock(), filter -> {
            filter.addSingleTopic(ACCEPTED);
            filter.addSingleTopic(initiator);
            filter.addSingleTopic(responder);
        })) {
            Optional<ChainEvent> event = decode(log, Set.of(ACCEPTED), Set.of(initiator));
            if (event.isPresent() && event.get() instanceof ChainEvent.AcceptEvent a
                    && Arrays.equals(a.accept().requestId(), requestId)
                    && a.accept().responder().equals(request.responder())) {
                return Optional.of(a.accept());
            }
        }
        return Optional.empty();
    }

    /** The number of the chain's latest block. */
    public long latestBlock() {
        return chain.blockNumber();
    }

    /**
     * The events in blocks {@code fromBlock} to {@code toBlock} (inclusive) that concern
     * {@code me}: requests addressed to it, accepts of its requests, and envelopes under any of
     * {@code tags}; ordered by block, then log index. Logs that are malformed, from another
     * contract, or not what was asked for are skipped (and reported to the progress consumer),
     * so a lying node cannot make a follower fail.
     *
     * @param tags recipient tags of 32 bytes each; none means no mailbox query
     */
    public List<ChainEvent> events(long fromBlock, long toBlock, PeerId me, Collection<byte[]> tags) {
        Objects.requireNonNull(me, "me");
        Objects.requireNonNull(tags, "tags");
        if (fromBlock < 0) {
            throw new IllegalArgumentException("fromBlock must not be negative, got " + fromBlock);
        }
        Set<String> tagTopics = new LinkedHashSet<>();
        for (byte[] tag : tags) {
            tagTopics.add(topic(requireTag(tag)));
        }
        if (fromBlock > toBlock) {
            return List.of();
        }
        // One query for everything: handshake events are indexed by our ID, posts by our tags, and
        // a tag (an HKDF output) never equals an ID, so each log is checked against its own kind.
        String meTopic = topic(me.bytes());
        List<String> firstTopics = new ArrayList<>(List.of(meTopic));
        firstTopics.addAll(tagTopics);
        List<ChainEvent> events = new ArrayList<>();
        for (Log log : logs(fromBlock, toBlock, filter -> {
            if (tagTopics.isEmpty()) {
                filter.addOptionalTopics(REQUESTED, ACCEPTED);
            } else {
                filter.addOptionalTopics(REQUESTED, ACCEPTED, POSTED);
            }
            filter.addOptionalTopics(firstTopics.toArray(String[]::new));
        })) {
            boolean post = log.getTopics() != null && !log.getTopics().isEmpty()
                    && POSTED.equals(lower(log.getTopics().get(0)));
            decode(log, post ? Set.of(POSTED) : Set.of(REQUESTED, ACCEPTED), post ? tagTopics : Set.of(meTopic))
                    .ifPresent(events::add);
        }
        events.sort(Comparator.comparingLong(ChainEvent::block).thenComparingLong(ChainEvent::logIndex));
        return events;
    }

    /** The logs of this contract in blocks {@code fromBlock} to {@code toBlock} with {@code topics}, read in pages. */
    private List<Log> logs(long fromBlock, long toBlock, java.util.function.Consumer<EthFilter> topics) {
        return chain.logs().logs(fromBlock, toBlock, (from, to) -> {
            EthFilter filter = new EthFilter(from, to, address);
            topics.accept(filter);
            return filter;
        });
    }

    /**
     * The event in {@code log} if it is one of {@code events} from this contract with its first
     * indexed topic in {@code firstTopics}; otherwise, or if it does not decode, empty.
     */
    private Optional<ChainEvent> decode(Log log, Set<String> events, Set<String> firstTopics) {
        if (log.isRemoved()) {
            return Optional.empty(); // undone by a reorganisation: not an event
        }
        try {
            String problem = problem(log, events, firstTopics);
            if (problem != null) {
                skip(log, problem);
                return Optional.empty();
            }
            long block = log.getBlockNumber().longValueExact();
            long index = log.getLogIndex().longValueExact();
            String event = log.getTopics().get(0).toLowerCase();
            if (event.equals(REQUESTED)) {
                var e = Messenger.getAuthRequestedEventFromLog(log);
                AuthRequest request = AuthRequest.of(PeerId.of(e.initiator), PeerId.of(e.responder), e.ephemeralKey,
                        e.signedAt.longValueExact(), e.sealedPayload, e.signature);
                return Optional.of(new ChainEvent.RequestEvent(block, index, request, e.requestId));
            }
            if (event.equals(ACCEPTED)) {
                var e = Messenger.getAuthAcceptedEventFromLog(log);
                AuthAccept accept = AuthAccept.of(e.requestId, PeerId.of(e.initiator), PeerId.of(e.responder),
                        e.ephemeralKey, e.signedAt.longValueExact(), e.sealedPayload, e.signature);
                return Optional.of(new ChainEvent.AcceptEvent(block, index, accept));
            }
            var e = Messenger.getPostedEventFromLog(log);
            return Optional.of(new ChainEvent.PostEvent(block, index, e.recipientTag, e.envelope));
        } catch (RuntimeException e) {
            // web3j's decoders and the handshake's checks throw assorted unchecked exceptions on bad data.
            skip(log, "it does not decode as the event: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Why {@code log} is not a wanted event of this contract, or null if it looks like one. */
    private String problem(Log log, Set<String> events, Set<String> firstTopics) {
        if (!address.equalsIgnoreCase(log.getAddress())) {
            return "it was emitted by " + log.getAddress() + ", not by the messenger";
        }
        List<String> topics = log.getTopics();
        if (topics == null || topics.size() < 2 || !events.contains(lower(topics.get(0)))) {
            return "it is not one of the events asked for";
        }
        if (!firstTopics.contains(lower(topics.get(1)))) {
            return "its first indexed topic is not one asked for";
        }
        if (log.getBlockNumberRaw() == null || log.getLogIndexRaw() == null) {
            return "it has no block position";
        }
        return null;
    }

    private void skip(Log log, String why) {
        String block;
        try {
            block = log.getBlockNumber().toString();
        } catch (RuntimeException e) {
            block = String.valueOf(log.getBlockNumberRaw());
        }
        progress.accept("ignoring a messenger log from the node (block " + block + ", transaction "
                + log.getTransactionHash() + "): " + why);
    }

    private static String lower(String text) {
        return text == null ? "" : text.toLowerCase();
    }

    private static String topic(byte[] bytes32) {
        return Numeric.toHexString(bytes32).toLowerCase();
    }

    private static byte[] requireTag(byte[] tag) {
        if (tag == null || tag.length != TAG_LENGTH) {
            throw new IllegalArgumentException("a recipient tag must be " + TAG_LENGTH + " bytes, got "
                    + (tag == null ? 0 : tag.length));
        }
        return tag;
    }

    private interface ContractCall<T> {
        T call(Messenger contract) throws Exception;
    }

    /** Sends one transaction; {@code what} names it in a rejection ("the messenger refused {what}: …"). */
    private TxResult transact(Credentials sender, String what, ContractCall<TransactionReceipt> send) {
        Messenger contract = Messenger.load(address, chain.web3j(),
                new Transactor(chain, sender, new MessengerErrors(what), progress), new DefaultGasProvider());
        return TxResult.of(call(() -> send.call(contract)));
    }

    private static <T> T call(WrapperCalls.Call<T> call) {
        return WrapperCalls.call(call, MessengerException.class,
                message -> new MessengerException("messenger call failed: " + message));
    }
}
