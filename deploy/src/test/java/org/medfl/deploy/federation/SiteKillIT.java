package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerVerifier;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.kit.KitWriter;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Role;
import org.medfl.common.store.AtomicFiles;
import org.medfl.common.testing.Await;
import org.medfl.common.testing.FaultProxy;
import org.medfl.common.testing.FaultProxy.Direction;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.job.JobStore;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.deploy.provision.Provisioner;

/**
 * Site agents in JVMs of their own are killed with SIGKILL in round 1, each in one phase of its task: while it
 * downloads the global model, while it trains, while it uploads its update. The round completes with the sites that
 * are left (quorum holds), nothing half-sent by a killed site is aggregated, and each site, restarted on the same kit
 * and state, rejoins and trains a later round. The same holds under secure aggregation: the round is unmasked from
 * the sites left, with nothing of the dead sites in it.
 *
 * <p>A phase is hit without hooks in the agent: each killed site reaches the coordinator through a {@link FaultProxy}
 * of its own (its kit names the proxy's port), which throttles the direction of the transfer to be interrupted so it
 * takes seconds; the site is killed once its egress ledger shows the transfer started and the proxy sees its bytes
 * flowing. "While training" is the time between the log line that the model was fetched and the first byte of the
 * update. After each kill the test checks that the kill did land in its phase.
 */
class SiteKillIT {
  private static final String CONSORTIUM = "demo";
  /** The two sites that are never killed run as agents inside the test JVM, straight to the coordinator. */
  private static final List<String> STEADY = List.of("hospital-a", "hospital-b");
  /** Slow enough that the 2.3 MB model or update takes about nine seconds through the proxy. */
  private static final long THROTTLE_BYTES_PER_SECOND = 256 * 1024;
  /** Bytes of the interrupted transfer seen at the proxy before the kill: well inside it. */
  private static final long KILL_AFTER_BYTES = 64 * 1024;
  /**
   * Three rounds, so that a restarted site that misses round 2 (a fresh JVM's first training is slow on a loaded
   * machine) still has round 3 to show it rejoined.
   */
  private static final int ROUNDS = 3;
  /** Round 1 waits this long for the killed sites; the sites left need a few seconds. */
  private static final int DEADLINE_SECONDS = 20;
  /** Secure aggregation's key stages get a quarter of it each, time enough for a restarted site to advertise. */
  private static final int SECURE_DEADLINE_SECONDS = 30;
  /**
   * A restarted site that misses a secure round's key stage sits that round out, and is not even asked in the next if
   * it has not rejoined by then; four rounds leave it time on a slow machine.
   */
  private static final int SECURE_ROUNDS = 4;

  @TempDir
  static Path dir;

  private static Federation federation;

  /** The phase of its round-1 task in which a site is killed. */
  enum Phase {
    DOWNLOADING, TRAINING, UPLOADING
  }

  @BeforeAll
  static void startFederation() throws Exception {
    federation = Federation.start(dir);
  }

  @AfterAll
  static void stopFederation() throws Exception {
    if (federation != null) {
      federation.close();
    }
  }

  @BeforeEach
  void everySiteRunning() throws Exception {
    federation.restartDead();
    federation.awaitAllAvailable();
  }

