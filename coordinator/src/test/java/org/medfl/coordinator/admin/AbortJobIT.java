package org.medfl.coordinator.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.TestJobs;
import org.medfl.proto.v1.AbortJobRequest;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.SubmitJobRequest;

/** Aborting a job over loopback mutual TLS. */
class AbortJobIT {
  private final TestPki pki = TestPki.create("test");

  @Test
  void abortWithoutAJobIdIsRefusedAndAbortsNothing(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {1f, 2f, 3f})) {
      // given: a running job, the newest one
      var admin = AdminGrpc.newBlockingStub(coordinator.channelFor(pki.admin("alice")))
          .withDeadlineAfter(30, TimeUnit.SECONDS);
      String jobId = admin.submitJob(SubmitJobRequest.newBuilder()
          .setJobSpecYaml(TestJobs.yaml(1, 1, 60) + "sites: [nobody]\n").build()).getJobId();
      // when: the request names no job (an empty id means "the newest job" only for reading)
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
          () -> admin.abortJob(AbortJobRequest.newBuilder().setReason("oops").build()));
      // then
      assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
      assertEquals("job_id is required to abort a job", refused.getStatus().getDescription());
      // (had it been aborted, the reply would only have come once the job had stopped)
      assertFalse(coordinator.server().jobs().find(jobId).orElseThrow().snapshot().record().state().isFinal());
    }
  }
}
