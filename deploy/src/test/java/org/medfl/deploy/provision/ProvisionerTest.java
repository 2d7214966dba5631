package org.medfl.deploy.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.crypto.Digests;
import org.medfl.common.kit.KitException;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.Role;

class ProvisionerTest {
  @TempDir Path out;

  @Test
  void everyKitLoadsWithItsRole() throws Exception {
    // given / when
    ProvisionResult result = provisionDemo();

    // then
    Map<String, Role> roles = new TreeMap<>();
    result.kits().forEach((name, dir) -> roles.put(name, StartupKit.load(dir).role()));
    assertEquals(Map.of("coordinator", Role.COORDINATOR, "site-a", Role.SITE, "site-b", Role.SITE,
        "admin-1", Role.ADMIN, "audit-1", Role.AUDITOR), roles);
    X509Certificate ca = Pem.readCertificate(result.caDir().resolve("ca.pem"));
    assertEquals(ca, StartupKit.load(result.kits().get("site-a")).caCertificate());
    assertEquals("fl.example.org", StartupKit.load(result.kits().get("admin-1")).coordinatorHost());
    assertTrue(Files.readString(result.caDir().resolve("README.txt")).contains("OFFLINE"));
  }

  @Test
  void coordinatorCertificateNamesItsHostAndLoopback() throws Exception {
    // given / when
    ProvisionResult result = provisionDemo();

    // then
    X509Certificate cert = StartupKit.load(result.kits().get("coordinator")).identity().certificate();
    Set<String> altNames = cert.getSubjectAlternativeNames().stream()
        .map(name -> String.valueOf(name.get(1))).collect(Collectors.toSet());
    assertEquals(Set.of("fl.example.org", "localhost", "127.0.0.1"), altNames);
  }

  @Test
  void privateKeysAreOwnerOnlyAndNoWorkFolderRemains() throws Exception {
    // given / when
    ProvisionResult result = provisionDemo();

    // then
    assertEquals("rw-------", mode(result.caDir().resolve("ca-key.pem")));
    for (Path kit : result.kits().values()) {
      assertEquals("rw-------", mode(kit.resolve("startup/key.pem")), kit.toString());
    }
    try (Stream<Path> entries = Files.list(out)) {
      assertEquals(Set.of("consortium-ca", "coordinator", "site-a", "site-b", "admin-1", "audit-1"),
          entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  void provisioningAgainIntoTheSameFolderFailsAndChangesNothing() throws Exception {
    // given
    provisionDemo();
    Map<Path, String> before = snapshot(out);

    // when
    KitException e = assertThrows(KitException.class, this::provisionDemo);

    // then
    assertEquals(out.resolve("consortium-ca") + " already exists; refusing to overwrite a consortium CA",
        e.getMessage());
    assertEquals(before, snapshot(out));
  }

  @Test
  void existingKitFolderStopsProvisioningBeforeAnythingIsWritten() throws Exception {
    // given
    Files.createDirectories(out.resolve("site-b"));
    Files.writeString(out.resolve("site-b/notes.txt"), "ours");

    // when
    KitException e = assertThrows(KitException.class, this::provisionDemo);

    // then
    assertEquals("kit " + out.resolve("site-b") + " already exists; refusing to overwrite a kit", e.getMessage());
    assertEquals(Set.of(out.resolve("site-b/notes.txt")), snapshot(out).keySet());
  }

  @Test
  void tamperedKitJsonFailsLoadNamingTheFile() throws Exception {
    // given
    Path kit = provisionDemo().kits().get("site-a");
    Path kitJson = kit.resolve("startup/kit.json");
    Files.writeString(kitJson, Files.readString(kitJson).replace("fl.example.org:8443", "evil.example.com:8443"));

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kit));

    // then
    assertEquals("kit " + kit + ": startup/kit.json does not match its digest in startup/manifest.json"
        + " (the kit was modified after provisioning)", e.getMessage());
  }

  @Test
  void invalidSiteNameIsRejectedNamingFlagAndValue() {
    // given / when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Provisioner.provision(
        "demo", "fl.example.org:8443", List.of("Site A"), List.of("admin-1"), List.of(), out));

    // then
    assertEquals("--sites: 'Site A' is not a valid name; use lowercase letters, digits and '-'", e.getMessage());
  }

  @Test
  void nameUsedInTwoRolesIsRejected() {
    // given / when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Provisioner.provision(
        "demo", "fl.example.org:8443", List.of("site-a"), List.of("site-a"), List.of(), out));

    // then
    assertEquals("--admins: 'site-a' is already listed in --sites; each participant needs its own name",
        e.getMessage());
  }

  @Test
  void coordinatorWithoutValidPortIsRejected() {
    // given / when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Provisioner.provision(
        "demo", "fl.example.org:0", List.of("site-a"), List.of("admin-1"), List.of(), out));

    // then
    assertEquals("--coordinator: 'fl.example.org:0' has port 0; use a port from 1 to 65535", e.getMessage());
  }

  @Test
  void atLeastOneAdminIsNeeded() {
    // given / when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Provisioner.provision(
        "demo", "fl.example.org:8443", List.of("site-a"), List.of(), List.of(), out));

    // then
    assertEquals("--admins: at least one admin is needed", e.getMessage());
  }

  private ProvisionResult provisionDemo() {
    return Provisioner.provision("demo", "fl.example.org:8443", List.of("site-a", "site-b"), List.of("admin-1"),
        List.of("audit-1"), out);
  }

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  /** Every regular file under {@code root} with its digest. */
  private static Map<Path, String> snapshot(Path root) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile)
          .collect(Collectors.toMap(p -> p, Digests::sha256Hex, (a, b) -> a, TreeMap::new));
    }
  }
}
