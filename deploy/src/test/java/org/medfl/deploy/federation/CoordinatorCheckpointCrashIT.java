package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.EgressLedger;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.store.AtomicFiles;
import org.medfl.common.testing.Await;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.job.Checkpoint;
import org.medfl.coordinator.job.JobStore;
import org.medfl.coordinator.job.RoundRecord;
import org.medfl.deploy.admin.AdminClient;
import org.medfl.deploy.provision.Provisioner;
import org.medfl.proto.v1.JobStatus;

/**
 * The coordinator halts (as under SIGKILL) in the middle of committing round 1, at a point chosen through its test
 * fault hook ({@code -Dmedfl.fault.haltAfter}). Restarted on the same state, it resumes from the last round that was
 * committed, a model file written for an uncommitted round does no harm, the sites come back by themselves, and the
 * job ends with exactly its rounds, each committed once, under an intact audit chain.
 */
class CoordinatorCheckpointCrashIT {
  private static final int ROUNDS = 2;
  private static final int HALT_ROUND = 1;

  @ParameterizedTest(name = "halted at {0}")
  @ValueSource(strings = {"model-written", "before-checkpoint", "checkpoint-written"})
  void coordinatorHaltedMidCommitResumesFromTheLastCommittedRound(String point, @TempDir Path dir) throws Exception {
    // given: a coordinator process that halts at `point` of round 1, and two site agents
    int port = FlProcess.freePort();
    Provisioner.provision("demo", "127.0.0.1:" + port, List.of("a", "b"), List.of("alice"), List.of(),
        dir.resolve("kits"));
    DemoData.generate(dir.resolve("data/a"), 0, 40, 16, 3);
    DemoData.generate(dir.resolve("data/b"), 1, 40, 16, 3);
    Path state = dir.resolve("state");
    Process coordinator = FlProcess.coordinator(dir.resolve("kits/coordinator"), state, port,
        dir.resolve("coordinator-first.log"), "-Dmedfl.fault.haltAfter=" + point,
        "-Dmedfl.fault.haltRound=" + HALT_ROUND);
    List<SiteAgent> agents = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<EgressLedger> ledgers = new ArrayList<>();
    AdminKit alice = new AdminKit(dir.resolve("kits/alice"));
    try {
      for (String site : List.of("a", "b")) {
        StartupKit kit = StartupKit.load(dir.resolve("kits").resolve(site));
        ManagedChannel channel = Channels.mutualTls("127.0.0.1", port, kit.identity(), kit.caCertificate());
        channels.add(channel);
        EgressLedger ledger = new EgressLedger(dir.resolve("ledger-" + site + ".jsonl"));
        ledgers.add(ledger);
        SiteAgent agent = new SiteAgent(channel, ledger, kit.identity(), kit.caCertificate(),
            dir.resolve("data").resolve(site), new Backoff(100, 1_000), 2_000, new SiteAgent.Events() {});
        agents.add(agent);
        Thread thread = new Thread(agent, "agent-" + site);
        threads.add(thread);
        thread.start();
      }
      Await.until("the coordinator to answer", Duration.ofSeconds(60), () -> alice.answer(AdminClient::list) != null);
      String jobId = alice.call(admin -> admin.submit(jobYaml()));
      Path jobDir = state.resolve("jobs").resolve(jobId);
      JobStore store = new JobStore(jobDir);

      // when: the hook halts the coordinator in round 1's commit
      assertTrue(coordinator.waitFor(240, TimeUnit.SECONDS), "the coordinator never reached " + point);
      assertEquals(137, coordinator.exitValue(), "the coordinator ended otherwise than through the fault hook");
      int committedBeforeCrash = store.readCheckpoint().orElseThrow().round();
      Path orphan = store.modelFile(HALT_ROUND);
      // what the crash left: round 1's model file, and a checkpoint that names it only past checkpoint-written
      assertTrue(Files.exists(orphan));
      assertEquals(point.equals("checkpoint-written") ? HALT_ROUND : HALT_ROUND - 1, committedBeforeCrash);
      // the checkpoint commits first, so the audit log never names a round the checkpoint does not
      assertEquals(List.of(), AuditTrail.read(store.auditLog()).committedRounds());
      coordinator = FlProcess.coordinator(dir.resolve("kits/coordinator"), state, port,
          dir.resolve("coordinator-second.log"));
      Await.until("the job to finish", Duration.ofSeconds(240), () -> alice.ended(jobId));

      // then: resumed after the last committed round, every round committed exactly once, in order
      JobStatus status = alice.call(admin -> admin.status(jobId));
      assertEquals("FINISHED", status.getState(), status.toString());
      assertEquals(ROUNDS, status.getRoundsCompleted());
      AuditTrail trail = AuditTrail.read(store.auditLog());
      assertEquals(IntStream.rangeClosed(1, ROUNDS).boxed().toList(), trail.committedRounds(),
          "rounds committed, in audit-log order");
      // a round committed but not yet audited when the coordinator stopped is audited on resume, and says so
      assertEquals(point.equals("checkpoint-written"), trail.of("aggregate_produced", HALT_ROUND).get(0).details()
          .path("recorded_on_resume").asBoolean(false));
      List<AuditTrail.Event> resumed = trail.of("job_resumed");
      assertEquals(1, resumed.size());
      assertEquals(committedBeforeCrash + 1, resumed.get(0).details().path("from_round").asInt());
      // the sites reconnected by themselves: both trained the rounds after the crash
      for (int round = committedBeforeCrash + 1; round <= ROUNDS; round++) {
        assertEquals(List.of("a", "b"), trail.sitesOf(round).stream().sorted().toList(), "round " + round);
      }
      // every model file, the one written before the crash included, is the one its round committed
      Checkpoint last = store.readCheckpoint().orElseThrow();
      assertEquals(ROUNDS, last.round());
      for (RoundRecord round : last.rounds()) {
        String onDisk = ParameterCodec.header(AtomicFiles.readFloats(store.modelFile(round.round()))).getSha256();
        assertEquals(round.modelSha256(), onDisk, "model file of round " + round.round());
      }
      var verification = AuditVerifier.verify(store.auditLog(),
          StartupKit.load(dir.resolve("kits/alice")).caCertificate(), last.auditHead());
      assertTrue(verification.intact(), verification.toString());
    } finally {
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
      FlProcess.kill(coordinator);
    }
  }

  private static String jobYaml() {
    return String.join("\n",
        "name: checkpoint-crash",
        "model: {name: cnn-fedavg, input: {width: 16, height: 16, channels: 1}}",
        "classes: [" + String.join(", ", DemoData.classes()) + "]",
        "rounds: " + ROUNDS,
        "min_sites: 2",
        "batch_size: 16",
        "round_deadline_seconds: 300",
        "evaluation: {every_rounds: 0}",
        "");
  }
}
