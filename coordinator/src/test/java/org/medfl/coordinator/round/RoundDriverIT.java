package org.medfl.coordinator.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.job.RoundRecord;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.SiteHandle;
import org.medfl.coordinator.testing.TestJobs;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.VectorHeader;

/** Rounds end to end over loopback TLS, with scripted sites. */
class RoundDriverIT {
  private final TestPki pki = TestPki.create("test");

  @Test
  void fedAvgOfKnownUpdatesGivesTheExactExpectedModel(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {1f, 2f, 3f})) {
      // given: two sites, 100 and 300 examples
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle b = new SiteHandle(coordinator, pki.site("b"));
      String jobId = submit(coordinator, TestJobs.yaml(1, 2, 120));
      // when
      Task taskA = a.nextTask();
      Task taskB = b.nextTask();
      a.push(taskA, new float[] {4f, 0f, -8f}, 100);
      b.push(taskB, new float[] {0f, 4f, 8f}, 300);
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(30_000));
      // then: {1,2,3} + (100*{4,0,-8} + 300*{0,4,8}) / 400 = {2,5,7}
      assertArrayEquals(new float[] {2f, 5f, 7f}, driver.latestModel().parameters());
      assertEquals(JobState.FINISHED, driver.snapshot().record().state());
    }
  }

  @Test
  void badUpdatesAreRejectedAuditedAndTheRoundGoesOnWithTheOthers(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {1f, 2f, 3f})) {
      // given: five sites, four of which will misbehave
      SiteHandle wrongLength = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle notFinite = new SiteHandle(coordinator, pki.site("b"));
      SiteHandle badDigest = new SiteHandle(coordinator, pki.site("c"));
      SiteHandle honest = new SiteHandle(coordinator, pki.site("d"));
      SiteHandle forged = new SiteHandle(coordinator, pki.site("e"));
      String jobId = submit(coordinator, TestJobs.yaml(1, 1, 120));

      // when
      StatusRuntimeException lengthError = assertThrows(StatusRuntimeException.class,
          () -> wrongLength.push(wrongLength.nextTask(), new float[] {1f, 1f, 1f, 1f}, 10));
      StatusRuntimeException finiteError = assertThrows(StatusRuntimeException.class,
          () -> notFinite.push(notFinite.nextTask(), new float[] {1f, Float.NaN, 1f}, 10));
      float[] tampered = {1f, 1f, 1f};
      VectorHeader claimed = ParameterCodec.header(new float[] {2f, 2f, 2f});
      StatusRuntimeException digestError = assertThrows(StatusRuntimeException.class,
          () -> badDigest.push(badDigest.nextTask(), tampered, 10, claimed));
      float[] forgedDelta = {1f, 1f, 1f};
      StatusRuntimeException signatureError = assertThrows(StatusRuntimeException.class, () -> forged.push(
          forged.nextTask(), forgedDelta, 10, ParameterCodec.header(forgedDelta), pki.site("mallory")));
      boolean accepted = honest.push(honest.nextTask(), new float[] {1f, 1f, 1f}, 10).getAccepted();
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(30_000));

      // then
      assertEquals(Status.Code.FAILED_PRECONDITION, lengthError.getStatus().getCode());
      assertTrue(lengthError.getStatus().getDescription().contains("has 4 values, the model has 3"));
      assertEquals(Status.Code.INVALID_ARGUMENT, finiteError.getStatus().getCode());
      assertTrue(finiteError.getStatus().getDescription().contains("NaN"));
      assertEquals(Status.Code.INVALID_ARGUMENT, digestError.getStatus().getCode());
      assertEquals(Status.Code.FAILED_PRECONDITION, signatureError.getStatus().getCode());
      assertTrue(signatureError.getStatus().getDescription().contains("signature does not verify"));
      assertTrue(accepted);
      RoundRecord round = driver.snapshot().rounds().get(0);
      assertEquals(List.of("d"), round.sites());
      assertEquals(4, round.rejected().size());
      assertArrayEquals(new float[] {2f, 3f, 4f}, driver.latestModel().parameters());
      Path log = state.resolve("jobs").resolve(jobId).resolve("audit.log");
      long rejections = Files.readAllLines(log).stream().filter(line -> line.contains("\"update_rejected\"")).count();
      assertEquals(4, rejections);
      assertTrue(AuditVerifier.verify(log, pki.caCertificate(), driver.snapshot().record().auditHead()).intact());
    }
  }

  @Test
  void siteNotSelectedCannotFetchTheModel(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {1f, 2f, 3f})) {
      // given: a job enrolling only site "a"
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle outsider = new SiteHandle(coordinator, pki.site("z"));
      String jobId = submit(coordinator, TestJobs.yaml(1, 1, 120) + "sites: [a]\n");
      Task task = a.nextTask();
      // when
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
          () -> outsider.client().fetchModel(jobId, task.getRound(), task.getGlobalModel()));
      // then
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    }
  }

  @Test
  void jobWithDifferentialPrivacyStopsBeforeExceedingItsBudget(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {0f, 0f, 0f})) {
      // given: a budget that two rounds fit and a third does not
      String base = TestJobs.yaml(5, 2, 120);
      String probe = base + "dp: {mode: central, clip: 1.0, noise_multiplier: 1.0, delta: 0.00001, max_epsilon: 100}\n";
      var spec = org.medfl.common.job.JobSpec.parse(probe);
      double afterTwo = org.medfl.common.privacy.JobPrivacy.epsilonAfter(spec, 2);
      double afterThree = org.medfl.common.privacy.JobPrivacy.epsilonAfter(spec, 3);
      String yaml = probe.replace("max_epsilon: 100", "max_epsilon: " + (afterTwo + afterThree) / 2);
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle b = new SiteHandle(coordinator, pki.site("b"));
      String jobId = submit(coordinator, yaml);
      // when: the sites answer every round they are asked for
      for (int round = 1; round <= 2; round++) {
        a.push(a.nextTask(), new float[] {0.6f, 0.8f, 0f}, 10);
        b.push(b.nextTask(), new float[] {0f, 0f, 0.5f}, 10);
      }
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(30_000));
      // then
      var snapshot = driver.snapshot();
      assertEquals(JobState.FINISHED, snapshot.record().state());
      assertEquals(2, snapshot.rounds().size());
      assertEquals(afterTwo, snapshot.rounds().get(1).epsilon(), 1e-9);
      assertTrue(snapshot.record().message().contains("max_epsilon"), snapshot.record().message());
      Path log = state.resolve("jobs").resolve(jobId).resolve("audit.log");
      assertTrue(Files.readString(log).contains("\"privacy_budget_reached\""));
    }
  }

  @Test
  void sitesEvaluateTheGlobalModelAndTheCoordinatorPoolsTheirConfusionMatrices(@TempDir Path state)
      throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {1f, 2f, 3f})) {
      // given: one round, then federated evaluation
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle b = new SiteHandle(coordinator, pki.site("b"));
      String jobId = submit(coordinator, TestJobs.withEvaluation(1, 2, 120));
      a.push(a.nextTask(), new float[] {1f, 1f, 1f}, 10);
      b.push(b.nextTask(), new float[] {1f, 1f, 1f}, 10);
      // when: each site evaluates the committed model; one report has the wrong number of classes
      Task evalA = a.nextTask();
      Task evalB = b.nextTask();
      StatusRuntimeException malformed = assertThrows(StatusRuntimeException.class,
          () -> a.reportEvaluation(evalA, new long[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, 0.5));
      a.reportEvaluation(evalA, new long[][] {{8, 2}, {1, 9}}, 0.90);
      b.reportEvaluation(evalB, new long[][] {{4, 0}, {3, 3}}, 0.80);
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(30_000));
      // then: pooled matrix {{12,2},{4,12}}: accuracy 24/30; recall of class 1 = 12/16; AUC (20*0.9+10*0.8)/30;
      // site b alone: (4 + 3) / 10
      assertEquals(Task.Kind.EVALUATE, evalA.getKind());
      assertEquals(Status.Code.INVALID_ARGUMENT, malformed.getStatus().getCode());
      RoundRecord round = driver.snapshot().rounds().get(0);
      assertEquals(0.8, round.evaluation().accuracy(), 1e-12);
      assertEquals(12.0 / 16, round.evaluation().recall().get(1), 1e-12);
      assertEquals((20 * 0.9 + 10 * 0.8) / 30, round.evaluation().auc(), 1e-12);
      assertEquals(0.7, round.siteEvaluations().get("b").accuracy(), 1e-12);
      Path log = state.resolve("jobs").resolve(jobId).resolve("audit.log");
      assertTrue(Files.readString(log).contains("\"evaluation_aggregated\""));
    }
  }

  private static String submit(LoopbackCoordinator coordinator, String yaml) {
    return coordinator.submit(yaml);
  }
}
