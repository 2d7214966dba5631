package org.medfl.deploy.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.AnchorCheck;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerVerifier;
import org.medfl.client.training.LocalTrainer;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.job.JobSpec;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.common.testing.Await;
import org.medfl.common.testing.FaultProxy;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.Checkpoint;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.deploy.provision.Provisioner;
import org.medfl.proto.v1.FleetGrpc;

/**
 * The bounded soak ({@code ./mvnw -B -Psoak verify}, not in the default run): 20 honest sites and one rogue on
 * loopback mutual TLS, 30 rounds of a tiny model on tiny data, so the federation machinery is what is stressed. From a
 * fixed seed, sites are killed mid-round and restarted later, connections are cut mid-stream by a TCP proxy between
 * the sites and the coordinator, acknowledgements are lost, and the rogue answers every task with garbage. At the end the job must be finished with its audit chain, model digest and every site's egress
 * ledger intact, and threads, file descriptors and heap back at their starting level.
 */
class SoakIT {
  private static final long SEED = Long.getLong("medfl.soak.seed", 20261124L);
  private static final int SITES = Integer.getInteger("medfl.soak.sites", 20);
  private static final int ROUNDS = Integer.getInteger("medfl.soak.rounds", 30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void federationSurvivesThirtyRoundsOfInjectedFaults(@TempDir Path dir) throws Exception {
    // given: kits, data, and the runtime warmed up so the baseline includes what stays loaded anyway
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= SITES; i++) {
      names.add(String.format("site-%02d", i));
    }
    List<String> everyone = new ArrayList<>(names);
    everyone.add("rogue");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Provisioner.provision("soak", "127.0.0.1:" + port, everyone, List.of("alice"), List.of(), dir.resolve("kits"));
    for (int i = 0; i < SITES; i++) {
      DemoData.generate(dir.resolve("data").resolve(names.get(i)), i, 16, 16, SEED);
    }
    String job = jobYaml();
    warmUp(dir.resolve("data").resolve(names.get(0)), JobSpec.parse(job));
    Resources before = Resources.measure();
    System.out.println("soak: seed " + SEED + ", " + SITES + " sites + 1 rogue, " + ROUNDS + " rounds; start: "
        + before);

    Random plan = new Random(SEED);
    LostAcknowledgements lostAcks = new LostAcknowledgements(new Random(SEED + 1), 0.05);
    StartupKit coordinatorKit = StartupKit.load(dir.resolve("kits/coordinator"));
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port),
        TlsCredentials.server(coordinatorKit.identity(), coordinatorKit.caCertificate())).intercept(lostAcks);
    CoordinatorServer coordinator = new CoordinatorServer(builder, "soak", dir.resolve("state"),
        coordinatorKit.identity(), CoordinatorServer::freshModel).start();
    FaultProxy proxy = FaultProxy.toLoopbackPort(port);
    List<SoakSite> sites = new ArrayList<>();
    for (String name : names) {
      sites.add(new SoakSite(name, dir.resolve("kits").resolve(name), dir.resolve("data").resolve(name),
          dir.resolve("ledgers").resolve(name + ".jsonl"), proxy.port()));
    }
    RogueSite rogue = new RogueSite(dir.resolve("kits/rogue"), SEED + 2);
    Thread rogueThread = new Thread(rogue, "soak-rogue");
    long started = System.nanoTime();
    String jobId;
    RoundDriver driver;
    int kills = 0;
    try {
      sites.forEach(SoakSite::start);
      rogueThread.start();
      jobId = coordinator.jobs().submit(job, "alice");
      driver = coordinator.jobs().find(jobId).orElseThrow();

      // when: at each committed round the plan picks sites to kill a moment later (mid-download, mid-training or
      // mid-upload, whichever that moment finds) and when each killed site comes back
      Map<SoakSite, Integer> restartAt = new java.util.HashMap<>();
      Map<SoakSite, Long> killAt = new java.util.HashMap<>();
      int seenRounds = 0;
      while (!driver.awaitFinal(100)) {
        int committed = driver.snapshot().rounds().size();
        if (committed != seenRounds) {
          seenRounds = committed;
          System.out.printf("soak: round %d/%d committed after %.0f s (%d sites running)%n", committed, ROUNDS,
              (System.nanoTime() - started) / 1e9, sites.stream().filter(SoakSite::running).count());
          for (SoakSite site : sites) {
            Integer at = restartAt.get(site);
            if (at != null && at <= committed) {
              site.start();
              restartAt.remove(site);
            }
          }
          int victims = plan.nextInt(3) == 0 ? 1 + plan.nextInt(2) : 0;
          for (int v = 0; v < victims; v++) {
            SoakSite victim = sites.get(plan.nextInt(sites.size()));
            killAt.putIfAbsent(victim, System.nanoTime() + (long) (plan.nextDouble() * 1.5e9));
          }
          if (plan.nextInt(3) == 0) {
            // resets whichever connection next carries that many bytes: a poll, a download or an upload
            proxy.cutAfter(plan.nextBoolean() ? FaultProxy.Direction.UPSTREAM : FaultProxy.Direction.DOWNSTREAM,
                plan.nextInt(400_000));
          }
        }
        for (var due : new ArrayList<>(killAt.entrySet())) {
          if (System.nanoTime() >= due.getValue()) {
            killAt.remove(due.getKey());
            if (due.getKey().running()) {
              due.getKey().kill();
              kills++;
              restartAt.put(due.getKey(), seenRounds + 2 + plan.nextInt(3));
            }
          }
        }
      }
    } finally {
      rogue.stop();
      rogueThread.join(30_000);
      for (SoakSite site : sites) {
        if (site.running()) {
          site.kill();
        }
      }
      coordinator.stop();
      proxy.close();
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    // then: the job finished every round with its records intact
    Path jobDir = dir.resolve("state/jobs").resolve(jobId);
    List<String> auditLines = Files.readAllLines(jobDir.resolve("audit.log"));
    List<JsonNode> audit = new ArrayList<>();
    for (String line : auditLines) {
      audit.add(JSON.readTree(line));
    }
    Checkpoint checkpoint = driver.snapshot().rounds().isEmpty() ? null
        : new org.medfl.coordinator.job.JobStore(jobDir).readCheckpoint().orElseThrow();
    Report report = Report.of(audit, rogue, lostAcks.lost(), kills, proxy.cuts(), sites, seconds);
    String text = report + "\nresources at start: " + before + "\n";
    System.out.print(text);
    Path reportFile = Path.of("target/soak-report.txt");
    Files.createDirectories(reportFile.getParent());
    Files.writeString(reportFile, text);

    assertEquals(JobState.FINISHED, driver.snapshot().record().state(), driver.snapshot().record().message());
    assertEquals(ROUNDS, checkpoint.round());
    assertTrue(AuditVerifier.verify(jobDir.resolve("audit.log"), coordinatorKit.caCertificate(),
        driver.snapshot().record().auditHead()).intact());
    JsonNode lastAggregate = audit.stream().filter(r -> r.get("event").asText().equals("aggregate_produced"))
        .reduce((a, b) -> b).orElseThrow();
    assertEquals(checkpoint.modelSha256(), lastAggregate.at("/details/model_sha256").asText());
    new org.medfl.coordinator.job.JobStore(jobDir).readModel(checkpoint.round(), checkpoint.modelSha256());
    for (SoakSite site : sites) {
      assertTrue(LedgerVerifier.verify(site.ledgerFile()).intact(), site.name());
      assertNull(AnchorCheck.problem(auditLines, jobId, EgressLedger.read(site.ledgerFile()), site.name()));
    }
    assertEquals(rogue.sent(), rogue.refused(), "every garbage update is refused");
    assertTrue(report.rejected() >= rogue.sent());
    Resources after = Resources.settle(before, reportFile);
    assertTrue(after.threads() <= before.threads() + 2, "threads: " + before + " -> " + after);
    assertTrue(after.fileDescriptors() <= before.fileDescriptors() + 4, "fds: " + before + " -> " + after);
    assertTrue(after.heapMiB() <= before.heapMiB() + 64, "heap: " + before + " -> " + after);
  }

  private static String jobYaml() {
    return String.join("\n",
        "name: soak",
        "model: {name: cnn-small, input: {width: 16, height: 16, channels: 1}}",
        "classes: [" + String.join(", ", DemoData.classes()) + "]",
        "rounds: " + ROUNDS,
        "min_sites: " + Math.max(2, SITES / 2),
        "local_epochs: 1",
        "batch_size: 8",
        "round_deadline_seconds: 15",
        "max_round_attempts: 5",
        "evaluation: {every_rounds: 10}",
        "seed: " + SEED,
        "");
  }

  /** Loads ND4J and trains once, so its lasting threads and buffers are in the baseline rather than counted as leaks. */
  private static void warmUp(Path data, JobSpec spec) {
    var loaded = org.medfl.client.data.SiteData.load(data, spec);
    new LocalTrainer(spec, loaded.images()).train(ModelZoo.initialParameters(spec), 1, null);
  }

  /** Loses the acknowledgement of a seeded fraction of uploads after the coordinator processed them. */
  private static final class LostAcknowledgements implements ServerInterceptor {
    private final Random random;
    private final double probability;
    private final AtomicInteger lost = new AtomicInteger();

    LostAcknowledgements(Random random, double probability) {
      this.random = random;
      this.probability = probability;
    }

    int lost() {
      return lost.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      boolean lose;
      synchronized (random) {
        // By name: the server registers the guarded descriptor, not the generated instance.
        lose = call.getMethodDescriptor().getFullMethodName().equals(FleetGrpc.getPushUpdateMethod().getFullMethodName())
            && random.nextDouble() < probability;
      }
      if (!lose) {
        return next.startCall(call, headers);
      }
      return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void sendMessage(R message) {
          // dropped on the way back
        }

        @Override
        public void close(Status status, Metadata trailers) {
          if (status.isOk()) {
            lost.incrementAndGet();
            super.close(Status.UNAVAILABLE.withDescription("acknowledgement lost (injected)"), new Metadata());
          } else {
            super.close(status, trailers);
          }
        }
      }, headers);
    }
  }

  /** What the audit log says happened, next to what the test injected. */
  private record Report(int roundsCommitted, Map<String, Integer> failedRounds, int accepted, int rejected,
      Map<String, Integer> rejectedBy, int retransmitted, int declined, int garbageSent, int acksLost, int kills,
      int restarts, int cuts, double seconds) {

    static Report of(List<JsonNode> audit, RogueSite rogue, int acksLost, int kills, int cuts, List<SoakSite> sites,
        double seconds) {
      Map<String, Integer> failed = new TreeMap<>();
      Map<String, Integer> rejectedBy = new TreeMap<>();
      int committed = 0;
      int accepted = 0;
      int rejected = 0;
      int retransmitted = 0;
      int declined = 0;
      for (JsonNode record : audit) {
        switch (record.get("event").asText()) {
          case "aggregate_produced" -> committed++;
          case "update_received" -> accepted++;
          case "update_retransmitted" -> retransmitted++;
          case "task_declined" -> declined++;
          case "round_failed" -> failed.merge("round " + record.at("/details/round").asInt() + ": "
              + record.at("/details/accepted").asInt() + " of " + record.at("/details/min_sites").asInt()
              + " needed", 1, Integer::sum);
          case "update_rejected" -> {
            rejected++;
            rejectedBy.merge(reasonKind(record.at("/details/reason").asText()), 1, Integer::sum);
          }
          default -> { }
        }
      }
      int restarts = sites.stream().mapToInt(s -> s.starts() - 1).sum();
      return new Report(committed, failed, accepted, rejected, rejectedBy, retransmitted, declined, rogue.sent(),
          acksLost, kills, restarts, cuts, seconds);
    }

    private static String reasonKind(String reason) {
      if (reason.contains("non-finite") || reason.contains("NaN") || reason.contains("Infinity")) {
        return "non-finite values";
      }
      if (reason.contains("values, the model has")) {
        return "wrong length";
      }
      if (reason.contains("digest")) {
        return "digest mismatch";
      }
      if (reason.contains("computed from model")) {
        return "stale base model";
      }
      if (reason.contains("norm")) {
        return "absurd norm";
      }
      if (reason.contains("not open")) {
        return "round closed";
      }
      return reason.length() > 60 ? reason.substring(0, 60) : reason;
    }

    @Override
    public String toString() {
      return String.format("soak report (%.0f s)%n", seconds)
          + "  rounds committed: " + roundsCommitted + "; failed attempts: " + failedRounds + "\n"
          + "  updates accepted: " + accepted + "; refused: " + rejected + " " + rejectedBy + "\n"
          + "  retransmissions counted once: " + retransmitted + "; tasks declined: " + declined + "\n"
          + "  injected: " + kills + " site kills (" + restarts + " restarts), " + cuts
          + " connections cut mid-stream, " + acksLost + " lost acknowledgements, " + garbageSent
          + " garbage updates from the rogue";
    }
  }

  /** Live threads, open file descriptors and used heap of this JVM. */
  record Resources(int threads, long fileDescriptors, long heapMiB) {
    static Resources measure() throws IOException {
      System.gc();
      long fds;
      try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
        fds = open.count();
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
      return new Resources(ManagementFactory.getThreadMXBean().getThreadCount(), fds, heap);
    }

    /**
     * Waits until the runtime's pools have wound down to within a small margin of {@code baseline} (gRPC releases
     * its shared event loops a moment after the last channel closes and its cached executor threads after a minute
     * idle), failing after two minutes; either way the last measurement is printed and written to the report.
     */
    static Resources settle(Resources baseline, Path reportFile) throws Exception {
      Resources[] last = {measure()};
      try {
        Await.until("threads, file descriptors and heap to return to their start", Duration.ofMinutes(2), () -> {
          try {
            last[0] = measure();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return last[0].threads() <= baseline.threads() + 2
              && last[0].fileDescriptors() <= baseline.fileDescriptors() + 4
              && last[0].heapMiB() <= baseline.heapMiB() + 64;
        });
      } finally {
        String line = "resources at end:   " + last[0] + "\n";
        System.out.print(line);
        Files.writeString(reportFile, line, java.nio.file.StandardOpenOption.APPEND);
      }
      return last[0];
    }

    @Override
    public String toString() {
      return threads + " threads, " + fileDescriptors + " file descriptors, " + heapMiB + " MiB heap used";
    }
  }
}
