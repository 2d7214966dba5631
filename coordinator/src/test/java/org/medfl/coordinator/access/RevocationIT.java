package org.medfl.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.pki.Identity;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.proto.v1.FleetGrpc;
import org.medfl.proto.v1.JoinRequest;

/** Revocation, rotation and expiry on a running coordinator: they take effect on the next call, without a restart. */
class RevocationIT {
  private final TestPki pki = TestPki.create("test");
  @TempDir Path dir;

  @Test
  void revokedSiteIsRefusedOnItsOpenConnectionAndOnANewOne() throws Exception {
    // given: a site connected and working, and another site
    Path crl = dir.resolve("crl.pem");
    try (LoopbackCoordinator coordinator = start(CertificateCheck.withCrl(crl, pki.caCertificate()))) {
      var siteA = FleetGrpc.newBlockingStub(coordinator.channelFor(pki.site("hospital-a")));
      var siteB = FleetGrpc.newBlockingStub(coordinator.channelFor(pki.site("hospital-b")));
      join(siteA);

      // when: the CA revokes hospital-a and the new CRL is put in place
      pki.writeRevocationList(crl, 1, pki.site("hospital-a"));

      // then
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> join(siteA));
      assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
      assertTrue(refused.getStatus().getDescription().contains("CN=hospital-a,OU=site,O=test"),
          refused.getStatus().getDescription());
      assertTrue(refused.getStatus().getDescription().contains("was revoked by the consortium CA"),
          refused.getStatus().getDescription());
      var fresh = FleetGrpc.newBlockingStub(coordinator.channelFor(pki.site("hospital-a")));
      assertEquals(Status.Code.UNAUTHENTICATED,
          assertThrows(StatusRuntimeException.class, () -> join(fresh)).getStatus().getCode());
      assertEquals("hospital-b", join(siteB));
    }
  }

  @Test
  void rotatedCertificateIsAcceptedAndTheOldOneRefusedOnceRevoked() throws Exception {
    // given
    Path crl = dir.resolve("crl.pem");
    Identity old = pki.site("hospital-a");
    try (LoopbackCoordinator coordinator = start(CertificateCheck.withCrl(crl, pki.caCertificate()))) {
      var oldStub = FleetGrpc.newBlockingStub(coordinator.channelFor(old));
      join(oldStub);

      // when: a new key and certificate for the same site, then the old one revoked as superseded
      Identity rotated = pki.reissue(old);
      var newStub = FleetGrpc.newBlockingStub(coordinator.channelFor(rotated));
      String acceptedBeforeRevocation = join(newStub);
      String oldStillAccepted = join(oldStub);
      pki.writeRevocationList(crl, 1, old);

      // then
      assertEquals("hospital-a", acceptedBeforeRevocation);
      assertEquals("hospital-a", oldStillAccepted);
      assertEquals("hospital-a", join(newStub));
      assertEquals(Status.Code.UNAUTHENTICATED,
          assertThrows(StatusRuntimeException.class, () -> join(oldStub)).getStatus().getCode());
    }
  }

  @Test
  void certificateThatExpiresDuringAConnectionIsRefusedOnItsNextCall() throws Exception {
    // given: a connection made while the certificate is valid
    Identity site = pki.site("hospital-a");
    MovableClock clock = new MovableClock(Instant.now());
    try (LoopbackCoordinator coordinator = start(new CertificateCheck(null, pki.caCertificate(), clock))) {
      var stub = FleetGrpc.newBlockingStub(coordinator.channelFor(site));
      join(stub);

      // when: the coordinator's clock passes the certificate's notAfter; the TLS session stays open
      clock.set(site.certificate().getNotAfter().toInstant().plus(Duration.ofMinutes(1)));

      // then
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> join(stub));
      assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
      assertTrue(refused.getStatus().getDescription().contains("expired at"), refused.getStatus().getDescription());
    }
  }

  private LoopbackCoordinator start(CertificateCheck check) throws Exception {
    return LoopbackCoordinator.start(pki, pki.coordinator(), dir.resolve("state"), spec -> new float[4], check);
  }

  private static String join(FleetGrpc.FleetBlockingStub stub) {
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS).join(JoinRequest.getDefaultInstance()).getSiteName();
  }

  /** A clock the test sets; only the coordinator's certificate check reads it. */
  private static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