  @Test
  void sitesKilledWhileDownloadingTrainingOrUploadingAreLeftOutAndRejoinALaterRound() throws Exception {
    // given: a job of three rounds that needs two sites; the killed sites' transfers throttled at their proxies
    Victim downloading = federation.victim(Phase.DOWNLOADING);
    Victim training = federation.victim(Phase.TRAINING);
    Victim uploading = federation.victim(Phase.UPLOADING);
    downloading.proxy.throttle(Direction.DOWNSTREAM, THROTTLE_BYTES_PER_SECOND);
    uploading.proxy.throttle(Direction.UPSTREAM, THROTTLE_BYTES_PER_SECOND);
    String jobId = federation.submit(jobYaml("site-kill", ROUNDS, 2, DEADLINE_SECONDS, null));

    // when: each is killed in its phase of round 1, and restarted once round 1 is committed without it
    federation.killInPhase(jobId, List.of(downloading, training, uploading));
    Await.until("round 1 to be committed", Duration.ofSeconds(DEADLINE_SECONDS * 6L),
        () -> federation.trail(jobId).committed(1));
    federation.holdRound2ForRestarted(List.of(downloading, training, uploading));
    for (Victim victim : List.of(downloading, training, uploading)) {
      victim.start();
    }
    RoundDriver driver = federation.coordinator.jobs().find(jobId).orElseThrow();
    assertTrue(driver.awaitFinal(DEADLINE_SECONDS * 12_000L), "job did not finish: " + driver.snapshot().activity());

    // then
    AuditTrail trail = federation.trail(jobId);
    assertEquals(JobState.FINISHED, driver.snapshot().record().state(), driver.snapshot().record().message());
    assertEquals(IntStream.rangeClosed(1, ROUNDS).boxed().toList(), trail.committedRounds());
    assertEquals(STEADY, sorted(trail.sitesOf(1)), "round 1 went on with the sites left");
    federation.assertAuditIntact(jobId);
    List<Executable> checks = new ArrayList<>();
    for (Victim victim : List.of(downloading, training, uploading)) {
      checks.add(() -> victim.assertKilledInPhase(jobId));
      checks.add(() -> assertTrue(missingAtDeadline(trail, 1).contains(victim.name),
          victim.name + " is not among round 1's missing sites"));
      checks.add(() -> assertEquals(List.of(), trail.actors("update_received", 1).stream()
          .filter(victim.name::equals).toList(), "an update of " + victim.name + " was aggregated in round 1"));
      checks.add(() -> assertTrue(tookPartAfterRound1(trail, victim.name, "update_received", ROUNDS),
          victim.name + " did not train a round after its restart"));
      checks.add(victim::assertLedgerIntact);
    }
    assertAll(checks);
  }

  @Test
  void secureRoundCompletesWithoutSitesKilledWhileTrainingOrUploading() throws Exception {
    // given: a secure-aggregation job whose threshold (3) the three sites left still meet
    Victim training = federation.victim(Phase.TRAINING);
    Victim uploading = federation.victim(Phase.UPLOADING);
    uploading.proxy.throttle(Direction.UPSTREAM, THROTTLE_BYTES_PER_SECOND);
    String jobId = federation.submit(jobYaml("site-kill-secagg", SECURE_ROUNDS, 3, SECURE_DEADLINE_SECONDS,
        "secure_aggregation: {threshold: 3}"));

    // when: both are killed in their phase of round 1 after advertising their keys, restarted after round 1
    federation.killInPhase(jobId, List.of(training, uploading));
    Await.until("round 1 to be committed", Duration.ofSeconds(SECURE_DEADLINE_SECONDS * 6L),
        () -> federation.trail(jobId).committed(1));
    federation.holdRound2ForRestarted(List.of(training, uploading));
    training.start();
    uploading.start();
    RoundDriver driver = federation.coordinator.jobs().find(jobId).orElseThrow();
    assertTrue(driver.awaitFinal(SECURE_DEADLINE_SECONDS * 12_000L),
        "job did not finish: " + driver.snapshot().activity());

    // then: round 1 was unmasked from the three that stayed, and nothing of the killed sites went into it
    AuditTrail trail = federation.trail(jobId);
    assertEquals(JobState.FINISHED, driver.snapshot().record().state(), driver.snapshot().record().message());
    assertEquals(IntStream.rangeClosed(1, SECURE_ROUNDS).boxed().toList(), trail.committedRounds());
    List<String> stayed = sorted(List.of(STEADY.get(0), STEADY.get(1), federation.victim(Phase.DOWNLOADING).name));
    assertEquals(stayed, sorted(trail.sitesOf(1)));
    assertEquals(stayed, trail.actors("masked_update_received", 1).stream().distinct().sorted().toList());
    List<AuditTrail.Event> unmasked = trail.of("secure_aggregation_unmasked", 1);
    assertEquals(1, unmasked.size());
    List<String> contributors = new ArrayList<>();
    unmasked.get(0).details().path("contributors").forEach(site -> contributors.add(site.asText()));
    assertEquals(stayed, sorted(contributors));
    // the killed sites' masks were recovered in the first attempt, not by aborting and retrying the round
    assertEquals(List.of(), trail.of("secure_aggregation_aborted", 1));
    assertEquals(3, trail.actors("masked_update_received", 1).size());
    federation.assertAuditIntact(jobId);
    // a wrong unmasking leaves noise of order 2^31 / scale; a right one moves no parameter by more than the clip (1.0)
    JobStore store = new JobStore(federation.coordinator.jobs().jobDir(jobId));
    float[] before = AtomicFiles.readFloats(store.modelFile(0));
    float[] after = AtomicFiles.readFloats(store.modelFile(1));
    double largestMove = 0;
    for (int i = 0; i < after.length; i++) {
      largestMove = Math.max(largestMove, Math.abs(after[i] - before[i]));
    }
    assertTrue(largestMove > 0 && largestMove <= 1.0, "largest parameter change in round 1: " + largestMove);
    List<Executable> checks = new ArrayList<>();
    for (Victim victim : List.of(training, uploading)) {
      checks.add(() -> victim.assertKilledInPhase(jobId));
      checks.add(() -> assertTrue(tookPartAfterRound1(trail, victim.name, "masked_update_received", SECURE_ROUNDS),
          victim.name + " did not train a round after its restart"));
      checks.add(victim::assertLedgerIntact);
    }
    assertAll(checks);
  }

