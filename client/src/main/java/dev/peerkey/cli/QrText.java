package dev.peerkey.cli;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.util.Map;

/**
 * A QR code drawn with Unicode half blocks, two rows of modules per line of text, light modules
 * drawn and dark ones left blank (as `qrencode -t UTF8` does), so it reads on a dark terminal.
 */
final class QrText {
    private static final int QUIET_ZONE = 2;

    private QrText() {
    }

    static String of(String content) {
        BitMatrix m;
        try {
            m = new QRCodeWriter().encode(content, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, QUIET_ZONE));
        } catch (WriterException e) {
            throw new IllegalArgumentException("cannot encode a QR code: " + e.getMessage(), e);
        }
        StringBuilder out = new StringBuilder();
        for (int y = 0; y < m.getHeight(); y += 2) {
            for (int x = 0; x < m.getWidth(); x++) {
                boolean topLight = !m.get(x, y);
                boolean bottomLight = y + 1 >= m.getHeight() || !m.get(x, y + 1);
                out.append(topLight ? (bottomLight ? '\u2588' : '\u2580') : (bottomLight ? '\u2584' : ' '));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
