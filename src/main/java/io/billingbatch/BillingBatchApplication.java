package io.billingbatch;

import io.billingbatch.launch.CommandLine;

import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class BillingBatchApplication {

    public static void main(String[] args) {
        System.exit(CommandLine.run(BillingBatchApplication.class, args));
    }
}
