package org.medfl.common.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.EcKeys;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.Revocation;
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

  /** A site certificate for {@code name} that expired a day ago (valid for ten days before that); not cached. */
  public Identity expiredSite(String name) {
    KeyPair pair = EcKeys.generate();
    Instant now = Instant.now();
    X509Certificate certificate = ca.certify(name, Role.SITE, List.of(), pair.getPublic(),
        now.minus(Duration.ofDays(11)), now.minus(Duration.ofDays(1)));
    return new Identity(name, Role.SITE, certificate, pair.getPrivate());
  }

  /** A new key and certificate for the participant of {@code old}, as after a key rotation; not cached. */
  public Identity reissue(Identity old) {
    return ca.issue(old.name(), old.role(), List.of());
  }

  /** A CRL signed by this CA with CRL number {@code number}, revoking {@code revoked} as of now. */
  public X509CRL revocationList(long number, Identity... revoked) {
    Instant now = Instant.now();
    List<Revocation> entries = Arrays.stream(revoked)
        .map(id -> new Revocation(id.certificate().getSerialNumber(), now, Revocation.Reason.UNSPECIFIED))
        .toList();
    return ca.revocationList(entries, BigInteger.valueOf(number), now, now.plus(Duration.ofDays(30)));
  }

  /**
   * Writes {@link #revocationList} to {@code file} as PEM through a temp file and a rename, as an operator should, so
   * that a coordinator watching the file never reads half of it.
   */
  public void writeRevocationList(Path file, long number, Identity... revoked) throws IOException {
    Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".crl-", ".tmp");
    Files.writeString(temp, Pem.crlToPem(revocationList(number, revoked)), StandardCharsets.US_ASCII);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
