package org.medfl.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.pki.Identity;
import org.medfl.common.testing.TestPki;

class CertificateCheckTest {
  private final TestPki pki = TestPki.create("test");
  @TempDir Path dir;

  @Test
  void crlThatAppearsLaterRevokesFromTheNextCheck() throws Exception {
    // given
    Path crl = dir.resolve("crl.pem");
    CertificateCheck check = CertificateCheck.withCrl(crl, pki.caCertificate());
    Identity site = pki.site("hospital-a");
    Optional<String> before = check.refusal(site.certificate());

    // when
    pki.writeRevocationList(crl, 1, site);

    // then
    assertEquals(Optional.empty(), before);
    String refusal = check.refusal(site.certificate()).orElseThrow();
    assertTrue(refusal.startsWith("certificate CN=hospital-a,OU=site,O=test (serial "
        + site.certificate().getSerialNumber().toString(16) + ") was revoked by the consortium CA at "), refusal);
    assertEquals(Optional.empty(), check.refusal(pki.site("hospital-b").certificate()));
  }

  @Test
  void replacedCrlIsReadAgain() throws Exception {
    // given
    Path crl = dir.resolve("crl.pem");
    pki.writeRevocationList(crl, 1, pki.site("hospital-a"));
    CertificateCheck check = CertificateCheck.withCrl(crl, pki.caCertificate());
    boolean bRevokedBefore = check.refusal(pki.site("hospital-b").certificate()).isPresent();

    // when
    pki.writeRevocationList(crl, 2, pki.site("hospital-a"), pki.site("hospital-b"));

    // then
    assertEquals(false, bRevokedBefore);
    assertTrue(check.refusal(pki.site("hospital-b").certificate()).isPresent());
    assertEquals(BigInteger.TWO, check.revocationList().number());
  }

  @Test
  void olderCrlCannotBringARevokedCertificateBack() throws Exception {
    // given
    Path crl = dir.resolve("crl.pem");
    pki.writeRevocationList(crl, 5, pki.site("hospital-a"));
    CertificateCheck check = CertificateCheck.withCrl(crl, pki.caCertificate());
    check.refusal(pki.site("hospital-a").certificate());

    // when: an older list, from before the revocation, is put back
    pki.writeRevocationList(crl, 4);

    // then
    assertTrue(check.refusal(pki.site("hospital-a").certificate()).isPresent());
    assertEquals(BigInteger.valueOf(5), check.revocationList().number());
  }

  @Test
  void crlSignedByAnotherCaIsIgnoredAndTheListInForceKept() throws Exception {
    // given
    Path crl = dir.resolve("crl.pem");
    pki.writeRevocationList(crl, 1, pki.site("hospital-a"));
    CertificateCheck check = CertificateCheck.withCrl(crl, pki.caCertificate());
    check.refusal(pki.site("hospital-a").certificate());

    // when: an impostor's empty list with a higher number
    TestPki.create("test").writeRevocationList(crl, 99);

    // then
    assertTrue(check.refusal(pki.site("hospital-a").certificate()).isPresent());
    assertEquals(BigInteger.ONE, check.revocationList().number());
  }

  @Test
  void deletedCrlKeepsTheListInForce() throws Exception {
    // given
    Path crl = dir.resolve("crl.pem");
    pki.writeRevocationList(crl, 1, pki.site("hospital-a"));
    CertificateCheck check = CertificateCheck.withCrl(crl, pki.caCertificate());
    check.refusal(pki.site("hospital-a").certificate());

    // when
    Files.delete(crl);

    // then
    assertTrue(check.refusal(pki.site("hospital-a").certificate()).isPresent());
  }

  @Test
  void certificateIsRefusedOnceItsClockPassesNotAfter() {
    // given
    Identity site = pki.site("hospital-a");
    Clock afterExpiry = Clock.fixed(site.certificate().getNotAfter().toInstant().plus(Duration.ofSeconds(1)),
        ZoneOffset.UTC);
    Clock beforeExpiry = Clock.fixed(site.certificate().getNotAfter().toInstant(), ZoneOffset.UTC);

    // when
    Optional<String> late = new CertificateCheck(null, pki.caCertificate(), afterExpiry).refusal(site.certificate());
    Optional<String> onTime = new CertificateCheck(null, pki.caCertificate(), beforeExpiry)
        .refusal(site.certificate());

    // then
    assertTrue(late.orElseThrow().contains("expired at " + site.certificate().getNotAfter().toInstant()), late.get());
    assertEquals(Optional.empty(), onTime);
  }

  @Test
  void expiredCertificateIsRefusedWithTheSystemClock() {
    // given
    Identity expired = pki.expiredSite("hospital-x");

    // when
    Optional<String> refusal = CertificateCheck.expiryOnly().refusal(expired.certificate());

    // then
    assertTrue(refusal.orElseThrow().contains("expired"), refusal.get());
  }
}
