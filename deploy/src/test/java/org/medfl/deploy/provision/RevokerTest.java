package org.medfl.deploy.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.EcKeys;
import org.medfl.common.pki.Revocation;
import org.medfl.common.pki.RevocationList;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.SigningRequest;

class RevokerTest {
  @TempDir Path dir;
  private Path kits;
  private Path caDir;

  @BeforeEach
  void provision() {
    kits = dir.resolve("kits");
    caDir = Provisioner.provision("demo", "fl.example.org:8443", List.of("site-a", "site-b"), List.of("admin-1"),
        List.of(), kits).caDir();
  }

  @Test
  void provisionedConsortiumStartsWithAnEmptyCrlAtTheCoordinator() {
    // given
    StartupKit coordinator = StartupKit.load(kits.resolve("coordinator"));

    // when
    RevocationList atCoordinator = RevocationList.read(coordinator.crlFile(), coordinator.caCertificate());
    RevocationList atCa = RevocationList.read(caDir.resolve("crl.pem"), coordinator.caCertificate());

    // then
    assertEquals(0, atCoordinator.size());
    assertEquals(BigInteger.ONE, atCoordinator.number());
    assertEquals(BigInteger.ONE, atCa.number());
    try (CaStore store = CaStore.open(caDir)) {
      assertEquals(List.of("coordinator", "site-a", "site-b", "admin-1"),
          store.issued().stream().map(IssuedCertificate::name).toList());
      assertEquals(StartupKit.load(kits.resolve("site-a")).identity().certificate().getSerialNumber(),
          store.issuedTo("site-a").get(0).serial());
    }
  }

  @Test
  void revokingANameListsItsCertificateInANewSignedCrl() {
    // given
    StartupKit siteA = StartupKit.load(kits.resolve("site-a"));

    // when
    Revoker.Revoked result;
    try (CaStore store = CaStore.open(caDir)) {
      result = Revoker.revoke(store, "site-a", null, Revoker.Scope.ALL);
    }

    // then
    RevocationList crl = RevocationList.read(result.crl(), siteA.caCertificate());
    assertEquals(BigInteger.TWO, crl.number());
    assertTrue(crl.revokedAt(siteA.identity().certificate()).isPresent());
    assertTrue(crl.revokedAt(StartupKit.load(kits.resolve("site-b")).identity().certificate()).isEmpty());
    assertEquals(Revocation.Reason.UNSPECIFIED, result.revoked().get(0).reason());
    try (CaStore store = CaStore.open(caDir)) {
      assertTrue(store.issuedTo("site-a").get(0).revoked(), "the index remembers the revocation");
    }
  }

  @Test
  void supersededRevokesAllButTheNewest() {
    // given: site-a rotated once
    try (CaStore store = CaStore.open(caDir)) {
      KitSigner.sign(store, request("site-a"), Role.SITE, null, true, dir.resolve("site-a-2"));
    }

    // when
    Revoker.Revoked result;
    try (CaStore store = CaStore.open(caDir)) {
      result = Revoker.revoke(store, "site-a", null, Revoker.Scope.SUPERSEDED);
    }

    // then
    StartupKit original = StartupKit.load(kits.resolve("site-a"));
    assertEquals(List.of(original.identity().certificate().getSerialNumber()),
        result.revoked().stream().map(IssuedCertificate::serial).toList());
    assertEquals(Revocation.Reason.SUPERSEDED, result.revoked().get(0).reason());
    try (CaStore store = CaStore.open(caDir)) {
      assertEquals(List.of(true, false), store.issuedTo("site-a").stream().map(IssuedCertificate::revoked).toList());
    }
  }

  @Test
  void supersededWithOneCertificateInForceIsRefused() {
    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> Revoker.revoke(store, "site-a", null, Revoker.Scope.SUPERSEDED));
    }

    // then
    assertEquals("--superseded: 'site-a' has 1 certificate(s) in force, so none is superseded; rotate first"
        + " (fl provision sign --rotate)", e.getMessage());
  }

  @Test
  void unknownNameIsRefused() {
    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> Revoker.revoke(store, "site-z", null, Revoker.Scope.ALL));
    }

    // then
    assertEquals("this CA never issued a certificate to 'site-z'; fl provision list shows who it did",
        e.getMessage());
  }

  @Test
  void serialOfAnotherParticipantIsRefused() {
    // given
    String serialOfB = StartupKit.load(kits.resolve("site-b")).identity().certificate().getSerialNumber()
        .toString(16);

    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> Revoker.revoke(store, "site-a", serialOfB, Revoker.Scope.ALL));
    }

    // then
    assertEquals("--serial " + serialOfB + " is not a certificate of 'site-a'; fl provision list shows its serials",
        e.getMessage());
  }

  @Test
  void reissuedCrlKeepsTheRevocationsWithTheNextNumber() {
    // given
    StartupKit siteA = StartupKit.load(kits.resolve("site-a"));
    try (CaStore store = CaStore.open(caDir)) {
      Revoker.revoke(store, "site-a", null, Revoker.Scope.ALL);
    }

    // when
    Revoker.Revoked result;
    try (CaStore store = CaStore.open(caDir)) {
      result = Revoker.reissue(store);
    }

    // then
    RevocationList crl = RevocationList.read(result.crl(), siteA.caCertificate());
    assertEquals(BigInteger.valueOf(3), crl.number());
    assertTrue(crl.revokedAt(siteA.identity().certificate()).isPresent());
  }

  private SigningRequest request(String name) {
    Path file = dir.resolve(name + "-" + System.nanoTime() + ".csr.pem");
    try {
      Files.writeString(file, SigningRequest.createPem(name, EcKeys.generate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return SigningRequest.read(file);
  }
}
