package org.medfl.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.TestJobs;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.FleetGrpc;
import org.medfl.proto.v1.JoinRequest;
import org.medfl.proto.v1.ListJobsRequest;
import org.medfl.proto.v1.PollRequest;
import org.medfl.proto.v1.SubmitJobRequest;

/** Mutual TLS and roles on a real loopback server: who gets in, and who may call what. */
class AccessControlIT {
  private final TestPki pki = TestPki.create("test");
  private LoopbackCoordinator coordinator;
  private ManagedChannel stray;

  @BeforeEach
  void start(@TempDir Path state) throws Exception {
    coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state, spec -> new float[4]);
  }

  @AfterEach
  void stop() throws Exception {
    if (stray != null) {
      stray.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    coordinator.close();
  }

  @Test
  void siteWithConsortiumCertificateJoins() {
    // given
    var fleet = FleetGrpc.newBlockingStub(coordinator.channelFor(pki.site("hospital-a")));
    // when
    var reply = fleet.withDeadlineAfter(10, TimeUnit.SECONDS).join(JoinRequest.getDefaultInstance());
    // then: the name comes from the certificate
    assertEquals("hospital-a", reply.getSiteName());
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    // given: a client that trusts the CA but presents no certificate
    ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
        .trustManager(trustOnly(pki.caCertificate()).getTrustManagers()).build();
    stray = NettyChannelBuilder.forAddress("127.0.0.1", coordinator.server().port(), credentials).build();
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> FleetGrpc.newBlockingStub(stray)
        .withDeadlineAfter(10, TimeUnit.SECONDS).join(JoinRequest.getDefaultInstance()));
    // then: the TLS handshake fails before any rpc runs
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
  }

  @Test
  void certificateFromAnotherCaIsRefused() {
    // given: a well-formed site certificate, but from someone else's CA
    TestPki other = TestPki.create("other");
    stray = NettyChannelBuilder.forAddress("127.0.0.1", coordinator.server().port(),
        TlsCredentials.client(other.site("hospital-a"), pki.caCertificate())).build();
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> FleetGrpc.newBlockingStub(stray)
        .withDeadlineAfter(10, TimeUnit.SECONDS).join(JoinRequest.getDefaultInstance()));
    // then
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
  }

  @Test
  void adminCallingASiteMethodIsRefused() {
    // given
    var fleet = FleetGrpc.newBlockingStub(coordinator.channelFor(pki.admin("alice")));
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> fleet.withDeadlineAfter(10, TimeUnit.SECONDS).pollTask(PollRequest.newBuilder().setWaitMillis(0).build()));
    // then
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("alice is a admin"), refused.getStatus().getDescription());
  }

  @Test
  void siteCannotSubmitJobs() {
    // given
    var admin = AdminGrpc.newBlockingStub(coordinator.channelFor(pki.site("hospital-a")));
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> admin
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setJobSpecYaml(TestJobs.yaml(1, 1, 60)).build()));
    // then
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
  }

  @Test
  void auditorMayReadButNotSubmit() {
    // given
    var admin = AdminGrpc.newBlockingStub(coordinator.channelFor(pki.auditor("audit")));
    // when
    var jobs = admin.withDeadlineAfter(10, TimeUnit.SECONDS).listJobs(ListJobsRequest.getDefaultInstance());
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> admin
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setJobSpecYaml(TestJobs.yaml(1, 1, 60)).build()));
    // then
    assertEquals(0, jobs.getJobsCount());
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
  }

  private static TrustManagerFactory trustOnly(X509Certificate ca) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", ca);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory;
  }
}