  private static String jobYaml(String name, int rounds, int minSites, int deadlineSeconds, String extra) {
    List<String> lines = new ArrayList<>(List.of(
        "name: " + name,
        "model: {name: cnn-fedavg, input: {width: 16, height: 16, channels: 1}}",
        "classes: [" + String.join(", ", DemoData.classes()) + "]",
        "rounds: " + rounds,
        "min_sites: " + minSites,
        "batch_size: 16",
        "local_epochs: 2",
        "round_deadline_seconds: " + deadlineSeconds,
        "evaluation: {every_rounds: 0}"));
    if (extra != null) {
      lines.add(extra);
    }
    return String.join("\n", lines) + "\n";
  }

  private static List<String> missingAtDeadline(AuditTrail trail, int round) {
    List<String> missing = new ArrayList<>();
    trail.of("deadline_passed", round).forEach(e -> e.details().path("missing_sites")
        .forEach(site -> missing.add(site.asText())));
    return missing;
  }

  private static boolean tookPartAfterRound1(AuditTrail trail, String site, String event, int rounds) {
    return IntStream.rangeClosed(2, rounds).anyMatch(round -> trail.actors(event, round).contains(site));
  }

  private static List<String> sorted(List<String> names) {
    return names.stream().sorted().toList();
  }

  /**
   * A coordinator and the two steady sites in this JVM; the three sites to kill in JVMs of their own, each behind a
   * proxy of its own.
   */
  private static final class Federation implements AutoCloseable {
    final Path dir;
    final CoordinatorServer coordinator;
    final StartupKit coordinatorKit;
    final List<Victim> victims = new ArrayList<>();
    final List<SiteAgent> agents = new ArrayList<>();
    final List<ManagedChannel> channels = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    final List<EgressLedger> ledgers = new ArrayList<>();
    /** Restarted sites that the first steady site waits for before it trains round 2; empty: none. */
    private volatile List<Victim> awaitedInRound2 = List.of();

    private Federation(Path dir, CoordinatorServer coordinator, StartupKit coordinatorKit) {
      this.dir = dir;
      this.coordinator = coordinator;
      this.coordinatorKit = coordinatorKit;
    }

    static Federation start(Path dir) throws IOException {
      int port = FlProcess.freePort();
      Path kits = dir.resolve("kits");
      Provisioner.provision(CONSORTIUM, "127.0.0.1:" + port, STEADY, List.of("alice"), List.of(), kits);
      StartupKit coordinatorKit = StartupKit.load(kits.resolve("coordinator"));
      CoordinatorServer coordinator = CoordinatorServer.withTls(new InetSocketAddress("127.0.0.1", port),
          coordinatorKit.identity(), coordinatorKit.caCertificate(), CONSORTIUM, dir.resolve("state")).start();
      Federation federation = new Federation(dir, coordinator, coordinatorKit);
      try {
        for (int i = 0; i < STEADY.size(); i++) {
          federation.startSteadySite(STEADY.get(i), i);
        }
        // The sites to kill get kits of the same consortium that name their own proxy as the coordinator's address.
        ConsortiumCa ca = ConsortiumCa.load(kits.resolve("consortium-ca/ca.pem"),
            kits.resolve("consortium-ca/ca-key.pem"));
        for (Phase phase : Phase.values()) {
          String name = "killed-" + phase.name().toLowerCase();
          FaultProxy proxy = FaultProxy.toLoopbackPort(port);
          KitWriter.write(kits.resolve(name), CONSORTIUM, ca.issue(name, Role.SITE, List.of()), ca.certificate(), ca,
              "127.0.0.1:" + proxy.port());
          // the site killed while training has twice the images, so that its training lasts long enough to be hit
          DemoData.generate(dir.resolve("data").resolve(name), 2 + phase.ordinal(),
              phase == Phase.TRAINING ? 80 : 40, 16, 3);
          Victim victim = new Victim(dir, name, phase, proxy);
          federation.victims.add(victim);
          victim.start();
        }
      } catch (IOException | RuntimeException e) {
        federation.close();
        throw e;
      }
      return federation;
    }

