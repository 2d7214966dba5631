package org.medfl.common.testing;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Role;

/**
 * An in-memory consortium CA with participants for tests; asking twice for the same participant gives the same
 * identity, so a server and a client in one test agree on certificates.
 */
public final class TestPki {
  private final ConsortiumCa ca;
  private final Map<String, Identity> issued = new ConcurrentHashMap<>();

  private TestPki(ConsortiumCa ca) {
    this.ca = ca;
  }

  /** A new CA for {@code consortium}; nothing touches the disk. */
  public static TestPki create(String consortium) {
    return new TestPki(ConsortiumCa.create(consortium));
  }

  /** The coordinator "coordinator", valid as a server for localhost and 127.0.0.1. */
  public Identity coordinator() {
    return identity("coordinator", Role.COORDINATOR, List.of("localhost", "127.0.0.1"));
  }

  /** A site named {@code name}. */
  public Identity site(String name) {
    return identity(name, Role.SITE, List.of());
  }

  /** An admin named {@code name}. */
  public Identity admin(String name) {
    return identity(name, Role.ADMIN, List.of());
  }

  /** An auditor named {@code name}. */
  public Identity auditor(String name) {
    return identity(name, Role.AUDITOR, List.of());
  }

  /** The CA certificate every participant trusts. */
  public X509Certificate caCertificate() {
    return ca.certificate();
  }

  /** The CA itself, e.g. to sign kits or issue participants with unusual hostnames. */
  public ConsortiumCa ca() {
    return ca;
  }

  private Identity identity(String name, Role role, List<String> hostnames) {
    Identity identity = issued.computeIfAbsent(name, n -> ca.issue(n, role, hostnames));
    if (identity.role() != role) {
      throw new IllegalArgumentException(
          name + " was already issued as " + identity.role().certValue() + ", not " + role.certValue());
    }
    return identity;
  }
}
