package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.crypto.Digests;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Identity;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.access.CertificateCheck;
import org.medfl.deploy.cli.FlCommand;
import org.medfl.proto.v1.FleetGrpc;
import org.medfl.proto.v1.JoinRequest;
import picocli.CommandLine;

/**
 * Certificate lifecycle through the fl commands against one running coordinator, never restarted: a site enrolls
 * with a key made at the site, a site is revoked, a site rotates its key.
 */
class CertificateLifecycleIT {
  @TempDir Path dir;
  private Path kits;
  private Path caDir;
  private int port;
  private CoordinatorServer coordinator;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void provisionAndStartTheCoordinator() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    kits = dir.resolve("kits");
    caDir = kits.resolve("consortium-ca");
    assertEquals(0, fl("provision", "--consortium", "demo", "--coordinator", "127.0.0.1:" + port,
        "--sites", "hospital-a", "--admins", "alice", "--out", kits.toString()), err::toString);
    // As fl coordinator start does: the kit's startup/crl.pem, re-read when it changes.
    StartupKit kit = StartupKit.load(kits.resolve("coordinator"));
    coordinator = CoordinatorServer.withTls(new InetSocketAddress("127.0.0.1", port), kit.identity(),
        kit.caCertificate(), kit.consortium(), dir.resolve("state"),
        CertificateCheck.withCrl(kit.crlFile(), kit.caCertificate())).start();
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    coordinator.stop();
  }

  @Test
  void siteEnrolledWithItsOwnKeyJoinsAndNoOtherKitChanges() throws Exception {
    // given
    Path home = dir.resolve("hospital-d-host/kit");
    Map<Path, String> before = snapshot(kits);

    // when: enroll at the site, sign at the CA, complete at the site
    int enrolled = fl("site", "enroll", "--name", "hospital-d", "--kit", home.toString());
    String fingerprint = match(out.toString(), "key fingerprint: (SHA256:[0-9a-f]{64})");
    int signed = fl("provision", "sign", "--ca-dir", caDir.toString(), "--csr",
        home.resolve("enroll/hospital-d.csr.pem").toString(), "--role", "site", "--fingerprint", fingerprint);
    boolean signedKitHasKey = Files.exists(kits.resolve("hospital-d/startup/key.pem"));
    int completed = fl("site", "enroll", "--complete", kits.resolve("hospital-d").toString(), "--kit",
        home.toString());

    // then
    assertEquals(List.of(0, 0, 0), List.of(enrolled, signed, completed), err::toString);
    assertFalse(signedKitHasKey, "the CA never has the site's key");
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(home.resolve("startup/key.pem"))));
    Map<Path, String> after = snapshot(kits);
    after.keySet().removeIf(p -> p.startsWith(kits.resolve("hospital-d")) || p.startsWith(caDir));
    before.keySet().removeIf(p -> p.startsWith(caDir));
    assertEquals(before, after, "no other kit was re-issued or touched");
    assertEquals("hospital-d", join(StartupKit.load(home).identity()));
  }

  @Test
  void revokedSiteIsRefusedOnItsNextConnectionWithoutARestart() throws Exception {
    // given
    Identity site = StartupKit.load(kits.resolve("hospital-a")).identity();
    String before = join(site);

    // when
    int revoked = fl("provision", "revoke", "hospital-a", "--ca-dir", caDir.toString());
    installCrl();

    // then
    assertEquals("hospital-a", before);
    assertEquals(0, revoked, err::toString);
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> join(site));
    assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("revoked"), refused.getStatus().getDescription());
    fl("provision", "list", "--ca-dir", caDir.toString());
    assertTrue(out.toString().matches("(?s).*hospital-a +site +[0-9a-f]+ +\\S+ +revoked \\(unspecified\\).*"),
        out.toString());
  }

  @Test
  void rotatedSiteIsAcceptedWithoutARestartAndItsOldCertificateRefusedOnceRevoked() throws Exception {
    // given: hospital-a's kit at the site, working
    Path kit = kits.resolve("hospital-a");
    Identity old = StartupKit.load(kit).identity();
    join(old);

    // when: a new key at the site, signed with --rotate, installed into the same kit
    int enrolled = fl("site", "enroll", "--kit", kit.toString());
    int signed = fl("provision", "sign", "--ca-dir", caDir.toString(), "--csr",
        kit.resolve("enroll/hospital-a.csr.pem").toString(), "--role", "site", "--rotate",
        "--out", dir.resolve("signed/hospital-a").toString());
    int completed = fl("site", "enroll", "--complete", dir.resolve("signed/hospital-a").toString(), "--kit",
        kit.toString());
    Identity rotated = StartupKit.load(kit).identity();
    String newAccepted = join(rotated);
    String oldStillAccepted = join(old);
    int revoked = fl("provision", "revoke", "hospital-a", "--superseded", "--ca-dir", caDir.toString());
    installCrl();

    // then
    assertEquals(List.of(0, 0, 0, 0), List.of(enrolled, signed, completed, revoked), err::toString);
    assertTrue(out.toString().contains("fl provision revoke hospital-a --superseded"), out.toString());
    assertNotEquals(old.certificate(), rotated.certificate());
    assertEquals("hospital-a", newAccepted);
    assertEquals("hospital-a", oldStillAccepted);
    assertEquals(Status.Code.UNAUTHENTICATED,
        assertThrows(StatusRuntimeException.class, () -> join(old)).getStatus().getCode());
    assertEquals("hospital-a", join(rotated));
  }

  @Test
  void signingANameTwiceWithoutRotateIsRefused() throws Exception {
    // given
    Path home = dir.resolve("hospital-a-again");
    fl("site", "enroll", "--name", "hospital-a", "--kit", home.toString());

    // when
    int code = fl("provision", "sign", "--ca-dir", caDir.toString(), "--csr",
        home.resolve("enroll/hospital-a.csr.pem").toString(), "--role", "site");

    // then
    assertEquals(2, code);
    assertTrue(err.toString().contains("'hospital-a' already has a certificate from this CA"), err.toString());
  }

  /** Copies the CA's latest CRL to the coordinator as the operator would: a temp file, then a rename. */
  private void installCrl() throws Exception {
    Path target = StartupKit.load(kits.resolve("coordinator")).crlFile();
    Path temp = Files.createTempFile(target.getParent(), ".crl-", ".tmp");
    Files.copy(caDir.resolve("crl.pem"), temp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Joins over a new mutual-TLS connection to the kit's coordinator address; returns the name it was given. */
  private String join(Identity identity) {
    StartupKit coordinatorKit = StartupKit.load(kits.resolve("coordinator"));
    ManagedChannel channel = Channels.mutualTls("127.0.0.1", port, identity, coordinatorKit.caCertificate());
    channels.add(channel);
    return FleetGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .join(JoinRequest.getDefaultInstance()).getSiteName();
  }

  private int fl(String... args) {
    CommandLine line = FlCommand.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return line.execute(args);
  }

  private static String match(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), "no " + regex + " in " + text);
    return m.group(1);
  }

  private static Map<Path, String> snapshot(Path root) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile)
          .collect(Collectors.toMap(p -> p, Digests::sha256Hex, (a, b) -> a, TreeMap::new));
    }
  }
}
