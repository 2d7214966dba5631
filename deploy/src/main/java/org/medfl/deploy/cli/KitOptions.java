package org.medfl.deploy.cli;

import io.grpc.ManagedChannel;
import java.nio.file.Path;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Role;
import org.medfl.common.transport.Channels;

/** Loading a kit for a command, and a channel to the coordinator it names. */
final class KitOptions {
  private KitOptions() {}

  /** Loads and checks the kit; wrong role or damaged kit: a KitException naming it (exit 2). */
  static StartupKit load(Path dir, Role... allowed) {
    return StartupKit.load(dir).requireRole(allowed);
  }

  /** A mutual-TLS channel to the kit's coordinator. */
  static ManagedChannel channel(StartupKit kit) {
    return Channels.mutualTls(kit.coordinatorHost(), kit.coordinatorPort(), kit.identity(), kit.caCertificate());
  }

  /** Closes a channel, waiting briefly for calls to finish. */
  static void close(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
