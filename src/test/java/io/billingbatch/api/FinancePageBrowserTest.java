package io.billingbatch.api;

import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

import io.billingbatch.testing.TestLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The finance page end to end in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}): sign in, open a month, read the totals, download a report and compare
 * its bytes with the file in the reports root. Disabled, with the reason, where the browser is not
 * installed (a class-level condition, so Surefire counts the class as skipped and prints why, where an
 * assumption in {@code @BeforeAll} reported "0 tests run" and no message), except under {@code CI=true},
 * where a missing browser fails the build.
 */
@ExtendWith(FinancePageBrowserTest.BrowserInstalled.class)
class FinancePageBrowserTest extends ServerTestSupport {

    static final String MONTH = "2033-05";

    static final String ADMIN_MONTH = "2033-06";

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));

    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));

    @Autowired
    JobOperator jobOperator;

    @Autowired
    Job costReportJob;

    @Autowired
    ReportStore store;

    /** One browser for the class (starting Chromium is the slow part); each test starts signed out. */
    static WebDriver browser;

    @TempDir
    static Path downloads;

    @TempDir
    static Path profile;

    @BeforeAll
    static void startTheBrowser() {
        requireBrowser();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,1000",
                // tests reach nothing beyond this machine: Chromium's own services (autofill, sign-in, updates,
                // optimization hints) looked up Google's names through the DNS server; now every name but
                // localhost is unknown to it, so it asks no DNS server and connects nowhere else
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost", "--no-pings",
                "--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toAbsolutePath().toString());
        prefs.put("download.prompt_for_download", false);
        prefs.put("download.directory_upgrade", true);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get("http://localhost:" + port + "/");
        browser.manage().deleteAllCookies();
    }

    @Test
    void financeSignsInSeesTheMonthsTotalsAndDownloadsAReport() throws Exception {
        givenACostReportFor(MONTH);
        String token = token(Role.FINANCE);

        browser.get("http://localhost:" + port + "/");
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("signin")).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("month-form")));
        assertThat(browser.findElement(By.id("signed-in")).getText()).isEqualTo("finance test token");

        new Select(browser.findElement(By.id("month"))).selectByValue(MONTH);
        browser.findElement(By.id("show-month")).click();
        wait.until(ExpectedConditions.textToBe(By.id("totals-title"), "Cost report " + MONTH + " (UTC)"));

        // amounts with thousands separators and cents
        assertThat(totals("call")).containsExactly("call", "3", "60,100", "1,202.00");
        assertThat(totals("sms")).containsExactly("sms", "3", "3", "0.02");
        assertThat(totals("number")).containsExactly("number", "0", "0", "0.00");
        assertThat(totals("total")).containsExactly("total", "6", "", "1,202.02"); // seconds + messages is no quantity
        assertThat(browser.findElements(By.cssSelector("#cost-chart g.bar"))).hasSize(12);

        // the month at a glance: whether it reconciled, with findings by kind and links to its files
        assertThat(browser.findElement(By.id("reconciliation-status")).getText()).startsWith("Reconciled");
        assertThat(browser.findElement(By.id("reconciliation-accounts")).getText()).contains("accounts checked")
                .contains("clean");
        assertThat(browser.findElements(By.cssSelector("#findings tr[data-kind='chain_break'] td")).stream()
                .map(WebElement::getText).toList()).containsExactly("chain_break", "0", "0.00");
        assertThat(browser.findElements(By.cssSelector("#findings tr[data-kind='total'] td")).get(0).getText()).isEqualTo("total");
        assertThat(browser.findElements(By.cssSelector("a.reconciliation-link")).stream().map(WebElement::getText).toList())
                .containsExactly("reconciliation-" + MONTH + ".csv", "reconciliation-" + MONTH + ".xlsx");
        // the top accounts by cost, biggest first
        List<WebElement> top = browser.findElements(By.cssSelector("#top-accounts tbody tr"));
        assertThat(top).hasSize(2);
        assertThat(top.get(0).findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .containsExactly("1", "Big Spender Ltd\n" + bigSpender, "1", "1,200.00");
        assertThat(top.get(1).findElement(By.cssSelector(".account-name")).getText()).isEqualTo("Browser Test Telecom");
        assertThat(top.get(1).findElements(By.tagName("td")).get(3).getText()).isEqualTo("2.02");
        // the chart's axes are labelled, and its figures are in a table beside it
        assertThat(browser.findElement(By.id("cost-chart-y")).getText()).isEqualTo("Cost (USD)");
        assertThat(browser.findElement(By.id("cost-chart-x")).getText()).isEqualTo("Month");
        assertThat(browser.findElements(By.cssSelector("#cost-chart text.tick")).stream().map(WebElement::getText).toList())
                .contains("$0", "$1,202");
        assertThat(browser.findElement(By.cssSelector("#cost-chart-table caption")).getText())
                .isEqualTo("Cost by type and month (USD)");
        assertThat(browser.findElements(By.cssSelector("#cost-chart-table tbody tr"))).hasSize(12);
        assertThat(browser.findElements(By.cssSelector("#cost-chart-table tr[data-month='" + MONTH + "'] td")).stream()
                .map(WebElement::getText).toList()).containsExactly("1,202.00", "0.02", "0.00", "1,202.02");

        saveScreenshot("finance-page.png");

        String csvName = "cost-report-" + MONTH + ".csv";
        browser.findElement(By.linkText(csvName)).click();
        Path downloaded = awaitDownload(csvName);

        assertThat(Files.readAllBytes(downloaded)).isEqualTo(Files.readAllBytes(store.directory(MONTH).resolve(csvName)));
        assertThat(browser.findElement(By.id("pack-link")).getAttribute("href")).endsWith("/v1.0/reports/" + MONTH + "/pack");
    }

    @Test
    void anAdminSeesRecentExecutionsAndLaunchesAJobWithTheSession() throws Exception {
        givenACostReportFor(ADMIN_MONTH);
        browser.get("http://localhost:" + port + "/");
        browser.findElement(By.id("token")).sendKeys(token(Role.ADMIN));
        browser.findElement(By.id("signin")).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("executions")));
        assertThat(browser.findElement(By.id("executions")).getText()).contains("cost-report " + ADMIN_MONTH + " COMPLETED");

        new Select(browser.findElement(By.id("job"))).selectByValue("finance-pack");
        WebElement period = browser.findElement(By.id("period"));
        period.clear();
        period.sendKeys(ADMIN_MONTH);
        browser.findElement(By.id("launch")).click();

        WebElement result = browser.findElement(By.id("launch-result"));
        wait.until(driver -> result.getText().startsWith("Started") || result.getText().startsWith("Not started"));
        // The launch API answers 202/409 (or 404 where it is not deployed), never 401/403: the session is accepted.
        assertThat(result.getText()).doesNotContain("HTTP 401").doesNotContain("HTTP 403").contains("finance-pack");
        saveScreenshot("finance-page-admin.png");
        // the run goes on in the background of this shared server: let it end before the next test class
        if (result.getText().startsWith("Started")) {
            TestLog.awaitLine(line -> line.contains("finance-pack " + ADMIN_MONTH + " ended "), "that finance-pack ended",
                    Duration.ofSeconds(60));
        }
    }

    @Test
    void aCustomerTokenIsToldItCannotSignIn() {
        browser.get("http://localhost:" + port + "/");
        browser.findElement(By.id("token")).sendKeys(customerToken(UUID.randomUUID()));
        browser.findElement(By.id("signin")).click();

        WebElement error = new WebDriverWait(browser, Duration.ofSeconds(60))
                .until(ExpectedConditions.presenceOfElementLocated(By.id("signin-error")));
        assertThat(error.getText()).contains("Customer tokens cannot sign in to the finance page");
        assertThat(browser.findElements(By.id("totals"))).isEmpty();
    }

    /** For a person to look at after the run: target/finance-page*.png. */
    private void saveScreenshot(String fileName) throws IOException {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", fileName), png);
    }

    private List<String> totals(String type) {
        return browser.findElements(By.cssSelector("#totals tr[data-type='" + type + "'] td")).stream()
                .map(WebElement::getText).toList();
    }

    /** The account that cost most in {@link #MONTH}. */
    UUID bigSpender;

    @Autowired
    Job reconciliationJob;

    private void givenACostReportFor(String month) throws Exception {
        FileSystemUtils.deleteRecursively(store.directory(month));
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("Browser Test Telecom");
        ledger.topUp(account, 100_000_000, Instant.parse(month + "-01T00:00:00Z"));
        ledger.call(account, 40, Instant.parse(month + "-02T10:00:00Z"));
        ledger.call(account, 60, Instant.parse(month + "-20T10:00:00Z"));
        for (int i = 0; i < 3; i++) {
            ledger.sms(account, Instant.parse(month + "-21T10:00:00Z").plusSeconds(i));
        }
        bigSpender = ledger.account("Big Spender Ltd");
        ledger.topUp(bigSpender, 2_000_000_000L, Instant.parse(month + "-01T00:00:00Z"));
        ledger.call(bigSpender, 60_000, Instant.parse(month + "-03T10:00:00Z")); // 1,200.00 USD
        for (Job job : List.of(costReportJob, reconciliationJob)) {
            var execution = jobOperator.start(job, new PeriodJobParameters(ReportPeriod.parse(month, "UTC"), 1).toJobParameters());
            assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        }
    }

    /** Waits until Chromium has finished the download (no partial .crdownload file left): woken by the folder's changes. */
    private Path awaitDownload(String fileName) throws IOException, InterruptedException {
        Path file = downloads.resolve(fileName);
        try (WatchService changes = downloads.getFileSystem().newWatchService()) {
            downloads.register(changes, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.isRegularFile(file) || partialDownloads()) {
                WatchKey change = changes.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (change == null) {
                    try (Stream<Path> files = Files.list(downloads)) {
                        throw new AssertionError("No download of " + fileName + " within 30 s; the folder holds " + files.toList());
                    }
                }
                change.pollEvents();
                change.reset();
            }
            return file;
        }
    }

    private boolean partialDownloads() throws IOException {
        try (Stream<Path> files = Files.list(downloads)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".crdownload"));
        }
    }

    private static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    private static String browserMissing() {
        return "Chromium (" + CHROMIUM + ") and ChromeDriver (" + CHROMEDRIVER + ") are needed for the browser test; "
                + "install them with: apt-get install chromium chromium-driver (or set CHROMIUM_BIN / CHROMEDRIVER_BIN)";
    }

    /** Under CI=true the class is enabled anyway, so that {@link #requireBrowser()} fails it. */
    private static void requireBrowser() {
        if (!browserInstalled()) {
            fail(browserMissing() + " (CI=true: the browser test must run)");
        }
    }

    /**
     * Disables the class, with the reason, when the browser is missing and CI is not {@code true}; evaluated
     * before the Spring context (and its PostgreSQL) starts. A disabled class is not evaluated again for
     * its methods, so the reason is printed once.
     */
    static final class BrowserInstalled implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (browserInstalled()) {
                return ConditionEvaluationResult.enabled("Chromium and ChromeDriver are installed");
            }
            if ("true".equals(System.getenv("CI"))) {
                return ConditionEvaluationResult.enabled("CI=true: a missing browser fails the test");
            }
            String reason = "skipped: " + browserMissing();
            // Surefire keeps a disabled test's reason in its XML report only: say it once on the console too
            System.err.println("[WARNING] " + context.getRequiredTestClass().getSimpleName() + " " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
