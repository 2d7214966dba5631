package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerEntry;
import org.medfl.client.privacy.PrivacyBudget;
import org.medfl.client.privacy.PrivacyPolicy;
import org.medfl.client.training.TrainResult;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.deploy.provision.Provisioner;
import org.medfl.proto.v1.FleetGrpc;

/**
 * A real site agent meets two faults that are not crashes: the coordinator's acknowledgement of its update is lost
 * (it sends again, and the update counts once), and its own privacy policy forbids the job (it declines, and the
 * round goes on at once instead of waiting for its deadline).
 */
class SiteRetryAndDeclineIT {
  private static final String JOB = String.join("\n", "name: faults",
      "model: {name: cnn-fedavg, input: {width: 16, height: 16, channels: 1}}",
      "classes: [" + String.join(", ", DemoData.classes()) + "]", "rounds: 1", "min_sites: 1",
      "evaluation: {every_rounds: 0}", "round_deadline_seconds: 600", "");

  @Test
  void siteWhoseAcknowledgementIsLostSendsAgainAndCountsOnce(@TempDir Path dir) throws Exception {
    // given: a coordinator that processes the first upload but loses its reply on the way back
    AtomicBoolean lost = new AtomicBoolean();
    try (Federation federation = Federation.start(dir, loseFirstUploadReply(lost))) {
      // when
      CountDownLatch acknowledged = new CountDownLatch(1);
      RoundDriver driver = federation.runJob(JOB, PrivacyPolicy.permissive(), new SiteAgent.Events() {
        @Override
        public void updateAccepted(String jobId, int round, TrainResult result) {
          acknowledged.countDown();
        }
      });

      // then: the site got its acknowledgement in the end, and the update counts once
      assertTrue(acknowledged.await(60, TimeUnit.SECONDS), "the site never saw its update acknowledged");
      assertTrue(lost.get(), "the fault was never injected");
      assertEquals(JobState.FINISHED, driver.snapshot().record().state());
      assertEquals(List.of("a"), driver.snapshot().rounds().get(0).sites());
      List<String> audit = Files.readAllLines(dir.resolve("state/jobs").resolve(driver.jobId()).resolve("audit.log"));
      assertEquals(1, audit.stream().filter(l -> l.contains("\"event\":\"update_received\"")).count());
      assertEquals(1, audit.stream().filter(l -> l.contains("\"event\":\"update_retransmitted\"")).count());
      // the site's ledger holds both uploads: what left the building, not what was counted
      long headers = EgressLedger.read(dir.resolve("ledger.jsonl")).stream()
          .filter(e -> e.kind().equals("update_header")).count();
      assertEquals(2, headers);
    }
  }

  @Test
  void siteRefusingAJobByPolicyDeclinesAndTheRoundDoesNotWaitForIt(@TempDir Path dir) throws Exception {
    // given: a site whose policy requires secure aggregation, and a job without it (ten-minute deadline)
    PrivacyPolicy strict = new PrivacyPolicy(true, false, 0, Double.POSITIVE_INFINITY, null);
    try (Federation federation = Federation.start(dir)) {
      // when
      RoundDriver driver = federation.runJob(JOB + "max_round_attempts: 1\n", strict, new SiteAgent.Events() {});

      // then: the job ends long before the deadline, saying why
      assertEquals(JobState.FAILED, driver.snapshot().record().state());
      List<String> audit = Files.readAllLines(dir.resolve("state/jobs").resolve(driver.jobId()).resolve("audit.log"));
      String declined = audit.stream().filter(l -> l.contains("\"event\":\"task_declined\"")).findFirst()
          .orElseThrow();
      assertTrue(declined.contains("secure aggregation"), declined);
      List<LedgerEntry> ledger = EgressLedger.read(dir.resolve("ledger.jsonl"));
      assertEquals(0, ledger.stream().filter(e -> e.kind().startsWith("update")).count());
      assertEquals(1, ledger.stream().filter(e -> e.kind().equals("decline")).count());
    }
  }

  /** Lets the first PushUpdate run to its verdict, then replaces the verdict with a dropped connection. */
  private static ServerInterceptor loseFirstUploadReply(AtomicBoolean lost) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        // By name: the server registers the guarded descriptor, not the generated instance.
        String method = call.getMethodDescriptor().getFullMethodName();
        if (!method.equals(FleetGrpc.getPushUpdateMethod().getFullMethodName()) || lost.get()) {
          return next.startCall(call, headers);
        }
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(R message) {
            // swallowed: the acknowledgement never reaches the site
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (status.isOk() && lost.compareAndSet(false, true)) {
              super.close(Status.UNAVAILABLE.withDescription("connection lost (injected)"), new Metadata());
            } else {
              super.close(status, trailers);
            }
          }
        }, headers);
      }
    };
  }

  /** A coordinator and one site agent "a" over loopback mutual TLS. */
  private static final class Federation implements AutoCloseable {
    private final Path dir;
    private final CoordinatorServer coordinator;
    private SiteAgent agent;
    private ManagedChannel channel;
    private Thread thread;
    private EgressLedger ledger;

    private Federation(Path dir, CoordinatorServer coordinator) {
      this.dir = dir;
      this.coordinator = coordinator;
    }

    static Federation start(Path dir, ServerInterceptor... faults) throws IOException {
      int port;
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      Provisioner.provision("demo", "127.0.0.1:" + port, List.of("a"), List.of("alice"), List.of(),
          dir.resolve("kits"));
      DemoData.generate(dir.resolve("data"), 0, 30, 16, 5);
      StartupKit kit = StartupKit.load(dir.resolve("kits/coordinator"));
      NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port),
          TlsCredentials.server(kit.identity(), kit.caCertificate()));
      for (ServerInterceptor fault : faults) {
        builder.intercept(fault);
      }
      return new Federation(dir, new CoordinatorServer(builder, "demo", dir.resolve("state"), kit.identity(),
          CoordinatorServer::freshModel).start());
    }

    /** Starts the agent under {@code policy}, submits {@code yaml} and waits for the job to end. */
    RoundDriver runJob(String yaml, PrivacyPolicy policy, SiteAgent.Events events) throws InterruptedException {
      StartupKit site = StartupKit.load(dir.resolve("kits/a"));
      channel = Channels.mutualTls("127.0.0.1", coordinator.port(), site.identity(), site.caCertificate());
      ledger = new EgressLedger(dir.resolve("ledger.jsonl"));
      agent = new SiteAgent(channel, ledger, site.identity(), site.caCertificate(), dir.resolve("data"),
          new Backoff(50, 500), 1_000, events)
          .withPrivacy(policy, PrivacyBudget.open(dir.resolve("site-state")));
      thread = new Thread(agent, "agent-a");
      thread.start();
      String jobId = coordinator.jobs().submit(yaml, "alice");
      RoundDriver driver = coordinator.jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(120_000), "the job did not end");
      return driver;
    }

    @Override
    public void close() throws Exception {
      if (agent != null) {
        agent.stop();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        thread.join(10_000);
        ledger.close();
      }
      coordinator.stop();
    }
  }
}
