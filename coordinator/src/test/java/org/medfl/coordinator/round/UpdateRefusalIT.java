package org.medfl.coordinator.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.testing.Await;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.RoundRecord;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.RawCall;
import org.medfl.coordinator.testing.SiteHandle;
import org.medfl.coordinator.testing.TestJobs;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.FleetGrpc;
import org.medfl.proto.v1.ModelChunk;
import org.medfl.proto.v1.PushReply;
import org.medfl.proto.v1.SubmitJobRequest;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.UpdateMessage;
import org.medfl.proto.v1.VectorHeader;

/**
 * Hostile updates from an enrolled site, one fault per test, over loopback mutual TLS: each is refused with a clear
 * status, recorded in the audit log, and the round goes on with the honest site's update.
 */
class UpdateRefusalIT {
  private static final float[] INITIAL = {1f, 2f, 3f};
  private static final float[] HONEST = {1f, 1f, 1f};

  private final TestPki pki = TestPki.create("test");
  private LoopbackCoordinator coordinator;
  private Path state;

  @AfterEach
  void stop() throws Exception {
    if (coordinator != null) {
      coordinator.close();
    }
  }

  @Test
  void oversizeChunkAfterAnAdmittedHeaderIsRefusedAuditedAndTheRoundGoesOn(@TempDir Path dir) throws Exception {
    // given
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    byte[] header = UpdateMessage.newBuilder().setHeader(round.bad().header(task, HONEST, 10)).build()
        .toByteArray();
    byte[] oversize = UpdateMessage.newBuilder().setChunk(ModelChunk.newBuilder()
        .setData(com.google.protobuf.ByteString.copyFrom(new byte[CoordinatorServer.MAX_INBOUND_MESSAGE_BYTES])))
        .build().toByteArray();
    // when
    RawCall.Outcome outcome = RawCall.call(coordinator.channelFor(pki.site("bad")),
        FleetGrpc.getPushUpdateMethod(), List.of(header, oversize), 30_000);
    // then
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, outcome.status().getCode());
    assertTrue(outcome.status().getDescription().contains("exceeds maximum size"),
        outcome.status().getDescription());
    assertTrue(round.good().push(round.good().nextTask(), HONEST, 10).getAccepted());
    assertRoundWentOnWithoutBadAndAudited(round, "exceeds maximum size");
  }

  @Test
  void messageThatDoesNotParseAfterAnAdmittedHeaderIsRefusedAuditedAndTheRoundGoesOn(@TempDir Path dir)
      throws Exception {
    // given
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    byte[] header = UpdateMessage.newBuilder().setHeader(round.bad().header(task, HONEST, 10)).build()
        .toByteArray();
    // when: field 1 claims far more bytes than follow
    RawCall.Outcome outcome = RawCall.call(coordinator.channelFor(pki.site("bad")),
        FleetGrpc.getPushUpdateMethod(), List.of(header, new byte[] {0x12, (byte) 0xFF, 0x7F, 0x01}), 30_000);
    // then
    assertEquals(Status.Code.INVALID_ARGUMENT, outcome.status().getCode());
    assertTrue(outcome.status().getDescription().contains("not a valid fl.v1.Fleet/PushUpdate message"),
        outcome.status().getDescription());
    assertTrue(round.good().push(round.good().nextTask(), HONEST, 10).getAccepted());
    assertRoundWentOnWithoutBadAndAudited(round, "not a valid fl.v1.Fleet/PushUpdate message");
  }

  @Test
  void updateForAJobThatDoesNotExistIsRefusedWithNotFound(@TempDir Path dir) throws Exception {
    // given
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    Task elsewhere = task.toBuilder().setJobId("job-that-does-not-exist").build();
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> round.bad().push(elsewhere, HONEST, 10));
    boolean thenAccepted = round.bad().push(task, HONEST, 10).getAccepted();
    round.good().push(round.good().nextTask(), HONEST, 10);
    // then: no job's log can hold the refusal (there is no such job); the site's real update still counts
    assertEquals(Status.Code.NOT_FOUND, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("no job 'job-that-does-not-exist'"));
    assertTrue(thenAccepted);
    RoundRecord committed = committedRound(round);
    assertEquals(List.of("bad", "good"), committed.sites());
  }

  @Test
  void updateForARoundThatIsNotOpenIsRefusedAuditedAndTheSiteMayStillSendItsOwn(@TempDir Path dir)
      throws Exception {
    // given
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> round.bad().push(task.toBuilder().setRound(7).build(), HONEST, 10));
    boolean thenAccepted = round.bad().push(task, HONEST, 10).getAccepted();
    round.good().push(round.good().nextTask(), HONEST, 10);
    // then
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("round 7 of job " + round.jobId()
        + " is not open (round 1 is)"), refused.getStatus().getDescription());
    assertTrue(thenAccepted);
    assertEquals(List.of("bad", "good"), committedRound(round).sites());
    assertEquals(1, refusals(round, "bad", "round 7").size());
    assertAuditIntact(round);
  }

  @Test
  void updateFromASiteNotSelectedForTheRoundIsRefusedAndAudited(@TempDir Path dir) throws Exception {
    // given: only "good" is enrolled; "bad" is connected and knows the round from a peer
    Round round = start(dir, "sites: [good]\n");
    Task task = round.good().nextTask();
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> round.bad().push(task, HONEST, 10));
    round.good().push(task, HONEST, 10);
    // then
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("site bad was not selected for round 1"));
    RoundRecord committed = committedRound(round);
    assertEquals(List.of("good"), committed.sites());
    assertEquals(1, refusals(round, "bad", "was not selected").size());
    assertAuditIntact(round);
  }

  @Test
  void infiniteValuesAreRefusedAuditedAndTheRoundGoesOn(@TempDir Path dir) throws Exception {
    assertContentRefused(start(dir, ""), new float[] {1f, Float.POSITIVE_INFINITY, 1f}, "Infinity");
  }

  @Test
  void updateWithAnAbsurdNormIsRefusedAuditedAndTheRoundGoesOn(@TempDir Path dir) throws Exception {
    // the default bound for 3 parameters is 1e4 * sqrt(3), about 17,321
    assertContentRefused(start(dir, ""), new float[] {1e5f, 0f, 0f}, "above the job's bound of 17320.5");
  }

  @Test
  void updateAboveTheDpClipIsRefusedAsUnclipped(@TempDir Path dir) throws Exception {
    // given: sites clip to 1.0 before sending; 5.0 means this one did not
    Round round = start(dir,
        "dp: {mode: central, clip: 1.0, noise_multiplier: 1.0, delta: 0.00001, max_epsilon: 100}\n");
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> round.bad().push(round.bad().nextTask(), new float[] {3f, 4f, 0f}, 10));
    boolean clippedAccepted = round.good().push(round.good().nextTask(), new float[] {0.6f, 0.8f, 0f}, 10)
        .getAccepted();
    // then
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("L2 norm 5.00000, above the job's bound of 1.01000"),
        refused.getStatus().getDescription());
    assertTrue(clippedAccepted);
    assertEquals(List.of("good"), committedRound(round).sites());
    assertEquals(1, refusals(round, "bad", "L2 norm").size());
  }

  @Test
  void updateAboveMaxUpdateNormIsRefused(@TempDir Path dir) throws Exception {
    // norm of HONEST is sqrt(3), within 2
    assertContentRefused(start(dir, "max_update_norm: 2\n"), new float[] {3f, 0f, 0f},
        "L2 norm 3.00000, above the job's bound of 2.00000");
  }

  @Test
  void refusalQuotingAHugeDigestKeepsItsAuditRecordShort(@TempDir Path dir) throws Exception {
    // given: a header whose digest field holds 200,000 characters, signed by the site
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    VectorHeader lying = ParameterCodec.header(HONEST).toBuilder().setSha256("f".repeat(200_000)).build();
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> round.bad().push(task, HONEST, 10, lying));
    round.good().push(round.good().nextTask(), HONEST, 10);
    // then
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    assertEquals(List.of("good"), committedRound(round).sites());
    List<String> lines = Files.readAllLines(round.auditLog());
    assertTrue(lines.stream().allMatch(line -> line.length() < 4096), "an audit record is longer than 4 KiB");
    assertEquals(1, refusals(round, "bad", "sha256 must be 64 lowercase hex digits").size());
  }

  @Test
  void secondUploadWhileTheFirstIsOpenIsRefusedAndTheFirstCompletes(@TempDir Path dir) throws Exception {
    // given: two streams from one site, each past its header
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    UpdateMessage header = UpdateMessage.newBuilder().setHeader(round.bad().header(task, HONEST, 10)).build();
    Upload first = Upload.open(FleetGrpc.newStub(coordinator.channelFor(pki.site("bad"))), header);
    Upload second = Upload.open(FleetGrpc.newStub(coordinator.channelFor(pki.site("bad"))), header);
    // when: whichever header came second is refused at once; the other upload finishes
    CompletableFuture.anyOf(first.result, second.result).get(30, TimeUnit.SECONDS);
    Upload refusedOne = first.result.isDone() ? first : second;
    Upload openOne = refusedOne == first ? second : first;
    openOne.finish(HONEST);
    // then
    Object refusal = refusedOne.result.get(30, TimeUnit.SECONDS);
    Object reply = openOne.result.get(30, TimeUnit.SECONDS);
    assertTrue(refusal instanceof Status status && status.getCode() == Status.Code.RESOURCE_EXHAUSTED
        && status.getDescription().contains("already uploading"), String.valueOf(refusal));
    assertTrue(reply instanceof PushReply pushReply && pushReply.getAccepted(), String.valueOf(reply));
  }

  @Test
  void cancelledUploadLeavesTheSiteFreeToSendAgain(@TempDir Path dir) throws Exception {
    // given: an upload past its header, which the site then abandons
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    UpdateMessage header = UpdateMessage.newBuilder().setHeader(round.bad().header(task, HONEST, 10)).build();
    Upload abandoned = Upload.open(FleetGrpc.newStub(coordinator.channelFor(pki.site("bad"))), header);
    abandoned.cancel();
    // when: the site sends again until the coordinator has noticed the cancellation
    List<Status.Code> refusedMeanwhile = new ArrayList<>();
    Await.until("a new upload from the site is accepted", Duration.ofSeconds(20), () -> {
      try {
        return round.bad().push(task, HONEST, 10).getAccepted();
      } catch (StatusRuntimeException e) {
        refusedMeanwhile.add(e.getStatus().getCode());
        return false;
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    // then: the only refusals were "still uploading", never "already sent": a cancel is not a refusal
    assertTrue(refusedMeanwhile.stream().allMatch(code -> code == Status.Code.RESOURCE_EXHAUSTED),
        refusedMeanwhile.toString());
    assertTrue(refusals(round, "bad", "").isEmpty());
  }

  /** A refused update's content: the status names the fault, the audit log records it, the honest site counts. */
  @Test
  void updateReportingNonsenseMetricsIsRefusedAuditedAndTheRoundGoesOn(@TempDir Path dir) throws Exception {
    // given: a header whose update is honest but whose reported validation accuracy is NaN
    Round round = start(dir, "");
    Task task = round.bad().nextTask();
    UpdateHeader nonsense = round.bad().header(task, HONEST, 10).toBuilder().setValAccuracy(Double.NaN).build();
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> round.bad().client().pushUpdate(nonsense, HONEST));
    boolean honestAccepted = round.good().push(round.good().nextTask(), HONEST, 10).getAccepted();
    // then
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("validation accuracy of NaN"),
        refused.getStatus().getDescription());
    assertTrue(honestAccepted);
    assertRoundWentOnWithoutBadAndAudited(round, "validation accuracy of NaN");
  }

  private void assertContentRefused(Round round, float[] delta, String reason) throws Exception {
    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> round.bad().push(round.bad().nextTask(), delta, 10));
    boolean honestAccepted = round.good().push(round.good().nextTask(), HONEST, 10).getAccepted();
    // then
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains(reason), refused.getStatus().getDescription());
    assertTrue(honestAccepted);
    assertRoundWentOnWithoutBadAndAudited(round, reason);
  }

  private void assertRoundWentOnWithoutBadAndAudited(Round round, String reason) throws Exception {
    RoundRecord committed = committedRound(round);
    assertEquals(List.of("good"), committed.sites());
    assertEquals(1, committed.rejected().size());
    assertTrue(committed.rejected().get(0).startsWith("bad: "), committed.rejected().toString());
    // INITIAL + HONEST: the refused update left no trace in the model
    assertArrayEquals(new float[] {2f, 3f, 4f}, round.driver().latestModel().parameters());
    assertEquals(1, refusals(round, "bad", reason).size());
    assertAuditIntact(round);
  }

  private RoundRecord committedRound(Round round) throws InterruptedException {
    assertTrue(round.driver().awaitFinal(30_000), "the job did not finish");
    return round.driver().snapshot().rounds().get(0);
  }

  private void assertAuditIntact(Round round) throws InterruptedException {
    assertTrue(round.driver().awaitFinal(30_000), "the job did not finish");
    var verification = AuditVerifier.verify(round.auditLog(), pki.caCertificate(),
        round.driver().snapshot().record().auditHead());
    assertTrue(verification.intact(), verification.summary());
  }

  /** The update_rejected records of {@code site} whose reason contains {@code reason}. */
  private static List<JsonNode> refusals(Round round, String site, String reason) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> found = new ArrayList<>();
    for (String line : Files.readAllLines(round.auditLog())) {
      JsonNode record = json.readTree(line);
      if (record.path("event").asText().equals("update_rejected") && record.path("actor").asText().equals(site)
          && record.path("details").path("reason").asText().contains(reason)) {
        found.add(record);
      }
    }
    return found;
  }

  /** A one-round job with sites "bad" and "good" connected, and its round open. */
  private record Round(String jobId, RoundDriver driver, SiteHandle bad, SiteHandle good, Path auditLog) {}

  private Round start(Path dir, String extraYaml) throws IOException {
    state = dir;
    coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state, spec -> INITIAL.clone());
    SiteHandle bad = new SiteHandle(coordinator, pki.site("bad"));
    SiteHandle good = new SiteHandle(coordinator, pki.site("good"));
    String jobId = AdminGrpc.newBlockingStub(coordinator.channelFor(pki.admin("alice")))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setJobSpecYaml(TestJobs.yaml(1, 1, 120) + extraYaml).build())
        .getJobId();
    return new Round(jobId, coordinator.server().jobs().find(jobId).orElseThrow(), bad, good,
        state.resolve("jobs").resolve(jobId).resolve("audit.log"));
  }

  /** An update stream driven step by step; its result is the reply or the status it ended with. */
  private static final class Upload {
    final CompletableFuture<Object> result = new CompletableFuture<>();
    private final CompletableFuture<ClientCallStreamObserver<UpdateMessage>> stream = new CompletableFuture<>();

    static Upload open(FleetGrpc.FleetStub stub, UpdateMessage header) {
      Upload upload = new Upload();
      StreamObserver<UpdateMessage> requests = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
          .pushUpdate(new ClientResponseObserver<UpdateMessage, PushReply>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<UpdateMessage> requestStream) {
              upload.stream.complete(requestStream);
            }

            @Override
            public void onNext(PushReply reply) {
              upload.result.complete(reply);
            }

            @Override
            public void onError(Throwable t) {
              upload.result.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
              upload.result.complete("completed without a reply");
            }
          });
      requests.onNext(header);
      return upload;
    }

    void finish(float[] delta) {
      ClientCallStreamObserver<UpdateMessage> requests = stream.join();
      ParameterCodec.writeChunks(delta, ParameterCodec.MAX_CHUNK_BYTES,
          chunk -> requests.onNext(UpdateMessage.newBuilder().setChunk(chunk).build()));
      requests.onCompleted();
    }

    void cancel() {
      stream.join().cancel("the site gave up", null);
      if (!result.isDone()) {
        result.complete(Status.CANCELLED);
      }
    }
  }
}
