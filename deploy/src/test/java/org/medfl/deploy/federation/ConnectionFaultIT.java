package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerVerifier;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.testing.Await;
import org.medfl.common.testing.FaultProxy;
import org.medfl.common.testing.FaultProxy.Direction;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.deploy.provision.Provisioner;

/**
 * A site whose connection to the coordinator breaks in the middle of a transfer, through a {@link FaultProxy}: an
 * upload or a download cut (both sides reset), or a download that stalls. A half-received update is never aggregated;
 * the site sends again, or fetches again, and the round takes its update; a site stalled past the deadline is left out
 * of that round and takes part in the next.
 */
class ConnectionFaultIT {
  private static final String FAULTY = "hospital-c";
  private static final List<String> DIRECT = List.of("hospital-a", "hospital-b");
  /** The 2.3 MB model or update takes about nine seconds at this rate, so a fault armed at its start lands inside. */
  private static final long THROTTLE_BYTES_PER_SECOND = 256 * 1024;
  private static final long CUT_AFTER_BYTES = 128 * 1024;

  @TempDir
  static Path dir;

  private static CoordinatorServer coordinator;
  private static StartupKit coordinatorKit;
  private static FaultProxy proxy;
  private static final List<SiteAgent> agents = new ArrayList<>();
  private static final List<ManagedChannel> channels = new ArrayList<>();
  private static final List<Thread> threads = new ArrayList<>();
  private static final List<EgressLedger> ledgers = new ArrayList<>();

  @BeforeAll
  static void startFederation() throws Exception {
    // a coordinator, two sites connected straight to it, and hospital-c connected through the proxy
    int port = FlProcess.freePort();
    Provisioner.provision("demo", "127.0.0.1:" + port, List.of("hospital-a", "hospital-b", FAULTY), List.of("alice"),
        List.of(), dir.resolve("kits"));
    coordinatorKit = StartupKit.load(dir.resolve("kits/coordinator"));
    coordinator = CoordinatorServer.withTls(new InetSocketAddress("127.0.0.1", port), coordinatorKit.identity(),
        coordinatorKit.caCertificate(), "demo", dir.resolve("state")).start();
    proxy = FaultProxy.toLoopbackPort(port);
    startSite(DIRECT.get(0), 0, port);
    startSite(DIRECT.get(1), 1, port);
    startSite(FAULTY, 2, proxy.port());
  }

  private static void startSite(String name, int index, int port) {
    StartupKit kit = StartupKit.load(dir.resolve("kits").resolve(name));
    DemoData.generate(dir.resolve("data").resolve(name), index, 40, 16, 3);
    ManagedChannel channel = Channels.mutualTls("127.0.0.1", port, kit.identity(), kit.caCertificate());
    EgressLedger ledger = new EgressLedger(ledger(name));
    SiteAgent agent = new SiteAgent(channel, ledger, kit.identity(), kit.caCertificate(),
        dir.resolve("data").resolve(name), new Backoff(100, 1_000), 2_000, new SiteAgent.Events() {});
    Thread thread = new Thread(agent, "agent-" + name);
    channels.add(channel);
    ledgers.add(ledger);
    agents.add(agent);
    threads.add(thread);
    thread.start();
  }

  @AfterAll
  static void stopFederation() throws Exception {
    agents.forEach(SiteAgent::stop);
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Thread thread : threads) {
      thread.join(10_000);
    }
    for (EgressLedger ledger : ledgers) {
      ledger.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (coordinator != null) {
      coordinator.stop();
    }
  }

  @BeforeEach
  void plainConnectionAndEverySiteIn() throws InterruptedException {
    proxy.clear();
    Await.until("every site to join", Duration.ofSeconds(120),
        () -> coordinator.roster().available().containsAll(List.of("hospital-a", "hospital-b", FAULTY)));
  }

  @Test
  void uploadCutMidStreamIsNotAggregatedAndTheSiteSendsItAgain() throws Exception {
    // given
    proxy.throttle(Direction.UPSTREAM, THROTTLE_BYTES_PER_SECOND);
    String jobId = submit("upload-cut", 1, 120);

    // when: the connection is reset 128 kB into hospital-c's update
    Await.until("hospital-c to start its upload", Duration.ofSeconds(120),
        () -> SiteLedger.count(ledger(FAULTY), "update_header", jobId, 1) > 0);
    int cutsBefore = proxy.cuts();
    proxy.cutAfter(Direction.UPSTREAM, CUT_AFTER_BYTES);
    Await.until("the cut", Duration.ofSeconds(60), () -> proxy.cuts() == cutsBefore + 1);
    proxy.clear();
    RoundDriver driver = awaitFinal(jobId);

    // then: two uploads left the site, the coordinator took one, and the round has hospital-c's update
    AuditTrail trail = trail(jobId);
    assertEquals(JobState.FINISHED, driver.snapshot().record().state(), driver.snapshot().record().message());
    assertTrue(SiteLedger.count(ledger(FAULTY), "update_header", jobId, 1) >= 2, "hospital-c did not send again");
    assertEquals(List.of(FAULTY), trail.actors("update_received", 1).stream().filter(FAULTY::equals).toList(),
        "updates of hospital-c received in round 1");
    assertEquals(List.of(), trail.actors("update_rejected", 1));
    assertEquals(List.of("hospital-a", "hospital-b", FAULTY), sorted(trail.sitesOf(1)));
    assertIntact(jobId);
  }

