package dev.peerkey.cli;

import java.time.Duration;

/** Durations in words a person reads at a glance: "2 days 3 h", "4 min 5 s", "3 s". */
final class Durations {
    private Durations() {
    }

    static String words(Duration duration) {
        long s = Math.max(0, (duration.toMillis() + 999) / 1000);
        long days = s / 86_400;
        long hours = s % 86_400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return days + (days == 1 ? " day" : " days") + (hours > 0 ? " " + hours + " h" : "");
        }
        if (hours > 0) {
            return hours + " h" + (minutes > 0 ? " " + minutes + " min" : "");
        }
        if (minutes > 0) {
            return minutes + " min" + (seconds > 0 ? " " + seconds + " s" : "");
        }
        return seconds + " s";
    }
}