    private void startSteadySite(String name, int index) {
      StartupKit kit = StartupKit.load(dir.resolve("kits").resolve(name));
      DemoData.generate(dir.resolve("data").resolve(name), index, 40, 16, 3);
      ManagedChannel channel = Channels.mutualTls("127.0.0.1", coordinator.port(), kit.identity(),
          kit.caCertificate());
      EgressLedger ledger = new EgressLedger(dir.resolve("ledger-" + name + ".jsonl"));
      SiteAgent.Events events = index > 0 ? new SiteAgent.Events() {} : new SiteAgent.Events() {
        @Override
        public void trainingStarted(String jobId, int round, int images) {
          if (round == 2) {
            awaitRestarted();
          }
        }
      };
      SiteAgent agent = new SiteAgent(channel, ledger, kit.identity(), kit.caCertificate(),
          dir.resolve("data").resolve(name), new Backoff(100, 1_000), 2_000, events);
      Thread thread = new Thread(agent, "agent-" + name);
      channels.add(channel);
      ledgers.add(ledger);
      agents.add(agent);
      threads.add(thread);
      thread.start();
    }

    /**
     * Makes the first steady site hold its round-2 update until {@code restarted} have joined again, so that round 2
     * is still open when they rejoin and round 3 asks them, however slowly their JVMs start. (The roster cannot tell:
     * it counts a killed site as available for a while.) The hold ends after half a plain round's deadline all the
     * same, so round 2 is never lost to it.
     */
    void holdRound2ForRestarted(List<Victim> restarted) {
      awaitedInRound2 = List.copyOf(restarted);
    }