  @Test
  void downloadCutMidStreamIsFetchedAgain() throws Exception {
    // given
    proxy.throttle(Direction.DOWNSTREAM, THROTTLE_BYTES_PER_SECOND);
    String jobId = submit("download-cut", 1, 120);

    // when: the connection is reset 128 kB into hospital-c's download of the global model
    Await.until("hospital-c to ask for the model", Duration.ofSeconds(120),
        () -> SiteLedger.count(ledger(FAULTY), "fetch_model_request", jobId, 1) > 0);
    int cutsBefore = proxy.cuts();
    proxy.cutAfter(Direction.DOWNSTREAM, CUT_AFTER_BYTES);
    Await.until("the cut", Duration.ofSeconds(60), () -> proxy.cuts() == cutsBefore + 1);
    proxy.clear();
    RoundDriver driver = awaitFinal(jobId);

    // then: the site fetched the model again, trained on it, and the round has its update
    AuditTrail trail = trail(jobId);
    assertEquals(JobState.FINISHED, driver.snapshot().record().state(), driver.snapshot().record().message());
    assertTrue(SiteLedger.count(ledger(FAULTY), "fetch_model_request", jobId, 1) >= 2,
        "hospital-c did not fetch the model again");
    assertEquals(1, SiteLedger.count(ledger(FAULTY), "update_header", jobId, 1));
    assertEquals(List.of("hospital-a", "hospital-b", FAULTY), sorted(trail.sitesOf(1)));
    assertIntact(jobId);
  }

  @Test
  void downloadStalledPastTheDeadlineLeavesTheRoundToTheOthers() throws Exception {
    // given: a short deadline
    proxy.throttle(Direction.DOWNSTREAM, THROTTLE_BYTES_PER_SECOND);
    String jobId = submit("download-stall", 2, 20);

    // when: hospital-c's download stops mid-stream, and only resumes once round 1 is over
    Await.until("hospital-c to ask for the model", Duration.ofSeconds(120),
        () -> SiteLedger.count(ledger(FAULTY), "fetch_model_request", jobId, 1) > 0);
    long atRequest = proxy.bytes(Direction.DOWNSTREAM);
    Await.until("the model to flow", Duration.ofSeconds(60),
        () -> proxy.bytes(Direction.DOWNSTREAM) >= atRequest + CUT_AFTER_BYTES);
    proxy.stall(Direction.DOWNSTREAM);
    Await.until("round 1 to be committed", Duration.ofSeconds(120), () -> trail(jobId).committed(1));
    proxy.clear();
    RoundDriver driver = awaitFinal(jobId);

    // then: round 1 went on without hospital-c; its late update was refused; it trained round 2
    AuditTrail trail = trail(jobId);
    assertEquals(JobState.FINISHED, driver.snapshot().record().state(), driver.snapshot().record().message());
    assertEquals(List.of("hospital-a", "hospital-b"), sorted(trail.sitesOf(1)));
    assertTrue(trail.of("deadline_passed", 1).stream()
        .anyMatch(e -> e.details().path("missing_sites").toString().contains(FAULTY)));
    assertEquals(List.of(), trail.actors("update_received", 1).stream().filter(FAULTY::equals).toList());
    assertEquals(List.of(FAULTY), trail.actors("update_rejected", 1), "the late update of round 1 was not refused");
    assertTrue(trail.actors("update_received", 2).contains(FAULTY), "hospital-c did not train round 2");
    assertIntact(jobId);
  }

  private static String submit(String name, int rounds, int deadlineSeconds) {
    return coordinator.jobs().submit(String.join("\n",
        "name: " + name,
        "model: {name: cnn-fedavg, input: {width: 16, height: 16, channels: 1}}",
        "classes: [" + String.join(", ", DemoData.classes()) + "]",
        "rounds: " + rounds,
        "min_sites: 2",
        "batch_size: 16",
        "round_deadline_seconds: " + deadlineSeconds,
        "evaluation: {every_rounds: 0}",
        ""), "alice");
  }

  private static RoundDriver awaitFinal(String jobId) throws InterruptedException {
    RoundDriver driver = coordinator.jobs().find(jobId).orElseThrow();
    assertTrue(driver.awaitFinal(240_000), "job did not finish: " + driver.snapshot().activity());
    return driver;
  }

  private static AuditTrail trail(String jobId) {
    return AuditTrail.read(coordinator.jobs().jobDir(jobId).resolve("audit.log"));
  }

  private static void assertIntact(String jobId) throws IOException {
    var audit = AuditVerifier.verify(coordinator.jobs().jobDir(jobId).resolve("audit.log"),
        coordinatorKit.caCertificate(), null);
    assertTrue(audit.intact(), audit.toString());
    LedgerVerifier.Result ledger = LedgerVerifier.verify(ledger(FAULTY));
    assertTrue(ledger.intact(), "hospital-c's egress ledger: " + ledger.problem());
  }

  private static Path ledger(String site) {
    return dir.resolve("ledger-" + site + ".jsonl");
  }

  private static List<String> sorted(List<String> names) {
    return names.stream().sorted().toList();
  }
}
