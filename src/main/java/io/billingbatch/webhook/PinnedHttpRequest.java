package io.billingbatch.webhook;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 request to an address chosen beforehand: the connection goes to exactly
 * {@code address} (the one that was checked), while the {@code Host} header, and for https the
 * TLS server name (SNI) and the certificate's hostname check, use the URI's host. A client that
 * resolves the name itself would look it up a second time, and a name that changes its answer in
 * between (DNS rebinding) would pass the check with one address and be called at another.
 */
final class PinnedHttpRequest {

    private static final int MAX_LINE = 8 * 1024;

    private PinnedHttpRequest() {
    }

    /**
     * Sends the request and reads the response's status; the body is not read, nothing is followed.
     *
     * @return the HTTP status code of the final (non-1xx) response
     * @throws IOException when the connection, TLS handshake or exchange fails or takes longer than {@code timeout}
     */
    static int send(URI uri, InetAddress address, String method, Map<String, String> headers, byte[] body,
            Duration timeout, SSLSocketFactory tls) throws IOException {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost();
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        long deadline = System.nanoTime() + timeout.toNanos();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address, port), (int) Math.max(1, timeout.toMillis()));
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            Socket channel = socket;
            if (https) {
                SSLSocket secure = (SSLSocket) tls.createSocket(socket, bareHost, port, true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URI's host
                if (ReceiverAddresses.literal(host).isEmpty()) {
                    parameters.setServerNames(List.of(new SNIHostName(bareHost)));
                }
                secure.setSSLParameters(parameters);
                secure.startHandshake();
                channel = secure;
            }
            OutputStream out = channel.getOutputStream();
            out.write(head(uri, method, headers, body.length, https ? 443 : 80).getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return status(new BufferedInputStream(channel.getInputStream()), deadline);
        }
        finally {
            socket.close();
        }
    }

    private static String head(URI uri, String method, Map<String, String> headers, int length, int defaultPort) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String hostHeader = uri.getHost() + (uri.getPort() >= 0 && uri.getPort() != defaultPort ? ":" + uri.getPort() : "");
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostHeader).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(length).append("\r\n");
        head.append("Connection: close\r\n\r\n");
        return head.toString();
    }

    /** The status of the first final response, skipping interim (1xx) ones. */
    private static int status(InputStream in, long deadline) throws IOException {
        while (true) {
            String statusLine = line(in, deadline);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
                throw new IOException("the receiver did not answer HTTP (status line '" + abbreviate(statusLine) + "')");
            }
            int status = Integer.parseInt(parts[1]);
            if (status >= 200) {
                return status;
            }
            while (!line(in, deadline).isEmpty()) {
                // headers of an interim response
            }
        }
    }

    private static String line(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("the receiver closed the connection before answering");
            }
            if (System.nanoTime() > deadline) {
                throw new SocketTimeoutException("the receiver did not answer in time");
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("the receiver's answer has a line longer than " + MAX_LINE + " bytes");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
