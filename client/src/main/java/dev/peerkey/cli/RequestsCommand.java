package dev.peerkey.cli;

import dev.peerkey.identity.PeerId;
import dev.peerkey.store.MessageRequest;
import dev.peerkey.store.RequestMessage;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `peerkey requests`: handshakes from identities that are not contacts, waiting for consent. */
@Command(name = "requests", mixinStandardHelpOptions = true,
        description = {"List message requests: handshakes from identities that are not your contacts. They are not"
                + " answered (nothing paid, no endpoint sent, no connection made) until you run `peerkey accept`;"
                + " `decline` drops one, `block` drops it and ignores that identity from then on.",
            "Shows each peer once, with its first messages (each message once, however many requests carried"
                    + " it). Requests expire after 7 days. Reads the mailbox first."})
final class RequestsCommand implements Runnable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Mixin
    GlobalOptions options;

    @Mixin
    ChatOptions chat;

    @Override
    public void run() {
        try (Context ctx = new Context(options); ChatRuntime rt = ChatRuntime.open(ctx, chat, null)) {
            rt.catchUpIfFree();
            Map<PeerId, List<MessageRequest>> byPeer = new LinkedHashMap<>();
            for (MessageRequest r : rt.client.requests()) {
                byPeer.computeIfAbsent(r.peer(), p -> new ArrayList<>()).add(r);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            byPeer.forEach((peer, requests) -> rows.add(describe(peer, requests)));
            if (ctx.out.json()) {
                ctx.out.result(Map.of("requests", rows,
                        "blocked", rt.client.blocked().stream().map(PeerId::hex).toList()));
                return;
            }
            if (rows.isEmpty()) {
                ctx.out.progress("no message requests");
                return;
            }
            byPeer.forEach((peer, requests) -> {
                MessageRequest last = requests.get(requests.size() - 1);
                ctx.out.text(peer.displayName().value() + "  " + peer.hex() + "  " + TIME.format(last.signedAt())
                        + (requests.size() > 1 ? "  (" + requests.size() + " requests)" : ""));
                for (RequestMessage m : dev.peerkey.messaging.ChatClient.distinctMessages(requests)) {
                    String prefix = "    [" + TIME.format(m.sentAt()) + "] ";
                    ctx.out.text(prefix + escape(m.text(), " ".repeat(prefix.length())));
                }
            });
            ctx.out.progress("`peerkey accept PEER` answers, `peerkey decline PEER` drops the request,"
                    + " `peerkey block PEER` drops it and ignores PEER from now on");
        }
    }

    private static Map<String, Object> describe(PeerId peer, List<MessageRequest> requests) {
        var fields = Output.fields();
        fields.put("peer", peer.hex());
        fields.put("name", peer.displayName().value());
        fields.put("requestIds", requests.stream().map(MessageRequest::requestHex).toList());
        fields.put("signedAt", requests.get(requests.size() - 1).signedAt().toString());
        fields.put("receivedAt", requests.get(requests.size() - 1).receivedAt().toString());
        List<Map<String, Object>> messages = new ArrayList<>();
        for (RequestMessage m : dev.peerkey.messaging.ChatClient.distinctMessages(requests)) {
            var message = Output.fields();
            message.put("id", m.id().hex());
            message.put("text", m.text());
            message.put("sentAt", m.sentAt().toString());
            messages.add(message);
        }
        fields.put("messages", messages);
        return fields;
    }

    /**
     * A stranger's text made safe for the terminal: control and format characters shown as
     * {@code \\uXXXX}, continuation lines indented under the first.
     */
    static String escape(String text, String indent) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n') {
                out.append('\n').append(indent);
            } else if (Character.getType(c) == Character.CONTROL || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
