package io.billingbatch.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Tests reach nothing beyond this machine, not even a DNS server: receiver names resolve to
 * loopback for {@code localhost} and to nothing otherwise, so a subscription to the document's
 * {@code your-server.com} is accepted and its deliveries fail here without a packet leaving.
 */
@TestConfiguration(proxyBeanMethods = false)
public class LoopbackOnlyResolver {

    @Bean
    ReceiverAddresses.HostResolver loopbackOnlyResolver() {
        return host -> {
            if ("localhost".equalsIgnoreCase(host)) {
                return new InetAddress[] { InetAddress.getLoopbackAddress() };
            }
            throw new UnknownHostException(host + ": tests resolve no names but localhost");
        };
    }
}
