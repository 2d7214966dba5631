package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.DemoData;
import org.medfl.client.egress.AnchorCheck;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerEntry;
import org.medfl.client.egress.LedgerVerifier;
import org.medfl.client.training.TrainResult;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.deploy.provision.Provisioner;

/**
 * A whole federation with one site whose channel also counts, at the transport, every message it sends. The egress
 * ledger must account for all of them, byte for byte, and hold no kind of message beyond the declared ones.
 */
class EgressAccountingIT {
  private static final Set<String> DECLARED = Set.of("join", "poll", "fetch_model_request", "update_header",
      "update_chunk", "evaluation_report", LedgerEntry.AUDIT_ANCHOR);

  @Test
  void ledgerAccountsForEveryByteTheChannelSent(@TempDir Path dir) throws Exception {
    // given: a coordinator, one site, a job of two rounds, and a transport-level byte counter on the site's channel
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Provisioner.provision("demo", "127.0.0.1:" + port, List.of("a"), List.of("alice"), List.of(), dir.resolve("kits"));
    DemoData.generate(dir.resolve("data"), 0, 30, 16, 5);
    StartupKit coordinatorKit = StartupKit.load(dir.resolve("kits/coordinator"));
    CoordinatorServer coordinator = CoordinatorServer.withTls(new InetSocketAddress("127.0.0.1", port),
        coordinatorKit.identity(), coordinatorKit.caCertificate(), "demo", dir.resolve("state")).start();
    StartupKit site = StartupKit.load(dir.resolve("kits/a"));
    AtomicLong wireMessages = new AtomicLong();
    AtomicLong wireBytes = new AtomicLong();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port,
            TlsCredentials.client(site.identity(), site.caCertificate()))
        .intercept(countingTracer(wireMessages, wireBytes)).build();
    Path ledgerFile = dir.resolve("egress.jsonl");
    EgressLedger ledger = new EgressLedger(ledgerFile);
    CountDownLatch roundTwo = new CountDownLatch(1);
    SiteAgent agent = new SiteAgent(channel, ledger, site.identity(), site.caCertificate(), dir.resolve("data"),
        new Backoff(50, 500), 1_000, new SiteAgent.Events() {
          @Override
          public void updateAccepted(String jobId, int round, TrainResult result) {
            if (round == 2) {
              roundTwo.countDown();
            }
          }
        });
    // Each step split across 2 threads, as `fl site start` trains on a 2-core machine: the split must change nothing
    // about what leaves the site.
    agent.withTrainingThreads(2);
    Thread thread = new Thread(agent, "agent");
    thread.start();
    String jobId;
    try {
      jobId = coordinator.jobs().submit(String.join("\n", "name: egress", "model: {name: cnn-fedavg, input: "
          + "{width: 16, height: 16, channels: 1}}", "classes: [" + String.join(", ", DemoData.classes()) + "]",
          "rounds: 2", "min_sites: 1", ""), "alice");
      // when
      assertTrue(roundTwo.await(120, TimeUnit.SECONDS), "round 2 was not accepted");
      assertTrue(coordinator.jobs().find(jobId).orElseThrow().awaitFinal(60_000));
    } finally {
      agent.stop();
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      thread.join(10_000);
      ledger.close();
      coordinator.stop();
    }

    // then: every message the transport sent is in the ledger with the same size, and nothing else is
    List<LedgerEntry> entries = EgressLedger.read(ledgerFile);
    List<LedgerEntry> messages = entries.stream().filter(e -> !e.kind().equals(LedgerEntry.AUDIT_ANCHOR)).toList();
    assertTrue(LedgerVerifier.verify(ledgerFile).intact());
    assertTrue(entries.stream().allMatch(e -> DECLARED.contains(e.kind())), entries.toString());
    // The ledger records a message before handing it to the transport, so the poll the agent was starting when the
    // channel shut down may be in the ledger without ever reaching the wire: at most that last one, never the reverse.
    long ledgerBytes = messages.stream().mapToLong(LedgerEntry::bytes).sum();
    long unsent = messages.size() - wireMessages.get();
    assertTrue(unsent == 0 || unsent == 1, "ledger " + messages.size() + " messages, wire " + wireMessages.get());
    LedgerEntry last = messages.get(messages.size() - 1);
    if (unsent == 1) {
      assertEquals("poll", last.kind(), "only a final poll may be cut off by the shutdown");
    }
    assertEquals(wireBytes.get(), ledgerBytes - (unsent == 1 ? last.bytes() : 0));
    // and the audit heads the site was shown are all still in the coordinator's log
    List<String> auditLines = Files.readAllLines(dir.resolve("state/jobs").resolve(jobId).resolve("audit.log"),
        StandardCharsets.UTF_8);
    // one head per task: two training rounds and two evaluations
    assertEquals(4, AnchorCheck.count(jobId, entries));
    assertNull(AnchorCheck.problem(auditLines, jobId, entries, "ledger"));
    // a coordinator that rewrote the record a site saw is caught
    List<String> rewritten = new java.util.ArrayList<>(auditLines);
    LedgerEntry firstAnchor = entries.stream().filter(e -> e.kind().equals(LedgerEntry.AUDIT_ANCHOR)).findFirst()
        .orElseThrow();
    int index = (int) firstAnchor.bytes() - 1;
    rewritten.set(index, rewritten.get(index).replace("\"round\":1", "\"round\":9"));
    assertTrue(AnchorCheck.problem(rewritten, jobId, entries, "ledger").contains("rewritten"));
  }

  /** Counts each outbound message at the transport, after serialization (uncompressed size). */
  private static ClientInterceptor countingTracer(AtomicLong messages, AtomicLong bytes) {
    ClientStreamTracer.Factory factory = new ClientStreamTracer.Factory() {
      @Override
      public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
        return new ClientStreamTracer() {
          @Override
          public void outboundMessageSent(int seqNo, long wireSize, long uncompressedSize) {
            messages.incrementAndGet();
            bytes.addAndGet(uncompressedSize);
          }
        };
      }
    };
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return next.newCall(method, options.withStreamTracerFactory(factory));
      }
    };
  }
}
