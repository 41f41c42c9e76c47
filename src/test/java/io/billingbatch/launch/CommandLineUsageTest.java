package io.billingbatch.launch;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.billingbatch.BillingBatchApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad command lines end with exit code 2 and a one-line reason, before anything starts. */
class CommandLineUsageTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cost-report --period=2026-13                 | period '2026-13' is not a valid month",
            "cost-report --period=2026-10 --zone=Mars/Base | zone 'Mars/Base' is not a known IANA time zone",
            "cost-report                                  | period is required",
            "cost-report --period=2026-10 --perod=x        | unknown option --perod for cost-report",
            "cost-report --period=2026-10 --rerun=maybe    | --rerun is a flag",
            "cost-report --period=2026-10 --period=2026-09 | --period is given twice ('2026-10', then '2026-09'): give it once",
            "reconciliation --period=2026-10 --rerun --rerun=false | --rerun is given twice ('true', then 'false'): give it once",
            "frobnicate                                   | unknown command 'frobnicate'",
            "reconciliation --period=2026-00              | period '2026-00' is not a valid month",
            "verify-seals --period=2026-13                | period '2026-13' is not a valid month",
            "verify-seals --period=2026-10 --provisional  | unknown option --provisional for verify-seals",
            "demo-data --faults=-1                        | --faults must be between 0 and 1000",
            "benchmark --jobs=everything                  | --jobs takes cost-report, reconciliation, statements, account-cost and/or webhooks",
            "auto-topup --date=2026-11                    | --date must be a day like 2026-11-25",
            "run-definition jobs/nowhere.properties       | jobs/nowhere.properties: cannot be read",
            "run-definition                               | run-definition needs the definition's file",
            "topup-policy --account=62918cd8-0cd7-11ee-8571-b738bed3a5c4 --funding=card | --funding must be grant or http",
            "topup-policy --account=nope                  | --account must be a billing account id",
            "topup-policy --account=62918cd8-0cd7-11ee-8571-b738bed3a5c4 --mode=target --target=10.00 | target must be above the threshold",
            "topup-policy --account=62918cd8-0cd7-11ee-8571-b738bed3a5c4 --amount=-5     | amount must be positive",
            "demo-data --accounts=0                       | --accounts must be between 1",
            "demo-data --rows=lots                        | --rows must be a whole number",
            "create-token --role=admin                    | create-token needs --name",
            "create-token --name=ops --role=boss          | role must be admin, finance or customer",
            "create-token --name=ops --role=customer      | a customer token needs --customer",
            "create-token --name=ops --role=admin --customer=62918cd8-0cd7-11ee-8571-b738bed3a5c4 | --customer is only for --role=customer",
            "create-token --name=ops --role=customer --customer=x | --customer must be a customer id",
            "finance-pack --period=2026-10-05             | finance-pack runs for a month: --period must be a month like 2026-10",
            "finance-pack --period=2026-10 --provisional  | unknown option --provisional for finance-pack",
            "revoke-token                                 | revoke-token needs --id=<token id>",
            "revoke-token --id=nope                       | --id must be a token id (uuid), was 'nope'",
            "list-tokens --all=maybe                      | --all is a flag",
            "serve --port=9000                            | unknown option --port for serve",
            "benchmark --month=2020-1x                    | --month must be a month",
            "benchmark --month=2026-10 --day=2026-11-01   | --day must be a day of the measured month 2026-10",
            "benchmark --history-months=-1                | --history-months must be between 0 and 119",
            "benchmark --floor-work-mem=lots              | --floor-work-mem must be a size like 256MB",
            "--zone=Nowhere/Land                          | zone 'Nowhere/Land' is not a known IANA time zone" })
    void badCommandLinesExitWith2AndAOneLineReason(String commandLine, String reason) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exitCode;
        try {
            exitCode = CommandLine.run(BillingBatchApplication.class, commandLine.trim().split("\\s+"));
        }
        finally {
            System.setErr(original);
        }

        assertThat(exitCode).isEqualTo(CommandLine.USAGE);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message).startsWith("billing-batch: ").contains(reason);
        assertThat(message.strip().lines()).hasSize(1);
    }

    @Test
    void helpPrintsUsageAndExits0() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(CommandLine.run(BillingBatchApplication.class, new String[] { "help" })).isEqualTo(CommandLine.OK);
        }
        finally {
            System.setOut(original);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: billing-batch").contains("create-token");
    }
}
