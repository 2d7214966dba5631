package org.medfl.common.kit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host and TCP port, as in the coordinator address "fl.example.org:8443" or "[::1]:8443".
 *
 * @param host a DNS name or IP literal, without brackets
 * @param port 1 to 65535
 */
public record Endpoint(String host, int port) {
  private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9._-]+)):(\\d{1,5})");

  /** Rejects ports outside 1-65535 and blank hosts. */
  public Endpoint {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
    }
  }

  /**
   * Parses "host:port"; IPv6 hosts go in brackets.
   *
   * @throws IllegalArgumentException naming {@code hostPort} when it is not host:port with a port from 1 to 65535
   */
  public static Endpoint parse(String hostPort) {
    Matcher m = hostPort == null ? null : HOST_PORT.matcher(hostPort);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("'" + hostPort + "' is not host:port, e.g. fl.example.org:8443");
    }
    int port = Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("'" + hostPort + "' has port " + port + "; use a port from 1 to 65535");
    }
    return new Endpoint(m.group(1) != null ? m.group(1) : m.group(2), port);
  }

  /** "host:port", with brackets around IPv6 hosts. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
