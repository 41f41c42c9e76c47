package io.billingbatch.spend;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.billingbatch.ledger.Money;

/** The document's JSON conventions: USD amounts as numbers, timestamps as {@code 2023-06-30 19:18:08.466742} (UTC). */
final class SpendJson {

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private SpendJson() {
    }

    static String timestamp(Instant instant) {
        return instant == null ? null : TIMESTAMP.format(instant);
    }

    static BigDecimal usd(Long micros) {
        return micros == null ? null : Money.toUsdJson(micros);
    }
}
