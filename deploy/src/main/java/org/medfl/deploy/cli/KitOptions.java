package org.medfl.deploy.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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

  /** A failed call to the kit's coordinator as one sentence naming the address; other statuses pass through. */
  static RuntimeException explain(StartupKit kit, StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return e;
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String why = root == e ? String.valueOf(e.getStatus().getDescription()) : String.valueOf(root.getMessage());
    if (why.contains("Connection refused")) {
      why = "connection refused";
    }
    return new CliException(ExitCodes.FAILED, "cannot reach the coordinator at " + kit.coordinatorHost() + ":"
        + kit.coordinatorPort() + " named in kit " + kit.dir() + " (" + why + "); is it running?");
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