    private void awaitRestarted() {
      List<Victim> awaited = awaitedInRound2;
      long until = System.nanoTime() + Duration.ofSeconds(DEADLINE_SECONDS / 2).toNanos();
      try {
        while (!awaited.stream().allMatch(Victim::joinedSinceStart) && System.nanoTime() < until) {
          Thread.sleep(50);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      awaitedInRound2 = List.of();
    }

    Victim victim(Phase phase) {
      return victims.stream().filter(v -> v.phase == phase).findFirst().orElseThrow();
    }

    String submit(String yaml) {
      return coordinator.jobs().submit(yaml, "alice");
    }

    AuditTrail trail(String jobId) {
      return AuditTrail.read(coordinator.jobs().jobDir(jobId).resolve("audit.log"));
    }

    void assertAuditIntact(String jobId) {
      var verification = AuditVerifier.verify(coordinator.jobs().jobDir(jobId).resolve("audit.log"),
          coordinatorKit.caCertificate(), null);
      assertTrue(verification.intact(), verification.toString());
    }

    /** Every site, the steady ones and those that run as processes, is on the coordinator's roster. */
    void awaitAllAvailable() throws InterruptedException {
      Set<String> all = new TreeSet<>(STEADY);
      victims.forEach(v -> all.add(v.name));
      Await.until("every site to join", Duration.ofSeconds(120),
          () -> coordinator.roster().available().containsAll(all));
    }

    /** Starts again any site process a failed test left dead, and lifts every proxy fault. */
    void restartDead() throws IOException {
      for (Victim victim : victims) {
        victim.proxy.clear();
        if (!victim.process.isAlive()) {
          victim.start();
        }
      }
    }

    /**
     * Kills each victim once its trigger holds, watching all of them at once (their phases overlap in time), then
     * lifts the proxy faults so that restarted sites are not slowed.
     */
    void killInPhase(String jobId, List<Victim> toKill) throws InterruptedException {
      Await.until("each site to reach its phase of round 1 and be killed", Duration.ofSeconds(DEADLINE_SECONDS * 3L),
          () -> {
            toKill.stream().filter(v -> v.process.isAlive()).forEach(v -> v.killIfInPhase(jobId));
            return toKill.stream().noneMatch(v -> v.process.isAlive());
          });
      for (Victim victim : toKill) {
        assertTrue(victim.process.waitFor(60, TimeUnit.SECONDS));
        victim.died();
      }
    }

    @Override
    public void close() throws IOException {
      agents.forEach(SiteAgent::stop);
      for (Victim victim : victims) {
        victim.process.destroyForcibly();
        try {
          victim.process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        victim.proxy.close();
      }
      try {
        for (ManagedChannel channel : channels) {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Thread thread : threads) {
          thread.join(10_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (EgressLedger ledger : ledgers) {
        ledger.close();
      }
      coordinator.stop();
    }
  }

  /** A site in a JVM of its own, behind a proxy of its own, that the test kills in one phase and restarts. */
  private static final class Victim {
    final String name;
    final Phase phase;
    final FaultProxy proxy;
    final Path kit;
    final Path data;
    final Path state;
    private final Path dir;
    private Process process;
    private int starts;
    /** Proxy byte count in the phase's direction when the transfer was seen to start; -1 until then. */
    private long transferStartBytes = -1;
    private long killedAtBytes;
    private Path killedLog;

    Victim(Path dir, String name, Phase phase, FaultProxy proxy) {
      this.dir = dir;
      this.name = name;
      this.phase = phase;
      this.proxy = proxy;
      this.kit = dir.resolve("kits").resolve(name);
      this.data = dir.resolve("data").resolve(name);
      this.state = dir.resolve("state-" + name);
    }

    void start() throws IOException {
      starts++;
      transferStartBytes = -1;
      process = FlProcess.site(kit, data, state, log());
    }

    Path log() {
      return dir.resolve(name + "-" + starts + ".log");
    }

    /** Whether the process of the latest start has joined the consortium (its log says so). */
    boolean joinedSinceStart() {
      try {
        return Files.exists(log()) && Files.readString(log()).contains("joined consortium");
      } catch (IOException e) {
        return false;
      }
    }

    Path ledger() {
      return state.resolve("egress.jsonl");
    }

    private Direction direction() {
      return phase == Phase.DOWNLOADING ? Direction.DOWNSTREAM : Direction.UPSTREAM;
    }

    /** Kills the process (without waiting) if it is now in its phase of round 1. */
    void killIfInPhase(String jobId) {
      boolean due;
      if (phase == Phase.TRAINING) {
        due = logShows(trainingStarted(jobId));
      } else {
        if (transferStartBytes < 0 && ledgerHasIn(jobId, phase == Phase.DOWNLOADING ? "fetch_model_request"
            : "update_header")) {
          transferStartBytes = proxy.bytes(direction());
        }
        due = transferStartBytes >= 0 && proxy.bytes(direction()) >= transferStartBytes + KILL_AFTER_BYTES;
      }
      if (due) {
        process.destroyForcibly();
        killedLog = log();
      }
    }

    /** Notes how far its transfer had got, now that the process is gone, and lifts its proxy's faults. */
    void died() {
      killedAtBytes = transferStartBytes < 0 ? 0 : proxy.bytes(direction()) - transferStartBytes;
      proxy.clear();
    }

    /** Checks, from what the dead process left, that the kill landed in the phase it was meant for. */
    void assertKilledInPhase(String jobId) {
      String log = read(killedLog);
      boolean fetched = log.contains(trainingStarted(jobId));
      boolean uploadStarted = ledgerHasIn(jobId, "update_header");
      switch (phase) {
        case DOWNLOADING -> {
          assertTrue(ledgerHasIn(jobId, "fetch_model_request"), name + " never asked for the model");
          assertFalse(fetched, name + " was killed after its download had finished");
        }
        case TRAINING -> {
          assertTrue(fetched, name + " was killed before it had the model");
          assertFalse(uploadStarted, name + " was killed after its upload had started");
        }
        case UPLOADING -> {
          assertTrue(uploadStarted, name + " was killed before its upload started");
          assertFalse(log.contains("round 1: update accepted"), name + " was killed after its update was accepted");
        }
      }
      if (phase != Phase.TRAINING) {
        // at most a third of the 2.3 MB transfer had gone through when the process died
        assertTrue(killedAtBytes < 800_000, name + " was killed " + killedAtBytes + " bytes into its transfer");
      }
    }

    void assertLedgerIntact() throws IOException {
      LedgerVerifier.Result result = LedgerVerifier.verify(ledger());
      assertTrue(result.intact(), name + "'s egress ledger after SIGKILL and restart: " + result.problem());
    }

    private static String trainingStarted(String jobId) {
      return "job " + jobId + " round 1: training on";
    }

    private boolean logShows(String text) {
      return read(log()).contains(text);
    }

    /** Whether the ledger holds a {@code kind} entry of round 1 of the job. */
    private boolean ledgerHasIn(String jobId, String kind) {
      return SiteLedger.count(ledger(), kind, jobId, 1) > 0;
    }

    private static String read(Path file) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        return "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
