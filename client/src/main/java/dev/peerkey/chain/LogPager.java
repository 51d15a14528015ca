package dev.peerkey.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Every {@code eth_getLogs} query of the client goes through here: a block range is read in
 * pages, since public providers cap a query at some thousands of blocks or results. A page
 * starts at {@value #DEFAULT_PAGE} blocks; when the node says a range or result is too large,
 * the page shrinks (to the node's suggested range if it names one, else by half) and the
 * range is asked again; after pages that worked it grows again, doubling, up to
 * {@value #MAX_PAGE} blocks or half the smallest range the node refused for its size.
 * One pager per {@link Chain}, so what a node's limit taught one query serves the next.
 */
public final class LogPager {
    /** The first page, in blocks: within every common provider's range limit. */
    public static final long DEFAULT_PAGE = 2_000;
    /** The largest page: sparse indexed queries over long ranges then take few requests. */
    public static final long MAX_PAGE = 128_000;

    /** What providers answer when a range or its result is too large (Alchemy, Infura, QuickNode, Ankr, geth, Erigon…). */
    private static final Pattern TOO_LARGE = Pattern.compile(
            "block range|range (is )?too (large|wide|big)|range limit|maximum block range|max(imum)? range"
                    + "|more than [0-9,]+ (results|logs)|response size|too many (results|logs|blocks)"
                    + "|limit exceeded|exceeds? (the )?(max|limit)|query timeout|limited to");
    /** A rate limit or quota (Infura answers those with -32005 too): not about the range. */
    private static final Pattern RATE_LIMIT = Pattern.compile("rate|request count|too many requests|credits|quota");
    /** A result-size complaint: says nothing about the range the node allows. */
    private static final Pattern RESULT_SIZE = Pattern.compile("results|response size|too many logs");
    /** Alchemy-style hint: "this block range should work: [0x1, 0x2]". */
    private static final Pattern HINT = Pattern.compile("\\[(0x[0-9a-fA-F]+),\\s*(0x[0-9a-fA-F]+)]");

    /** Makes the filter for one page: the caller's address and topics, blocks {@code from} to {@code to}. */
    @FunctionalInterface
    public interface Query {
        EthFilter between(DefaultBlockParameter from, DefaultBlockParameter to);
    }

    private final Chain chain;
    private long page = DEFAULT_PAGE;
    private long ceiling = MAX_PAGE;
    private long requests;

    LogPager(Chain chain) {
        this.chain = chain;
    }

    /**
     * The logs {@code query} selects in blocks {@code fromBlock} to {@code toBlock} (inclusive),
     * in chain order, read page by page.
     *
     * @throws ChainException if the node fails, or refuses even a one-block page
     */
    public synchronized List<Log> logs(long fromBlock, long toBlock, Query query) {
        List<Log> logs = new ArrayList<>();
        long from = Math.max(0, fromBlock);
        while (from <= toBlock) {
            long to = Math.min(toBlock, from + page - 1);
            requests++;
            EthLog answer = chain.sendRaw(chain.web3j().ethGetLogs(query.between(block(from), block(to))));
            if (answer.hasError()) {
                shrink(answer.getError(), to - from + 1);
                continue;
            }
            if (answer.getLogs() != null) {
                for (EthLog.LogResult<?> result : answer.getLogs()) {
                    if (result != null && result.get() instanceof Log log) {
                        logs.add(log);
                    }
                }
            }
            from = to + 1;
            page = Math.min(ceiling, page * 2);
        }
        return logs;
    }

    /** How many eth_getLogs requests this pager has sent (for benchmarks). */
    public synchronized long requests() {
        return requests;
    }

    /** The page size the next query starts with. */
    public synchronized long page() {
        return page;
    }

    private void shrink(Response.Error error, long refused) {
        String message = error.getMessage() == null ? "" : error.getMessage();
        if (!isTooLarge(error.getCode(), message) || refused <= 1) {
            throw new ChainException("chain node at " + chain.rpcUrl() + " answered eth_getLogs with an error: "
                    + message);
        }
        long next = hinted(message).filter(n -> n < refused).orElse(refused / 2);
        page = Math.max(1, next);
        if (!RESULT_SIZE.matcher(message.toLowerCase(Locale.ROOT)).find()) {
            ceiling = Math.max(1, Math.min(ceiling, refused / 2 > page ? refused / 2 : page));
        }
    }

    /** Whether a JSON-RPC error says the range or its result is too large. */
    static boolean isTooLarge(int code, String message) {
        String text = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (RATE_LIMIT.matcher(text).find()) {
            return false;
        }
        if (TOO_LARGE.matcher(text).find()) {
            return true;
        }
        // -32005 is "limit exceeded" (EIP-1474): the usual code for too many results.
        return code == -32005;
    }

    /** The size of the block range a node suggests in its error, if it names one. */
    static java.util.Optional<Long> hinted(String message) {
        Matcher m = HINT.matcher(message);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        long from = new BigInteger(m.group(1).substring(2), 16).longValue();
        long to = new BigInteger(m.group(2).substring(2), 16).longValue();
        return to >= from ? java.util.Optional.of(to - from + 1) : java.util.Optional.empty();
    }

    private static DefaultBlockParameter block(long number) {
        return DefaultBlockParameter.valueOf(BigInteger.valueOf(number));
    }
}
