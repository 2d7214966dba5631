package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.training.TrainResult;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.testing.Await;
import org.medfl.common.transport.Channels;
import org.medfl.deploy.admin.AdminClient;
import org.medfl.deploy.provision.Provisioner;
import org.medfl.proto.v1.JobStatus;

/**
 * The coordinator runs in its own JVM and is killed with SIGKILL in the middle of a job; restarted on the same state
 * directory, it resumes at its last committed round, the sites reconnect, and the job finishes with its audit chain
 * intact and every round committed exactly once.
 */
class CoordinatorCrashIT {
  private static final int ROUNDS = 3;

  @Test
  void killedCoordinatorResumesFromItsLastCheckpoint(@TempDir Path dir) throws Exception {
    // given: kits, demo data for two sites, a coordinator process, two agents
    int port = freePort();
    Provisioner.provision("demo", "127.0.0.1:" + port, List.of("a", "b"), List.of("alice"), List.of(),
        dir.resolve("kits"));
    DemoData.generate(dir.resolve("data/a"), 0, 40, 16, 3);
    DemoData.generate(dir.resolve("data/b"), 1, 40, 16, 3);
    Process coordinator = startCoordinator(dir, "first");
    CountDownLatch roundOneAccepted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<SiteAgent> agents = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try {
      for (String site : List.of("a", "b")) {
        StartupKit kit = StartupKit.load(dir.resolve("kits").resolve(site));
        ManagedChannel channel = Channels.mutualTls("127.0.0.1", port, kit.identity(), kit.caCertificate());
        channels.add(channel);
        // Site a holds its thread after round 1, so round 2 stays open until the coordinator is killed.
        SiteAgent.Events events = !site.equals("a") ? new SiteAgent.Events() {} : new SiteAgent.Events() {
          @Override
          public void updateAccepted(String jobId, int round, TrainResult result) {
            if (round == 1) {
              roundOneAccepted.countDown();
              awaitQuietly(release);
            }
          }
        };
        SiteAgent agent = new SiteAgent(channel, new EgressLedger(dir.resolve("ledger-" + site + ".jsonl")), kit.identity(),
            kit.caCertificate(),
            dir.resolve("data").resolve(site), new Backoff(100, 1_000), 2_000, events);
        agents.add(agent);
        Thread thread = new Thread(agent, "agent-" + site);
        threads.add(thread);
        thread.start();
      }
      Await.until("coordinator to answer", Duration.ofSeconds(60), () -> answers(dir, admin -> admin.list()) != null);
      String jobId = withAdmin(dir, admin -> admin.submit(jobYaml()));

      // when: round 1 is committed and round 2 open, the coordinator is killed with SIGKILL and restarted
      assertTrue(roundOneAccepted.await(120, TimeUnit.SECONDS), "round 1 never completed at site a");
      Await.until("round 1 to be committed", Duration.ofSeconds(60),
          () -> roundsCompleted(dir, jobId) >= 1);
      coordinator.destroyForcibly();
      assertTrue(coordinator.waitFor(30, TimeUnit.SECONDS));
      release.countDown();
      coordinator = startCoordinator(dir, "second");
      Await.until("the job to finish", Duration.ofSeconds(180), () -> {
        JobStatus status = answers(dir, admin -> admin.status(jobId));
        return status != null && !status.getState().equals("RUNNING") && !status.getState().equals("SUBMITTED");
      });

      // then
      JobStatus status = withAdmin(dir, admin -> admin.status(jobId));
      assertEquals("FINISHED", status.getState(), status.toString());
      assertEquals(ROUNDS, status.getRoundsCompleted());
      Path log = dir.resolve("state/jobs").resolve(jobId).resolve("audit.log");
      assertTrue(Files.readString(log).contains("\"job_resumed\""));
      // no round counted twice: each one committed once, in order, across the crash
      assertEquals(IntStream.rangeClosed(1, ROUNDS).boxed().toList(), AuditTrail.read(log).committedRounds());
      StartupKit alice = StartupKit.load(dir.resolve("kits/alice"));
      assertTrue(AuditVerifier.verify(log, alice.caCertificate(), null).intact());
    } finally {
      release.countDown();
      agents.forEach(SiteAgent::stop);
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      for (Thread thread : threads) {
        thread.join(10_000);
      }
      coordinator.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String jobYaml() {
    return String.join("\n",
        "name: crash-test",
        "model:",
        "  name: cnn-fedavg",
        "  input: {width: 16, height: 16, channels: 1}",
        "classes: [" + String.join(", ", DemoData.classes()) + "]",
        "rounds: " + ROUNDS,
        "min_sites: 2",
        "batch_size: 16",
        "round_deadline_seconds: 300",
        "");
  }

  private static Process startCoordinator(Path dir, String name) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        "org.medfl.deploy.Main", "coordinator", "start", "--kit", dir.resolve("kits/coordinator").toString(),
        "--state", dir.resolve("state").toString(), "--bind", "127.0.0.1");
    File log = dir.resolve("coordinator-" + name + ".log").toFile();
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static int roundsCompleted(Path dir, String jobId) {
    JobStatus status = answers(dir, admin -> admin.status(jobId));
    return status == null ? 0 : status.getRoundsCompleted();
  }

  /** The answer, or null while the coordinator is unreachable. */
  private static <T> T answers(Path dir, Function<AdminClient, T> call) {
    try {
      return withAdmin(dir, call);
    } catch (StatusRuntimeException e) {
      return null;
    }
  }

  private static <T> T withAdmin(Path dir, Function<AdminClient, T> call) {
    StartupKit kit = StartupKit.load(dir.resolve("kits/alice"));
    ManagedChannel channel = Channels.mutualTls(kit.coordinatorHost(), kit.coordinatorPort(), kit.identity(),
        kit.caCertificate());
    try {
      return call.apply(new AdminClient(channel));
    } finally {
      channel.shutdownNow();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
