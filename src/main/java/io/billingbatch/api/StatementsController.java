package io.billingbatch.api;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.ApiAudit;
import io.billingbatch.access.Role;
import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.statements.StatementFiles;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1.0/billing_accounts/{id}/statements/{month}}: the account's PDF statement of the
 * month, for every role that may read the account (a customer only its own: another customer's
 * account is a 404 like one that does not exist).
 */
@RestController
@RequestMapping("/v1.0/billing_accounts")
class StatementsController {

    private final VisibleAccounts accounts;

    private final StatementFiles statements;

    private final ApiAudit audit;

    StatementsController(VisibleAccounts accounts, StatementFiles statements, ApiAudit audit) {
        this.accounts = accounts;
        this.statements = statements;
        this.audit = audit;
    }

    @GetMapping("/{id}/statements/{month}")
    void statement(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id,
            @PathVariable String month, @RequestParam(name = "zone", defaultValue = "UTC") String zone,
            HttpServletResponse response) throws IOException {
        BillingAccount account = accounts.get(principal, id);
        if (!month.matches("\\d{4}-\\d{2}")) {
            throw ApiException.badRequest("the month must be like 2026-10, was '" + month + "'");
        }
        ReportPeriod period;
        try {
            period = ReportPeriod.parse(month, zone);
        }
        catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
        Path file = statements.find(period, account.id()).orElseThrow(() -> ApiException.notFound("no statement of "
                + month + " (" + period.zone().getId() + ") for billing account " + id
                + ": not made yet, or withheld (see statements-" + month + ".csv)"));
        audit.record(principal, "statement.download", id + "/" + month, null);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            response.setContentType("application/pdf");
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
                    ContentDisposition.attachment().filename(file.getFileName().toString()).build().toString());
            response.setHeader(HttpHeaders.CACHE_CONTROL, "private, no-store");
            response.setContentLengthLong(channel.size());
            Channels.newInputStream(channel).transferTo(response.getOutputStream());
        }
    }
}
