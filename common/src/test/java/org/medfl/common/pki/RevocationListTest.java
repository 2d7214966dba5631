package org.medfl.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRLReason;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.testing.TestPki;

class RevocationListTest {
  @TempDir Path dir;
  private final TestPki pki = TestPki.create("demo");

  @Test
  void listRevokesItsSerialsOnlyAndCarriesItsNumber() throws Exception {
    // given
    Path file = dir.resolve("crl.pem");
    pki.writeRevocationList(file, 7, pki.site("site-a"));

    // when
    RevocationList list = RevocationList.read(file, pki.caCertificate());

    // then
    assertTrue(list.revokedAt(pki.site("site-a").certificate()).isPresent());
    assertEquals(Optional.empty(), list.revokedAt(pki.site("site-b").certificate()));
    assertEquals(BigInteger.valueOf(7), list.number());
    assertEquals(1, list.size());
    assertTrue(list.nextUpdate().orElseThrow().isAfter(Instant.now()));
  }

  @Test
  void revocationDateAndReasonComeFromTheEntry() {
    // given
    Instant revokedAt = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
    var serial = pki.site("site-a").certificate().getSerialNumber();
    var crl = pki.ca().revocationList(List.of(new Revocation(serial, revokedAt, Revocation.Reason.SUPERSEDED)),
        BigInteger.TWO, Instant.now(), Instant.now().plus(Duration.ofDays(1)));

    // when
    RevocationList list = RevocationList.parse(Pem.crlToPem(crl), "test", pki.caCertificate());

    // then
    assertEquals(Optional.of(revokedAt), list.revokedAt(pki.site("site-a").certificate()));
    assertEquals(CRLReason.SUPERSEDED, crl.getRevokedCertificate(serial).getRevocationReason());
  }

  @Test
  void listSignedByAnotherCaOfTheSameNameIsRefused() throws Exception {
    // given: a CA with the same subject, so only the signature tells them apart
    TestPki impostor = TestPki.create("demo");
    Path file = dir.resolve("crl.pem");
    impostor.writeRevocationList(file, 9);

    // when
    PkiException e = assertThrows(PkiException.class, () -> RevocationList.read(file, pki.caCertificate()));

    // then
    assertEquals(file + " is not signed by the consortium CA", e.getMessage());
  }

  @Test
  void listOfAnotherConsortiumIsRefusedNamingTheIssuer() throws Exception {
    // given
    Path file = dir.resolve("crl.pem");
    TestPki.create("other").writeRevocationList(file, 1);

    // when
    PkiException e = assertThrows(PkiException.class, () -> RevocationList.read(file, pki.caCertificate()));

    // then
    assertTrue(e.getMessage().startsWith(file + " was issued by O=other"), e.getMessage());
  }

  @Test
  void certificateFileIsNotAList() throws Exception {
    // given
    Path file = dir.resolve("crl.pem");
    Files.writeString(file, Pem.certificatesToPem(pki.caCertificate()));

    // when
    PkiException e = assertThrows(PkiException.class, () -> RevocationList.read(file, pki.caCertificate()));

    // then
    assertEquals(file + " is not a PEM revocation list (\"X509 CRL\")", e.getMessage());
  }
}
