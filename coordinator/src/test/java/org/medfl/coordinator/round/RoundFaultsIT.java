package org.medfl.coordinator.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.SiteHandle;
import org.medfl.coordinator.testing.TestJobs;
import org.medfl.proto.v1.PushReply;
import org.medfl.proto.v1.Task;

/**
 * Rounds that go wrong, over loopback TLS with scripted sites: a straggler past the deadline, a round short of quorum,
 * an upload sent twice because its acknowledgement was lost, and a site that declines its task.
 */
class RoundFaultsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TestPki pki = TestPki.create("test");

  @Test
  void stragglerPastTheDeadlineIsRefusedAndRecorded(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {0f, 0f})) {
      // given: three sites, two needed, a two-second deadline
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle b = new SiteHandle(coordinator, pki.site("b"));
      SiteHandle late = new SiteHandle(coordinator, pki.site("c"));
      String jobId = coordinator.submit(TestJobs.yaml(1, 2, 2));
      Task lateTask = late.nextTask();
      a.push(a.nextTask(), new float[] {1f, 1f}, 10);
      b.push(b.nextTask(), new float[] {3f, 3f}, 10);
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(60_000));

      // when: the straggler's update arrives after the round closed on quorum
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
          () -> late.push(lateTask, new float[] {100f, 100f}, 10));

      // then
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
      assertTrue(refused.getStatus().getDescription().contains("round 1 of job " + jobId + " is not open"),
          refused.getStatus().getDescription());
      assertEquals(JobState.FINISHED, driver.snapshot().record().state());
      assertEquals(List.of("c"), driver.snapshot().rounds().get(0).missing());
      assertArrayEquals(new float[] {2f, 2f}, driver.latestModel().parameters());
      List<JsonNode> audit = audit(state, jobId);
      assertEquals(List.of("c"), strings(only(audit, "deadline_passed").get(0).at("/details/missing_sites")));
      JsonNode rejected = only(audit, "update_rejected").get(0);
      assertEquals("c", rejected.get("actor").asText());
      assertTrue(AuditVerifier.verify(state.resolve("jobs").resolve(jobId).resolve("audit.log"), pki.caCertificate(),
          driver.snapshot().record().auditHead()).intact());
    }
  }

  @Test
  void roundShortOfQuorumIsRecordedAndRetriedUntilTheSpecsLimit(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {0f})) {
      // given: two sites needed, only one ever answers, two attempts allowed, one-second deadline
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      new SiteHandle(coordinator, pki.site("b"));
      String jobId = coordinator.submit(TestJobs.yaml(1, 2, 1) + "max_round_attempts: 2\n");

      // when
      a.push(a.nextTask(), new float[] {1f}, 10);
      a.push(a.nextTask(), new float[] {1f}, 10);
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(60_000));

      // then: two failed attempts with their reasons, then the job fails naming the limit
      List<JsonNode> failures = only(audit(state, jobId), "round_failed");
      assertEquals(2, failures.size());
      assertEquals(List.of(1, 2), failures.stream().map(f -> f.at("/details/attempt").asInt()).toList());
      assertEquals(List.of("retry", "fail the job"),
          failures.stream().map(f -> f.at("/details/next").asText()).toList());
      assertEquals(List.of("b"), strings(failures.get(0).at("/details/missing_sites")));
      assertEquals(JobState.FAILED, driver.snapshot().record().state());
      assertTrue(driver.snapshot().record().message().contains("max_round_attempts"),
          driver.snapshot().record().message());
      assertEquals(0, driver.snapshot().rounds().size());
    }
  }

  @Test
  void roundShortOfQuorumOnceSucceedsOnItsRetry(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {0f})) {
      // given
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle b = new SiteHandle(coordinator, pki.site("b"));
      String jobId = coordinator.submit(TestJobs.yaml(1, 2, 2));
      Task missedByB = b.nextTask();
      a.push(a.nextTask(), new float[] {1f}, 10);

      // when: b answers only the retry
      Task retryA = a.nextTask();
      Task retryB = b.nextTask();
      a.push(retryA, new float[] {1f}, 10);
      b.push(retryB, new float[] {3f}, 10);
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();
      assertTrue(driver.awaitFinal(60_000));

      // then
      assertEquals(missedByB.getRound(), retryB.getRound());
      assertEquals(JobState.FINISHED, driver.snapshot().record().state());
      assertEquals(1, only(audit(state, jobId), "round_failed").size());
      assertArrayEquals(new float[] {2f}, driver.latestModel().parameters());
    }
  }

  @Test
  void uploadRepeatedAfterALostAcknowledgementCountsOnce(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {0f, 0f})) {
      // given: two rounds; in each, site a sends the same update twice (its first acknowledgement "lost")
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle b = new SiteHandle(coordinator, pki.site("b"));
      String jobId = coordinator.submit(TestJobs.yaml(2, 2, 120));
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();

      // when: in round 1 the repeat arrives while the round is open, in round 2 after it was committed
      Task first = a.nextTask();
      a.push(first, new float[] {1f, 1f}, 10);
      PushReply repeatWhileOpen = a.push(first, new float[] {1f, 1f}, 10);
      b.push(b.nextTask(), new float[] {3f, 3f}, 10);
      Task second = a.nextTask();
      a.push(second, new float[] {1f, 1f}, 10);
      b.push(b.nextTask(), new float[] {3f, 3f}, 10);
      assertTrue(driver.awaitFinal(60_000));
      PushReply repeatAfterCommit = a.push(second, new float[] {1f, 1f}, 10);
      StatusRuntimeException different = assertThrows(StatusRuntimeException.class,
          () -> a.push(second, new float[] {5f, 5f}, 10));

      // then: answered as accepted, counted once (weighted mean 2, not 5/3), and recorded
      assertTrue(repeatWhileOpen.getAccepted());
      assertEquals("already counted", repeatWhileOpen.getReason());
      assertTrue(repeatAfterCommit.getAccepted());
      assertEquals(Status.Code.FAILED_PRECONDITION, different.getStatus().getCode());
      assertArrayEquals(new float[] {4f, 4f}, driver.latestModel().parameters());
      List<JsonNode> audit = audit(state, jobId);
      assertEquals(4, only(audit, "update_received").size());
      assertEquals(2, only(audit, "update_retransmitted").size());
      assertEquals(List.of("a", "b"), driver.snapshot().rounds().get(0).sites());
    }
  }

  @Test
  void declinedTaskEndsTheWaitWithoutTheDeadline(@TempDir Path state) throws Exception {
    try (LoopbackCoordinator coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> new float[] {0f})) {
      // given: a ten-minute deadline, one site needed of two
      SiteHandle a = new SiteHandle(coordinator, pki.site("a"));
      SiteHandle refuser = new SiteHandle(coordinator, pki.site("b"));
      String jobId = coordinator.submit(TestJobs.yaml(1, 1, 600));
      Task task = refuser.nextTask();

      // when: b declines and a trains
      refuser.client().decline(jobId, task.getRound(), "site privacy policy: secure aggregation required");
      a.push(a.nextTask(), new float[] {1f}, 10);
      RoundDriver driver = coordinator.server().jobs().find(jobId).orElseThrow();

      // then: the round ends now, not in ten minutes; declining twice is refused
      assertTrue(driver.awaitFinal(60_000), "the round waited for the site that declined");
      assertEquals(List.of("b: declined: site privacy policy: secure aggregation required"),
          driver.snapshot().rounds().get(0).rejected());
      JsonNode declined = only(audit(state, jobId), "task_declined").get(0);
      assertEquals("b", declined.get("actor").asText());
      assertEquals("train", declined.at("/details/task").asText());
      StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
          () -> refuser.client().decline(jobId, task.getRound(), "again"));
      assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());
    }
  }

  private static List<JsonNode> audit(Path state, String jobId) {
    try {
      List<JsonNode> records = new ArrayList<>();
      for (String line : Files.readAllLines(state.resolve("jobs").resolve(jobId).resolve("audit.log"))) {
        records.add(JSON.readTree(line));
      }
      return records;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<JsonNode> only(List<JsonNode> records, String event) {
    return records.stream().filter(r -> r.get("event").asText().equals(event)).toList();
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
