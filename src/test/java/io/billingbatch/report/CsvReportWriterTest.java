package io.billingbatch.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvReportWriterTest {

    static final ReportTable USAGE = ReportTable.of("Usage",
            ReportColumn.id("account_id"),
            ReportColumn.text("description", 30),
            ReportColumn.integer("calls", 10),
            ReportColumn.usd("amount_usd"),
            ReportColumn.instant("posted_at"));

    static final UUID ACCOUNT = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

    @Test
    void writesHeaderAndRowsWithExactAmountsIsoInstantsAndQuotesOnlyWhereNeeded() throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        try (var csv = new CsvReportWriter(out, USAGE)) {
            csv.row(ACCOUNT, "Calls, outbound", 1200L, 12_340_000L, Instant.parse("2026-10-01T00:00:00Z"));
            csv.row("acct-7", "He said \"hi\"\nbye", 0, -1_000_000L, null);
            csv.row("acct-8", null, null, 1L, Instant.parse("2026-10-31T23:59:59.5Z"));
            csv.row("acct-9", "Zürich €", -5L, 0L, Instant.parse("2026-11-01T00:00:00Z"));
        }

        // then
        assertThat(out.toByteArray()).isEqualTo((
                "account_id,description,calls,amount_usd,posted_at\n"
                + "123e4567-e89b-12d3-a456-426614174000,\"Calls, outbound\",1200,12.340000,2026-10-01T00:00:00Z\n"
                + "acct-7,\"He said \"\"hi\"\"\nbye\",0,-1.000000,\n"
                + "acct-8,,,0.000001,2026-10-31T23:59:59.500Z\n"
                + "acct-9,Zürich €,-5,0.000000,2026-11-01T00:00:00Z\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writesTheHeaderEvenWithoutRowsAndNoByteOrderMark() throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        new CsvReportWriter(out, USAGE).close();

        // then
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("account_id,description,calls,amount_usd,posted_at\n");
    }

    @Test
    void flushesOnCloseButLeavesTheStreamOpenForItsOwner() throws IOException {
        // given
        var closed = new boolean[1];
        var out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        // when
        try (var csv = new CsvReportWriter(out, USAGE)) {
            csv.row("acct", "text", 1L, 1L, null);
        }

        // then
        assertThat(closed[0]).isFalse();
        assertThat(dataLine(out)).isEqualTo("acct,text,1,0.000001,\n");
    }

    static Stream<Arguments> dangerousText() {
        return Stream.of(
                Arguments.of("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
                Arguments.of("+1+2", "'+1+2"),
                Arguments.of("-2+3", "'-2+3"),
                Arguments.of("@SUM(A1)", "'@SUM(A1)"),
                Arguments.of("\tcmd", "'\tcmd"),
                Arguments.of("\rcmd", "\"'\rcmd\""));
    }

    @ParameterizedTest
    @MethodSource("dangerousText")
    void neutralisesFormulaInjectionInTextAndIdCells(String dangerous, String expectedCell) throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        try (var csv = new CsvReportWriter(out, USAGE)) {
            csv.row(dangerous, dangerous, 1L, -1_000_000L, null);
        }

        // then
        assertThat(dataLine(out)).isEqualTo(expectedCell + "," + expectedCell + ",1,-1.000000,\n");
    }

    @Test
    void leavesNegativeAmountsAndNumbersAsTheyAre() throws IOException {
        // given
        var out = new ByteArrayOutputStream();

        // when
        try (var csv = new CsvReportWriter(out, USAGE)) {
            csv.row("acct", "refund", -3L, -1_234_567L, null);
        }

        // then
        assertThat(dataLine(out)).isEqualTo("acct,refund,-3,-1.234567,\n");
    }

    @Test
    void rejectsRowsThatDoNotFitTheColumns() {
        var csv = new CsvReportWriter(new ByteArrayOutputStream(), USAGE);

        assertThatThrownBy(() -> csv.row("acct", "x", 1L, 1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 5 values");
        assertThatThrownBy(() -> csv.row("acct", "x", 1L, 12.34d, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 1").hasMessageContaining("amount_usd").hasMessageContaining("java.lang.Double");
        assertThatThrownBy(() -> csv.row("acct", "x", 1L, 1L, "2026-10-01"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("posted_at");
    }

    @Test
    void reportsAFailingTargetInsteadOfSwallowingIt() {
        // given
        Writer failing = new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        // when / then
        assertThatThrownBy(() -> new CsvReportWriter(failing, USAGE))
                .isInstanceOf(UncheckedIOException.class).hasRootCauseMessage("disk full");
    }

    private static String dataLine(ByteArrayOutputStream out) {
        String csv = out.toString(StandardCharsets.UTF_8);
        return csv.substring(csv.indexOf('\n') + 1);
    }
}
