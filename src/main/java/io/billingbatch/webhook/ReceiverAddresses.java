package io.billingbatch.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which address a receiver's host names, and whether it is public. A host that is an IP literal in
 * any spelling a resolver or browser accepts ({@code 2130706433}, {@code 0x7f000001},
 * {@code 0177.0.0.1}, {@code 127.1}, {@code [::ffff:127.0.0.1]}, a trailing dot) is read as the
 * address it is, following the URL standard's IPv4 parser, so no spelling slips past the check.
 * Anything else is a name, resolved by the given {@link HostResolver}.
 */
public final class ReceiverAddresses {

    /** Turns a host name into its addresses (the platform's resolver, or a test's). */
    @FunctionalInterface
    public interface HostResolver {

        InetAddress[] resolve(String host) throws UnknownHostException;

        HostResolver SYSTEM = InetAddress::getAllByName;
    }

    private ReceiverAddresses() {
    }

    /**
     * The address an IP literal host stands for, empty when the host is a name.
     *
     * @param host as {@link java.net.URI#getHost()} gives it (IPv6 in brackets)
     * @throws IllegalArgumentException when the host looks like an IPv4 address (its last label is a
     * number) but is not a valid one, e.g. {@code 256.0.0.1}
     */
    public static Optional<InetAddress> literal(String host) {
        String text = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (text.startsWith("[") && text.endsWith("]")) {
            String inner = text.substring(1, text.length() - 1);
            if (inner.isEmpty() || !inner.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("host '" + host + "' is not a valid IP address");
            }
            try {
                return Optional.of(InetAddress.getByName(inner)); // an IPv6 literal: no lookup; ::ffff:a.b.c.d is IPv4
            }
            catch (UnknownHostException ex) {
                throw new IllegalArgumentException("host '" + host + "' is not a valid IP address");
            }
        }
        String[] labels = text.split("\\.", -1);
        if (!isNumber(labels[labels.length - 1])) {
            return Optional.empty();
        }
        if (labels.length > 4) {
            throw new IllegalArgumentException("host '" + host + "' is not a valid IP address");
        }
        long[] numbers = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            numbers[i] = number(labels[i], host);
        }
        for (int i = 0; i < labels.length - 1; i++) {
            if (numbers[i] > 255) {
                throw new IllegalArgumentException("host '" + host + "' is not a valid IP address");
            }
        }
        long last = numbers[labels.length - 1];
        if (last >= 1L << (8 * (5 - labels.length))) {
            throw new IllegalArgumentException("host '" + host + "' is not a valid IP address");
        }
        long value = last;
        for (int i = 0; i < labels.length - 1; i++) {
            value += numbers[i] << (8 * (3 - i));
        }
        byte[] bytes = { (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value };
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException("four bytes are always an IPv4 address", ex);
        }
    }

    /**
     * The host's addresses: the literal's one address, or what the resolver answers for a name.
     *
     * @throws UnknownHostException when the name does not resolve
     */
    public static InetAddress[] resolve(String host, HostResolver resolver) throws UnknownHostException {
        Optional<InetAddress> literal = literal(host);
        if (literal.isPresent()) {
            return new InetAddress[] { literal.get() };
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return resolver.resolve(name);
    }

    /**
     * Whether {@code address} is on the public internet: not loopback, unspecified, private,
     * shared (carrier-grade NAT), link-local (cloud metadata), multicast, reserved or unique-local,
     * also when an IPv6 address embeds such an IPv4 one (IPv4-compatible, -mapped and -translated,
     * NAT64, 6to4, Teredo); IPv6's documentation, discard and local-use NAT64 prefixes are not public.
     */
    public static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first != 0 // this network
                    && !(first == 100 && (second & 0xc0) == 64) // 100.64.0.0/10 shared address space
                    && !(first == 192 && second == 0 && (bytes[2] & 0xff) == 0) // 192.0.0.0/24 protocol assignments
                    && !(first == 198 && (second & 0xfe) == 18) // 198.18.0.0/15 benchmarking
                    && first < 240; // 240.0.0.0/4 reserved and the broadcast address
        }
        if (address instanceof Inet6Address v6) {
            if ((bytes[0] & 0xfe) == 0xfc) {
                return false; // fc00::/7 unique local
            }
            if (v6.isIPv4CompatibleAddress() || isNat64(bytes) || isIpv4Translated(bytes)) {
                return isPublic(ipv4(bytes, 12, false));
            }
            int first16 = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
            int second16 = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
            if (first16 == 0x2002) {
                return isPublic(ipv4(bytes, 2, false)); // 2002::/16 6to4: the IPv4 address follows the prefix
            }
            if (first16 == 0x2001 && second16 == 0) {
                // 2001::/32 Teredo: the server's IPv4 address, then the client's with every bit flipped
                return isPublic(ipv4(bytes, 4, false)) && isPublic(ipv4(bytes, 12, true));
            }
            if (first16 == 0x0064 && second16 == 0xff9b && bytes[4] == 0 && bytes[5] == 1) {
                return false; // 64:ff9b:1::/48 local-use NAT64
            }
            if (first16 == 0x2001 && second16 == 0x0db8) {
                return false; // 2001:db8::/32 documentation
            }
            if (first16 == 0x0100 && second16 == 0 && bytes[4] == 0 && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0) {
                return false; // 100::/64 discard
            }
        }
        return true;
    }

    private static boolean isIpv4Translated(byte[] bytes) {
        // ::ffff:0:0/96 (an IPv4-translated address) carries an IPv4 address in its last four bytes
        for (int i = 0; i < 8; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return (bytes[8] & 0xff) == 0xff && (bytes[9] & 0xff) == 0xff && bytes[10] == 0 && bytes[11] == 0;
    }

    private static boolean isNat64(byte[] bytes) {
        // 64:ff9b::/96 carries an IPv4 address in its last four bytes
        if (bytes[0] != 0 || bytes[1] != 0x64 || (bytes[2] & 0xff) != 0xff || (bytes[3] & 0xff) != 0x9b) {
            return false;
        }
        for (int i = 4; i < 12; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(byte[] bytes, int from, boolean inverted) {
        int mask = inverted ? 0xff : 0;
        try {
            return InetAddress.getByAddress(new byte[] { (byte) (bytes[from] ^ mask), (byte) (bytes[from + 1] ^ mask),
                    (byte) (bytes[from + 2] ^ mask), (byte) (bytes[from + 3] ^ mask) });
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException("four bytes are always an IPv4 address", ex);
        }
    }

    /** A label the URL standard reads as a number: decimal digits, or {@code 0x} and hex digits. */
    private static boolean isNumber(String label) {
        String lower = label.toLowerCase(Locale.ROOT);
        return lower.matches("[0-9]+") || lower.matches("0x[0-9a-f]*");
    }

    private static long number(String label, String host) {
        String lower = label.toLowerCase(Locale.ROOT);
        int radix = 10;
        String digits = lower;
        if (lower.startsWith("0x")) {
            radix = 16;
            digits = lower.substring(2);
        }
        else if (lower.length() > 1 && lower.startsWith("0")) {
            radix = 8;
            digits = lower.substring(1);
        }
        if (digits.isEmpty()) {
            return 0; // "0x" is zero, as the URL standard reads it
        }
        String allowed = radix == 16 ? "[0-9a-f]+" : radix == 8 ? "[0-7]+" : "[0-9]+";
        if (!digits.matches(allowed) || digits.replaceFirst("^0+(?=.)", "").length() > 12) {
            throw new IllegalArgumentException("host '" + host + "' is not a valid IP address");
        }
        return Long.parseLong(digits, radix);
    }
}
