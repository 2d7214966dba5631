package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.EgressLedger;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.job.RoundRecord;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.deploy.provision.Provisioner;

/**
 * A site that drops out of secure aggregation after advertising its keys: the round goes on with the others (at
 * least the threshold remain), their masks with the dropped site are cancelled, and the job finishes.
 */
class SecureAggregationDropoutIT {
  @Test
  void siteThatDropsAfterAdvertisingIsRecoveredFrom(@TempDir Path dir) throws Exception {
    // given: three sites, threshold 2; hospital-3 stops itself right after it advertised its keys
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    List<String> names = List.of("hospital-1", "hospital-2", "hospital-3");
    Provisioner.provision("demo", "127.0.0.1:" + port, names, List.of("alice"), List.of(), dir.resolve("kits"));
    StartupKit coordinatorKit = StartupKit.load(dir.resolve("kits/coordinator"));
    CoordinatorServer coordinator = CoordinatorServer.withTls(new InetSocketAddress("127.0.0.1", port),
        coordinatorKit.identity(), coordinatorKit.caCertificate(), "demo", dir.resolve("state")).start();
    List<SiteAgent> agents = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<EgressLedger> ledgers = new ArrayList<>();
    try {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        DemoData.generate(dir.resolve("data").resolve(name), i, 40, 16, 5);
        StartupKit kit = StartupKit.load(dir.resolve("kits").resolve(name));
        ManagedChannel channel = Channels.mutualTls("127.0.0.1", port, kit.identity(), kit.caCertificate());
        EgressLedger ledger = new EgressLedger(dir.resolve("ledger-" + name + ".jsonl"));
        SiteAgent[] self = new SiteAgent[1];
        SiteAgent agent = new SiteAgent(channel, ledger, kit.identity(), kit.caCertificate(),
            dir.resolve("data").resolve(name), new Backoff(100, 1_000), 1_000, new SiteAgent.Events() {
              @Override
              public void secureAggregationStep(String jobId, int round, String stage) {
                if (name.equals("hospital-3") && stage.equals("ADVERTISE_KEYS")) {
                  self[0].stop();
                }
              }
            });
        self[0] = agent;
        agents.add(agent);
        channels.add(channel);
        ledgers.add(ledger);
        Thread thread = new Thread(agent, "agent-" + name);
        threads.add(thread);
        thread.start();
      }
      // when
      String jobId = coordinator.jobs().submit(String.join("\n", "name: dropout",
          "model: {name: cnn-fedavg, input: {width: 16, height: 16, channels: 1}}",
          "classes: [" + String.join(", ", DemoData.classes()) + "]",
          "rounds: 1", "min_sites: 2", "round_deadline_seconds: 20",
          "secure_aggregation: {threshold: 2}", "evaluation: {every_rounds: 0}", ""), "alice");
      RoundDriver driver = coordinator.jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(120_000), "job did not finish");

      // then: the round was aggregated from the two sites that stayed, through the unmasking of a dropped site
      assertEquals(JobState.FINISHED, driver.snapshot().record().state());
      RoundRecord round = driver.snapshot().rounds().get(0);
      assertEquals(List.of("hospital-1", "hospital-2"), round.sites().stream().sorted().toList());
      Path log = dir.resolve("state/jobs").resolve(jobId).resolve("audit.log");
      List<String> lines = Files.readAllLines(log);
      assertTrue(lines.stream().anyMatch(l -> l.contains("\"secure_aggregation_unmasked\"")));
      assertEquals(2, lines.stream().filter(l -> l.contains("\"masked_update_received\"")).count());
      assertTrue(AuditVerifier.verify(log, coordinatorKit.caCertificate(), null).intact());
      // a wrong unmasking leaves uniform noise of order 2^31 / scale; a right one moves no parameter by more than the
      // per-coordinate clip (1.0) from the round-0 model, which the seed makes reproducible
      float[] before = CoordinatorServer.freshModel(driver.spec());
      float[] after = driver.latestModel().parameters();
      double largestMove = 0;
      for (int i = 0; i < after.length; i++) {
        largestMove = Math.max(largestMove, Math.abs(after[i] - before[i]));
      }
      assertTrue(largestMove > 0 && largestMove <= 1.0, "largest parameter change " + largestMove);
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
      coordinator.stop();
    }
  }
}
