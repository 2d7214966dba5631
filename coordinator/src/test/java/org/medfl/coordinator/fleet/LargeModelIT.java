package org.medfl.coordinator.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.SiteHandle;
import org.medfl.coordinator.testing.TestJobs;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.SubmitJobRequest;
import org.medfl.proto.v1.Task;

/** Models beyond gRPC's 4 MiB message limit cross in chunks, both ways, over mutual TLS. */
class LargeModelIT {
  @Test
  void twelveMegabyteModelCrossesBothWays(@TempDir Path state) throws Exception {
    // given: a 3M-parameter model (12 MB, three times the default message limit)
    float[] initial = new float[3_000_000];
    Random random = new Random(1);
    for (int i = 0; i < initial.length; i++) {
      initial[i] = (float) random.nextGaussian();
    }
    TestPki pki = TestPki.create("test");
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> initial.clone())) {
      SiteHandle site = new SiteHandle(coordinator, pki.site("hospital-a"));
      String jobId = AdminGrpc.newBlockingStub(coordinator.channelFor(pki.admin("alice")))
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .submitJob(SubmitJobRequest.newBuilder().setJobSpecYaml(TestJobs.yaml(1, 1, 120)).build()).getJobId();

      // when: the site fetches the global model and pushes back a 12 MB update
      Task task = site.nextTask();
      float[] global = site.client().fetchModel(jobId, task.getRound(), task.getGlobalModel());
      float[] delta = new float[initial.length];
      java.util.Arrays.fill(delta, 0.5f);
      boolean accepted = site.push(task, delta, 10).getAccepted();
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(60_000), "job did not finish");

      // then
      assertEquals(Task.Kind.TRAIN, task.getKind());
      assertArrayEquals(initial, global);
      assertTrue(accepted);
      float[] expected = new float[initial.length];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = initial[i] + 0.5f;
      }
      assertArrayEquals(expected, driver.latestModel().parameters());
    }
  }
}
