package org.medfl.deploy.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.crypto.Digests;
import org.medfl.common.kit.Enrollment;
import org.medfl.common.kit.KitException;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.EcKeys;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.SigningRequest;

class KitSignerTest {
  @TempDir Path dir;
  private Path kits;
  private Path caDir;

  @BeforeEach
  void provision() {
    kits = dir.resolve("kits");
    caDir = Provisioner.provision("demo", "fl.example.org:8443", List.of("site-a"), List.of("admin-1"), List.of(),
        kits).caDir();
  }

  @Test
  void signedKitCarriesNoKeyAndNoOtherKitChanges() throws Exception {
    // given
    SigningRequest request = request("site-d");
    Map<Path, String> before = snapshot(kits, "site-d");

    // when
    KitSigner.Signed signed;
    try (CaStore store = CaStore.open(caDir)) {
      signed = KitSigner.sign(store, request, Role.SITE, "site-d", false, kits.resolve("site-d"));
    }

    // then
    assertEquals(kits.resolve("site-d"), signed.kit());
    assertFalse(Files.exists(signed.kit().resolve("startup/key.pem")));
    assertTrue(Files.isRegularFile(signed.kit().resolve("startup/cert.pem")));
    assertEquals(request.publicKey(), signed.certificate().getPublicKey());
    assertEquals("CN=site-d,OU=site,O=demo", signed.certificate().getSubjectX500Principal().getName());
    Map<Path, String> after = snapshot(kits, "site-d");
    after.keySet().removeIf(p -> p.startsWith(caDir));
    before.keySet().removeIf(p -> p.startsWith(caDir));
    assertEquals(before, after, "kits other than site-d's are not touched");
    try (CaStore store = CaStore.open(caDir)) {
      assertEquals(signed.certificate().getSerialNumber(), store.issuedTo("site-d").get(0).serial());
    }
  }

  @Test
  void nameAlreadyIssuedIsRefusedWithoutRotate() {
    // given
    SigningRequest request = request("site-a");

    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> KitSigner.sign(store, request, Role.SITE, null, false, dir.resolve("out")));
    }

    // then
    assertTrue(e.getMessage().startsWith("--csr: 'site-a' already has a certificate from this CA (site, serial "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("; to give it a new key, sign with --rotate"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  @Test
  void rotationIssuesASecondCertificateAndReportsTheOneStillInForce() {
    // given
    SigningRequest request = request("site-a");

    // when
    KitSigner.Signed signed;
    try (CaStore store = CaStore.open(caDir)) {
      signed = KitSigner.sign(store, request, Role.SITE, null, true, dir.resolve("site-a-2"));
    }

    // then
    assertEquals(1, signed.previous().size());
    try (CaStore store = CaStore.open(caDir)) {
      assertEquals(2, store.issuedTo("site-a").size());
    }
  }

  @Test
  void rotationKeepsTheRole() {
    // given
    SigningRequest request = request("site-a");

    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> KitSigner.sign(store, request, Role.ADMIN, null, true, dir.resolve("out")));
    }

    // then
    assertEquals("--role admin: 'site-a' is a site; a rotation keeps the role", e.getMessage());
  }

  @Test
  void rotationOfAnUnknownNameIsRefused() {
    // given
    SigningRequest request = request("site-z");

    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> KitSigner.sign(store, request, Role.SITE, null, true, dir.resolve("out")));
    }

    // then
    assertEquals("--rotate: this CA never issued a certificate to 'site-z'; sign without --rotate to add it",
        e.getMessage());
  }

  @Test
  void keyCertifiedBeforeIsRefused() throws Exception {
    // given: the request whose key already got site-d its certificate, sent again for a rotation
    Path kitDir = dir.resolve("site-d-home");
    Enrollment.Request enrollment = Enrollment.begin(kitDir, "site-d");
    SigningRequest request = SigningRequest.read(enrollment.request());
    try (CaStore store = CaStore.open(caDir)) {
      KitSigner.sign(store, request, Role.SITE, null, false, dir.resolve("signed"));
    }

    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> KitSigner.sign(store, request, Role.SITE, null, true, dir.resolve("signed-again")));
    }

    // then
    assertTrue(e.getMessage().startsWith("--csr: its key is already certified (serial "), e.getMessage());
  }

  @Test
  void requestForAnotherNameThanExpectedIsRefused() {
    // given
    SigningRequest request = request("site-d");

    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> KitSigner.sign(store, request, Role.SITE, "site-e", false, dir.resolve("out")));
    }

    // then
    assertEquals("--name: the request asks for 'site-d', not 'site-e'", e.getMessage());
  }

  @Test
  void reservedNameIsRefused() {
    // given
    SigningRequest request = request("coordinator");

    // when
    IllegalArgumentException e;
    try (CaStore store = CaStore.open(caDir)) {
      e = assertThrows(IllegalArgumentException.class,
          () -> KitSigner.sign(store, request, Role.SITE, null, false, dir.resolve("out")));
    }

    // then
    assertEquals("--csr: 'coordinator' is reserved; the participant must enroll with another name", e.getMessage());
  }

  @Test
  void enrolledSiteCompletesItsKitFromTheSignedOne() {
    // given
    Path kitDir = dir.resolve("site-d-home");
    Enrollment.Request enrollment = Enrollment.begin(kitDir, "site-d");
    try (CaStore store = CaStore.open(caDir)) {
      KitSigner.sign(store, SigningRequest.read(enrollment.request()), Role.SITE, null, false, dir.resolve("signed"));
    }

    // when
    StartupKit kit = Enrollment.complete(kitDir, dir.resolve("signed"));

    // then
    assertEquals("site-d", kit.name());
    assertEquals("fl.example.org", kit.coordinatorHost());
    assertEquals(StartupKit.load(kits.resolve("site-a")).caCertificate(), kit.caCertificate());
  }

  @Test
  void secondCommandOnTheSameCaFolderIsRefusedWhileTheFirstRuns() {
    // given
    try (CaStore first = CaStore.open(caDir)) {
      // when
      KitException e = assertThrows(KitException.class, () -> CaStore.open(caDir));

      // then
      assertEquals("CA folder " + caDir + " is in use by another fl provision command; try again when it ends",
          e.getMessage());
    }
  }

  /** A request for {@code name} with a fresh key, as fl site enroll would write it. */
  private SigningRequest request(String name) {
    Path file = dir.resolve(name + "-" + System.nanoTime() + ".csr.pem");
    try {
      Files.writeString(file, SigningRequest.createPem(name, EcKeys.generate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return SigningRequest.read(file);
  }

  /** Every regular file under {@code root} with its digest, except those of {@code skip}'s kit. */
  private static Map<Path, String> snapshot(Path root, String skip) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).filter(p -> !p.startsWith(root.resolve(skip)))
          .collect(Collectors.toMap(p -> p, Digests::sha256Hex, (a, b) -> a, TreeMap::new));
    }
  }
}
