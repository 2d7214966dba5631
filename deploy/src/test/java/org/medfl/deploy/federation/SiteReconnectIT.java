package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.egress.EgressLedger;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.deploy.provision.Provisioner;
import org.medfl.proto.v1.JoinReply;

/** A site agent started before its coordinator keeps retrying and joins once the coordinator appears. */
class SiteReconnectIT {
  @Test
  void siteStartedBeforeTheCoordinatorJoinsOnceItAppears(@TempDir Path dir) throws Exception {
    // given: kits for a coordinator on a port where nothing listens yet, and a running agent
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Provisioner.provision("demo", "127.0.0.1:" + port, List.of("hospital-a"), List.of("alice"), List.of(),
        dir.resolve("kits"));
    StartupKit site = StartupKit.load(dir.resolve("kits/hospital-a"));
    ManagedChannel channel = Channels.mutualTls("127.0.0.1", port, site.identity(), site.caCertificate());
    CountDownLatch unreachable = new CountDownLatch(2);
    CountDownLatch joined = new CountDownLatch(1);
    AtomicInteger failures = new AtomicInteger();
    SiteAgent agent = new SiteAgent(channel, new EgressLedger(dir.resolve("ledger.jsonl")), site.identity(),
        site.caCertificate(), dir.resolve("data"),
        new Backoff(50, 400), 1_000, new SiteAgent.Events() {
          @Override
          public void unreachable(String reason, long retryMillis) {
            failures.incrementAndGet();
            unreachable.countDown();
          }

          @Override
          public void joined(JoinReply reply) {
            joined.countDown();
          }
        });
    Thread thread = new Thread(agent, "agent");
    thread.start();
    CoordinatorServer coordinator = null;
    try {
      assertTrue(unreachable.await(30, TimeUnit.SECONDS), "agent never reported the coordinator unreachable");
      // when: the coordinator appears
      StartupKit kit = StartupKit.load(dir.resolve("kits/coordinator"));
      coordinator = CoordinatorServer.withTls(new InetSocketAddress("127.0.0.1", port), kit.identity(),
          kit.caCertificate(), kit.consortium(), dir.resolve("state")).start();
      // then
      assertTrue(joined.await(30, TimeUnit.SECONDS), "agent did not join after the coordinator appeared");
      assertEquals(List.of("hospital-a"), coordinator.roster().available());
      assertTrue(failures.get() >= 2);
    } finally {
      agent.stop();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      thread.join(10_000);
      if (coordinator != null) {
        coordinator.stop();
      }
    }
  }
}
