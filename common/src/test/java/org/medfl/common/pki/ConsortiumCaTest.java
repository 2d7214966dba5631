package org.medfl.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsortiumCaTest {
  @TempDir Path dir;

  @Test
  void issuedCertificateCarriesNameRoleConsortiumAndHostnames() throws Exception {
    // given
    ConsortiumCa ca = ConsortiumCa.create("demo");

    // when
    Identity coordinator = ca.issue("coordinator", Role.COORDINATOR, List.of("fl.example.org", "localhost", "127.0.0.1"));

    // then
    X509Certificate cert = coordinator.certificate();
    assertEquals("CN=coordinator,OU=coordinator,O=demo", cert.getSubjectX500Principal().getName());
    assertEquals(new Peer("coordinator", Role.COORDINATOR), Peer.of(cert));
    assertTrue(ConsortiumCa.issued(ca.certificate(), cert));
    assertEquals(Set.of("2:fl.example.org", "2:localhost", "7:127.0.0.1"),
        cert.getSubjectAlternativeNames().stream().map(n -> n.get(0) + ":" + n.get(1)).collect(Collectors.toSet()));
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
    assertTrue(cert.getKeyUsage()[0], "digitalSignature");
    assertEquals(-1, cert.getBasicConstraints());
    long days = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
    assertTrue(days >= 1095 && days <= 1097, "about 3 years, was " + days + " days");
  }

  @Test
  void caCertificateIsSelfSignedCaForTenYears() {
    // given / when
    X509Certificate cert = ConsortiumCa.create("demo").certificate();

    // then
    assertTrue(ConsortiumCa.issued(cert, cert));
    assertTrue(cert.getBasicConstraints() >= 0);
    assertTrue(cert.getKeyUsage()[5], "keyCertSign");
    long days = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
    assertTrue(days >= 3652 && days <= 3654, "about 10 years, was " + days + " days");
  }

  @Test
  void issueRejectsNameOutsideTheSyntax() {
    // given
    ConsortiumCa ca = ConsortiumCa.create("demo");

    // when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ca.issue("Site A", Role.SITE, List.of()));

    // then
    assertTrue(e.getMessage().contains("'Site A'"), e.getMessage());
  }

  @Test
  void writtenCaLoadsBackAndKeepsIssuing() throws Exception {
    // given
    ConsortiumCa ca = ConsortiumCa.create("demo");
    ca.writeTo(dir);

    // when
    ConsortiumCa loaded = ConsortiumCa.load(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
    Identity site = loaded.issue("site-a", Role.SITE, List.of());

    // then
    assertEquals("demo", loaded.consortium());
    assertEquals(ca.certificate(), loaded.certificate());
    assertTrue(ConsortiumCa.issued(ca.certificate(), site.certificate()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))));
  }

  @Test
  void loadRejectsKeyOfAnotherCa() {
    // given
    ConsortiumCa.create("demo").writeTo(dir.resolve("a"));
    ConsortiumCa.create("demo").writeTo(dir.resolve("b"));

    // when
    PkiException e = assertThrows(PkiException.class,
        () -> ConsortiumCa.load(dir.resolve("a/ca.pem"), dir.resolve("b/ca-key.pem")));

    // then
    assertTrue(e.getMessage().startsWith(dir.resolve("b/ca-key.pem") + " is not the private key"), e.getMessage());
  }
}
