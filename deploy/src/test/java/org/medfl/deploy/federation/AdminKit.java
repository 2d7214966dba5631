package org.medfl.deploy.federation;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.function.Function;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.transport.Channels;
import org.medfl.deploy.admin.AdminClient;
import org.medfl.proto.v1.JobStatus;

/** Admin calls a test makes with an admin's startup kit, each over a channel of its own, as `fl job` does. */
final class AdminKit {
  private final Path kit;

  /** Calls made with the admin kit in {@code kit}. */
  AdminKit(Path kit) {
    this.kit = kit;
  }

  /** The call's result; a failed call throws. */
  <T> T call(Function<AdminClient, T> call) {
    StartupKit admin = StartupKit.load(kit);
    ManagedChannel channel = Channels.mutualTls(admin.coordinatorHost(), admin.coordinatorPort(), admin.identity(),
        admin.caCertificate());
    try {
      return call.apply(new AdminClient(channel));
    } finally {
      channel.shutdownNow();
    }
  }

  /** The call's result, or null while the coordinator is unreachable (or refuses). */
  <T> T answer(Function<AdminClient, T> call) {
    try {
      return call(call);
    } catch (StatusRuntimeException e) {
      return null;
    }
  }

  /** True once the job reached a final state (FINISHED, ABORTED or FAILED); false also while unreachable. */
  boolean ended(String jobId) {
    JobStatus status = answer(admin -> admin.status(jobId));
    return status != null && !status.getState().equals("RUNNING") && !status.getState().equals("SUBMITTED");
  }
}
