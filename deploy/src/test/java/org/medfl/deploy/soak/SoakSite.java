package org.medfl.deploy.soak;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.egress.EgressLedger;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.transport.Channels;

/**
 * One honest site of the soak: a real agent on its own channel and ledger, which the fault plan can kill (its
 * channel cut and its thread stopped mid-whatever, as a power cut would) and start again on the same kit and ledger.
 */
final class SoakSite {
  private final String name;
  private final StartupKit kit;
  private final Path dataDir;
  private final Path ledgerFile;
  private final int port;
  private ManagedChannel channel;
  private SiteAgent agent;
  private Thread thread;
  private EgressLedger ledger;
  private int starts;

  /** A site whose agent connects to {@code port} on loopback (the soak's fault proxy) instead of its kit's address. */
  SoakSite(String name, Path kitDir, Path dataDir, Path ledgerFile, int port) {
    this.name = name;
    this.port = port;
    this.kit = StartupKit.load(kitDir);
    this.dataDir = dataDir;
    this.ledgerFile = ledgerFile;
  }

  String name() {
    return name;
  }

  Path ledgerFile() {
    return ledgerFile;
  }

  boolean running() {
    return agent != null;
  }

  int starts() {
    return starts;
  }

  void start() {
    if (agent != null) {
      throw new IllegalStateException(name + " is already running");
    }
    starts++;
    channel = Channels.mutualTls(kit.coordinatorHost(), port, kit.identity(), kit.caCertificate());
    ledger = new EgressLedger(ledgerFile);
    agent = new SiteAgent(channel, ledger, kit.identity(), kit.caCertificate(), dataDir, new Backoff(200, 2_000),
        2_000, new SiteAgent.Events() {});
    thread = new Thread(agent, "soak-" + name + "-" + starts);
    thread.setDaemon(true);
    thread.start();
  }

  /** Cuts the connection first, so nothing more leaves, then stops the agent; its state on disk stays. */
  void kill() throws InterruptedException, IOException {
    channel.shutdownNow();
    agent.stop();
    thread.join(30_000);
    channel.awaitTermination(10, TimeUnit.SECONDS);
    ledger.close();
    agent = null;
  }
}
