package org.medfl.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.common.metrics.ConfusionMatrix;
import org.medfl.common.metrics.EvaluationMetrics;
import org.medfl.common.metrics.MetricsProto;
import org.medfl.common.pki.Identity;
import org.medfl.common.secagg.AdvertiseKeys;
import org.medfl.common.secagg.EncryptedShareFor;
import org.medfl.common.secagg.EncryptedShares;
import org.medfl.common.secagg.UnmaskResponse;
import org.medfl.common.testing.Await;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.ProtoMutator;
import org.medfl.coordinator.testing.RawCall;
import org.medfl.coordinator.testing.SiteHandle;
import org.medfl.coordinator.testing.TestJobs;
import org.medfl.proto.v1.AbortJobRequest;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.AuditGrpc;
import org.medfl.proto.v1.DeclineRequest;
import org.medfl.proto.v1.DownloadModelRequest;
import org.medfl.proto.v1.EvaluationReport;
import org.medfl.proto.v1.FetchModelRequest;
import org.medfl.proto.v1.FleetGrpc;
import org.medfl.proto.v1.GetJobRequest;
import org.medfl.proto.v1.JoinRequest;
import org.medfl.proto.v1.ListJobsRequest;
import org.medfl.proto.v1.ModelChunk;
import org.medfl.proto.v1.PollRequest;
import org.medfl.proto.v1.ReadAuditLogRequest;
import org.medfl.proto.v1.SecAggMessage;
import org.medfl.proto.v1.SecAggStage;
import org.medfl.proto.v1.SubmitJobRequest;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.UpdateMessage;
import org.medfl.proto.v1.VectorHeader;

/**
 * Seeded fuzzing of every rpc of every coordinator service, enumerated from the generated service descriptors (so a
 * new rpc is fuzzed without touching this test), over real loopback mutual TLS, while a plain and a secure-aggregation
 * job each have a round open (and a third one, whose tasks the sites may decline).
 *
 * <p>Each call is a random message built from the descriptors, a valid message with fields changed (updates re-signed
 * now and then, as a hostile but enrolled site would), a valid encoding damaged byte by byte, bytes that do not parse,
 * an oversize message, or, for PushUpdate, a shuffled sequence of headers and chunks. Every call must end within its
 * deadline with a status from a short list (never UNKNOWN or INTERNAL) and, unless OK, a description; afterwards no
 * job may have committed anything, and every audit chain must verify.
 *
 * <p>Jazzer is not available to this offline build, so this is a seeded mutator rather than a coverage-guided fuzzer.
 * {@code -Dmedfl.fuzz.iterations=100000} runs longer; {@code -Dmedfl.fuzz.seed=N} tries other inputs, and a failure
 * names the seed and iteration to replay.
 */
class CoordinatorFuzzIT {
  private static final long SEED = Long.getLong("medfl.fuzz.seed", 20_251_124L);
  private static final int ITERATIONS = Integer.getInteger("medfl.fuzz.iterations", 1_000);
  /** Enough sites that the deep paths of PushUpdate (each refusal ends a site's part in the round) stay reachable. */
  private static final int SITES = 24;
  private static final int MODEL_LENGTH = 1_000;
  private static final long CALL_DEADLINE_MILLIS = 10_000;
  /** Long polls are held while a site has no task; a short deadline keeps the run fast. */
  private static final long POLL_DEADLINE_MILLIS = 500;

  /** Every status a hostile call may get; UNKNOWN or INTERNAL would mean an unhandled case on the server. */
  private static final Set<Status.Code> ALLOWED = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.PERMISSION_DENIED,
      Status.Code.RESOURCE_EXHAUSTED, Status.Code.OUT_OF_RANGE, Status.Code.ALREADY_EXISTS, Status.Code.ABORTED);
  /** A refusal quotes the caller's input only so far; a record of megabytes would let a site fill the disk. */
  private static final int MAX_AUDIT_LINE_CHARS = 4096;
  /** What the fuzzed calls may add to the plain job's audit log. */
  private static final Set<String> PLAIN_JOB_EVENTS = Set.of("update_rejected", "update_received");
  /** ... and to the secure job's, where the protocol's own stage deadlines may also pass during long runs. */
  private static final Set<String> SECURE_JOB_EVENTS = Set.of("update_rejected", "secagg_message_rejected",
      "secure_aggregation_aborted", "round_failed", "round_opened", "job_failed");

  private final TestPki pki = TestPki.create("fuzz");
  private final Random random = new Random(SEED);
  private final ProtoMutator mutator = new ProtoMutator(random);
  private final float[] initialModel = new float[MODEL_LENGTH];

  private LoopbackCoordinator coordinator;
  private final List<Identity> sites = new ArrayList<>();
  private String plainJob;
  private String secureJob;
  private String abortableJob;
  private String declinableJob;
  private String globalSha;

  @Test
  void everyRpcAnswersHostileInputWithACleanStatusAndCommitsNothing(@TempDir Path state) throws Exception {
    for (int i = 0; i < initialModel.length; i++) {
      initialModel[i] = (float) Math.sin(i);
    }
    try (LoopbackCoordinator started = LoopbackCoordinator.start(pki, pki.coordinator(), state,
        spec -> initialModel.clone())) {
      coordinator = started;
      // given: every site joined, a plain and a secure job with round 1 open for all of them, and a job to abort
      for (int i = 0; i < SITES; i++) {
        sites.add(pki.site(String.format("fuzz-%02d", i)));
        new SiteHandle(coordinator, sites.get(i));
      }
      SiteHandle silent = new SiteHandle(coordinator, pki.site("silent"));
      plainJob = submit(TestJobs.yaml(2, SITES + 1, 86_400));
      secureJob = submit(TestJobs.yaml(2, SITES + 1, 86_400) + "secure_aggregation: {threshold: 2}\n");
      abortableJob = submit(TestJobs.yaml(1, 1, 60) + "sites: [nobody]\n");
      declinableJob = submit(TestJobs.yaml(2, SITES + 1, 86_400));
      RoundDriver plain = coordinator.server().jobs().find(plainJob).orElseThrow();
      RoundDriver secure = coordinator.server().jobs().find(secureJob).orElseThrow();
      RoundDriver abortable = coordinator.server().jobs().find(abortableJob).orElseThrow();
      RoundDriver declinable = coordinator.server().jobs().find(declinableJob).orElseThrow();
      Await.until("round 1 of three jobs open, the fourth job waiting for its site", Duration.ofSeconds(30),
          () -> plain.snapshot().activity().startsWith("round 1 open")
              && secure.snapshot().activity().contains("ADVERTISE_KEYS")
              && declinable.snapshot().activity().startsWith("round 1 open")
              && abortable.snapshot().activity().startsWith("waiting for sites"));
      globalSha = plain.latestModel().sha256();
      Map<String, JobFiles> before = new LinkedHashMap<>();
      for (String job : List.of(plainJob, secureJob, abortableJob, declinableJob)) {
        before.put(job, JobFiles.read(coordinator.server().jobs().jobDir(job)));
      }

      // when
      Map<String, String> failures = new TreeMap<>();
      Map<String, Integer> codes = new TreeMap<>();
      List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
      for (ServiceDescriptor service : List.of(FleetGrpc.getServiceDescriptor(), AdminGrpc.getServiceDescriptor(),
          AuditGrpc.getServiceDescriptor())) {
        methods.addAll(service.getMethods());
      }
      long fuzzStart = System.nanoTime();
      for (int iteration = 0; iteration < ITERATIONS; iteration++) {
        MethodDescriptor<?, ?> method = methods.get(random.nextInt(methods.size()));
        Case fuzzCase = generate(method);
        long deadline = isLongPoll(method) ? POLL_DEADLINE_MILLIS : CALL_DEADLINE_MILLIS;
        RawCall.Outcome outcome = RawCall.call(coordinator.channelFor(fuzzCase.caller()), method,
            fuzzCase.requests(), deadline,
            fuzzCase.gzip() ? CallOptions.DEFAULT.withCompression("gzip") : CallOptions.DEFAULT);
        Status status = outcome.status();
        codes.merge(method.getBareMethodName() + " " + status.getCode(), 1, Integer::sum);
        String problem = problem(method, fuzzCase, status);
        if (problem != null) {
          String description = String.valueOf(status.getDescription());
          failures.putIfAbsent(method.getBareMethodName() + " " + status.getCode() + " "
              + description.substring(0, Math.min(50, description.length())),
              "iteration " + iteration + " (seed " + SEED + "), " + fuzzCase.kind()
                  + (fuzzCase.gzip() ? " (gzip)" : "") + " by "
                  + fuzzCase.caller().name() + ": " + problem + "; first request "
                  + abbreviate(fuzzCase.requests()) + (status.getCause() == null ? "" : "; cause " + status.getCause()));
        }
      }
      double seconds = (System.nanoTime() - fuzzStart) / 1e9;
      System.out.printf("fuzzed %d calls in %.1f s (seed %d): %s%n", ITERATIONS, seconds, SEED, codes);

      // then: every call got a clean status
      assertTrue(failures.isEmpty(), failures.size() + " kinds of bad answers:\n" + String.join("\n",
          failures.entrySet().stream().map(e -> e.getKey() + "\n    " + e.getValue()).toList()));
      // and nothing was committed: the rounds are still open, the files that commit state are byte for byte the same
      assertEquals(0, plain.snapshot().rounds().size());
      assertEquals(JobState.RUNNING, plain.snapshot().record().state());
      assertEquals(0, secure.snapshot().rounds().size());
      for (String job : List.of(plainJob, secureJob, abortableJob, declinableJob)) {
        JobFiles after = JobFiles.read(coordinator.server().jobs().jobDir(job));
        assertEquals(before.get(job).checkpoint(), after.checkpoint(), job + " checkpoint.json changed");
        assertEquals(before.get(job).models(), after.models(), job + " models changed");
        if (!job.equals(abortableJob) && !(job.equals(secureJob) && secureRoundTimedOut(secure))) {
          assertEquals(before.get(job).record(), after.record(), job + " job.json changed");
        }
      }
      assertEquals(Set.of(), newEvents(before.get(plainJob), plainJob, PLAIN_JOB_EVENTS),
          "unexpected audit events in the plain job");
      assertEquals(Set.of(), newEvents(before.get(secureJob), secureJob, SECURE_JOB_EVENTS),
          "unexpected audit events in the secure job");
      assertEquals(Set.of(), newEvents(before.get(declinableJob), declinableJob, Set.of("task_declined")),
          "unexpected audit events in the job whose tasks are declined");
      // and every audit chain verifies
      for (RoundDriver driver : coordinator.server().jobs().all()) {
        Path log = coordinator.server().jobs().jobDir(driver.jobId()).resolve("audit.log");
        var verification = AuditVerifier.verify(log, pki.caCertificate(), driver.snapshot().record().auditHead());
        assertTrue(verification.intact(), driver.jobId() + ": " + verification.summary());
      }
      // and the coordinator still serves: a new site joins, and the silent site's honest update is taken
      new SiteHandle(coordinator, pki.site("late-joiner"));
      Task task = Task.newBuilder().setJobId(plainJob).setRound(1)
          .setGlobalModel(VectorHeader.newBuilder().setSha256(globalSha)).build();
      assertTrue(silent.push(task, new float[MODEL_LENGTH], 10).getAccepted());
    }
  }

  /** Why this answer is wrong, or null when it is acceptable. */
  private static String problem(MethodDescriptor<?, ?> method, Case fuzzCase, Status status) {
    Status.Code code = status.getCode();
    if (fuzzCase.wrongRole()) {
      return code == Status.Code.PERMISSION_DENIED ? null : "a caller with the wrong role got " + code;
    }
    if (fuzzCase.oversize()) {
      return code == Status.Code.RESOURCE_EXHAUSTED ? null : "an oversize message got " + code;
    }
    boolean longPoll = isLongPoll(method) && code == Status.Code.DEADLINE_EXCEEDED;
    if (!ALLOWED.contains(code) && !longPoll) {
      return "status " + code + " (" + status.getDescription() + ")";
    }
    if (code != Status.Code.OK && (status.getDescription() == null || status.getDescription().isBlank())) {
      return "status " + code + " without a description";
    }
    return null;
  }

  private static boolean isLongPoll(MethodDescriptor<?, ?> method) {
    return method.getFullMethodName().equals(FleetGrpc.getPollTaskMethod().getFullMethodName());
  }

  /** One fuzzed call: who calls, what is sent, and what kind of input it is. */
  private record Case(Identity caller, List<byte[]> requests, String kind, boolean wrongRole, boolean oversize,
      boolean gzip) {
    Case(Identity caller, List<byte[]> requests, String kind, boolean wrongRole, boolean oversize) {
      this(caller, requests, kind, wrongRole, oversize, false);
    }
  }

  private Case generate(MethodDescriptor<?, ?> method) {
    Descriptor input = ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor()
        .getInputType();
    boolean fleet = method.getServiceName().equals(FleetGrpc.SERVICE_NAME);
    Identity site = mutator.pick(sites);
    Identity rightCaller = fleet ? site : pki.admin("alice");
    boolean streaming = method.getType() == MethodDescriptor.MethodType.CLIENT_STREAMING
        || method.getType() == MethodDescriptor.MethodType.BIDI_STREAMING;
    List<Message> valid = validMessages(method, site);
    int roll = random.nextInt(100);
    if (roll < 4) {
      Identity wrong = fleet ? pki.admin("alice") : site;
      return new Case(wrong, List.of(valid.get(0).toByteArray()), "wrong role", true, false);
    }
    if (roll < 6) {
      // First in its stream, so that the refusal cannot be for an earlier message (UpdateRefusalIT covers the
      // rest): a well-formed unknown field of megabytes, so that only its size is wrong. Half of them are gzipped:
      // a few kilobytes on the wire that inflate beyond the limit while they are parsed.
      int size = CoordinatorServer.MAX_INBOUND_MESSAGE_BYTES + 1 + random.nextInt(1 << 20);
      byte[] huge = UnknownFieldSet.newBuilder().addField(1000,
          UnknownFieldSet.Field.newBuilder()
              .addLengthDelimited(ByteString.copyFrom(new byte[size])).build()).build().toByteArray();
      return new Case(rightCaller, List.of(huge), "oversize", false, true, random.nextBoolean());
    }
    List<byte[]> requests = new ArrayList<>();
    String kind;
    if (roll < 30) {
      kind = "random messages";
      int n = streaming ? random.nextInt(6) : 1;
      for (int i = 0; i < n; i++) {
        requests.add(mutator.randomMessage(input).toByteArray());
      }
    } else if (roll < 55) {
      kind = "fields changed";
      // One message changed for sure, in a stream now and then a few more.
      int changed = random.nextInt(valid.size());
      for (int i = 0; i < valid.size(); i++) {
        Message message = i == changed || random.nextInt(8) == 0 ? mutator.mutateFields(valid.get(i)) : valid.get(i);
        requests.add(resignIfHeader(message, site).toByteArray());
      }
    } else if (roll < 75) {
      kind = "bytes damaged";
      for (Message message : valid) {
        requests.add(message.toByteArray());
      }
      int at = random.nextInt(requests.size());
      requests.set(at, mutator.mutateBytes(requests.get(at)));
    } else if (roll < 85) {
      kind = "unparseable bytes";
      for (Message message : valid) {
        requests.add(message.toByteArray());
      }
      if (streaming) {
        requests.add(random.nextInt(requests.size() + 1), mutator.unparseable());
      } else {
        requests.set(0, mutator.unparseable());
      }
    } else if (roll < 95 && streaming) {
      kind = "reordered stream";
      requests.addAll(reordered(valid));
    } else {
      kind = "valid";
      for (Message message : valid) {
        requests.add(message.toByteArray());
      }
    }
    return new Case(rightCaller, requests, kind, false, false);
  }

  /** A shuffled, thinned or padded version of a stream of messages: a second header, missing or repeated chunks. */
  private List<byte[]> reordered(List<Message> valid) {
    List<Message> messages = new ArrayList<>(valid);
    switch (random.nextInt(6)) {
      case 0 -> messages = mutator.shuffled(messages);
      case 1 -> messages.remove(0);
      case 2 -> messages.add(random.nextInt(messages.size() + 1), messages.get(0));
      case 3 -> {
        if (messages.size() > 1) {
          messages.remove(1 + random.nextInt(messages.size() - 1));
        }
      }
      case 4 -> messages.add(messages.get(random.nextInt(messages.size())));
      default -> messages.add(random.nextInt(messages.size() + 1), UpdateMessage.getDefaultInstance());
    }
    List<byte[]> bytes = new ArrayList<>();
    messages.forEach(message -> bytes.add(message.toByteArray()));
    return bytes;
  }

  /** A hostile but enrolled site signs whatever header it sends: half the changed headers carry a fresh signature. */
  private Message resignIfHeader(Message message, Identity site) {
    if (message instanceof UpdateMessage update && update.hasHeader() && random.nextBoolean()) {
      return UpdateMessage.newBuilder().setHeader(signed(update.getHeader().toBuilder(), site)).build();
    }
    return message;
  }

  /** Valid messages for each known rpc, aimed at the open jobs; an rpc added later starts from its empty message. */
  private List<Message> validMessages(MethodDescriptor<?, ?> method, Identity site) {
    String name = method.getFullMethodName();
    if (name.equals(FleetGrpc.getJoinMethod().getFullMethodName())) {
      return List.of(JoinRequest.newBuilder().setAgentVersion("fuzz").setRuntime("jvm").build());
    }
    if (name.equals(FleetGrpc.getPollTaskMethod().getFullMethodName())) {
      return List.of(PollRequest.newBuilder().setWaitMillis(0).build());
    }
    if (name.equals(FleetGrpc.getFetchModelMethod().getFullMethodName())) {
      return List.of(FetchModelRequest.newBuilder().setJobId(plainJob).setRound(1)
          .setChunkBytes(4 * (1 + random.nextInt(1024))).build());
    }
    if (name.equals(FleetGrpc.getPushUpdateMethod().getFullMethodName())) {
      return update(site);
    }
    if (name.equals(FleetGrpc.getReportEvaluationMethod().getFullMethodName())) {
      return List.of(EvaluationReport.newBuilder().setJobId(plainJob).setRound(1).setModelSha256(globalSha)
          .setMetrics(MetricsProto.toProto(EvaluationMetrics.fromConfusion(
              ConfusionMatrix.fromCounts(new long[][] {{3, 1}, {2, 4}}), 0.7))).build());
    }
    if (name.equals(FleetGrpc.getSecAggMethod().getFullMethodName())) {
      return List.of(secAgg(site));
    }
    if (name.equals(FleetGrpc.getDeclineTaskMethod().getFullMethodName())) {
      // A job of its own: each decline ends a site's part in the round, which the other jobs' rpcs still need.
      return List.of(DeclineRequest.newBuilder().setJobId(declinableJob).setRound(1).setReason("fuzz").build());
    }
    if (name.equals(AdminGrpc.getSubmitJobMethod().getFullMethodName())) {
      return List.of(SubmitJobRequest.newBuilder().setJobSpecYaml(TestJobs.yaml(1, 1, 60) + "sites: [nobody]\n")
          .build());
    }
    if (name.equals(AdminGrpc.getGetJobMethod().getFullMethodName())) {
      return List.of(GetJobRequest.newBuilder().setJobId(plainJob).build());
    }
    if (name.equals(AdminGrpc.getListJobsMethod().getFullMethodName())) {
      return List.of(ListJobsRequest.getDefaultInstance());
    }
    if (name.equals(AdminGrpc.getAbortJobMethod().getFullMethodName())) {
      // Only the job meant for it: aborting the open jobs would change what this test checks stays the same.
      return List.of(AbortJobRequest.newBuilder().setJobId(abortableJob).setReason("fuzz").build());
    }
    if (name.equals(AdminGrpc.getDownloadModelMethod().getFullMethodName())) {
      return List.of(DownloadModelRequest.newBuilder().setJobId(plainJob).build());
    }
    if (name.equals(AuditGrpc.getReadAuditLogMethod().getFullMethodName())) {
      return List.of(ReadAuditLogRequest.newBuilder().setJobId(plainJob).build());
    }
    Descriptor input = ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor()
        .getInputType();
    return List.of(DynamicMessage.getDefaultInstance(input));
  }

  /**
   * A signed header and its chunks for the plain job (now and then the secure one), with content that is honest,
   * non-finite, huge, or of the wrong length, and a header that tells the truth about it or not.
   */
  private List<Message> update(Identity site) {
    int length = switch (random.nextInt(10)) {
      case 0 -> MODEL_LENGTH + 1;
      case 1 -> random.nextInt(MODEL_LENGTH);
      default -> MODEL_LENGTH;
    };
    float[] delta = new float[length];
    for (int i = 0; i < length; i++) {
      delta[i] = (float) (random.nextGaussian() * 0.01);
    }
    if (length > 0) {
      switch (random.nextInt(8)) {
        case 0 -> delta[random.nextInt(length)] = Float.NaN;
        case 1 -> delta[random.nextInt(length)] = Float.NEGATIVE_INFINITY;
        case 2 -> Arrays.fill(delta, 1e30f);
        default -> { }
      }
    }
    VectorHeader vector = ParameterCodec.header(delta);
    if (random.nextInt(6) == 0) {
      vector = vector.toBuilder().setLength(mutator.randomLong()).build();
    }
    if (random.nextInt(6) == 0) {
      vector = vector.toBuilder().setSha256(random.nextBoolean() ? mutator.longString() : mutator.randomString())
          .build();
    }
    UpdateHeader.Builder header = UpdateHeader.newBuilder()
        .setJobId(random.nextInt(5) == 0 ? secureJob : plainJob)
        .setRound(random.nextInt(8) == 0 ? (int) mutator.randomLong() : 1)
        .setNumExamples(random.nextInt(8) == 0 ? mutator.randomLong() : 1 + random.nextInt(1000))
        .setTrainLoss(0.4).setValAccuracy(0.6).setNumValExamples(10).setTrainSeconds(1.5)
        .setBaseSha256(globalSha)
        .setUpdate(vector)
        .setMasked(random.nextInt(10) == 0);
    List<Message> messages = new ArrayList<>();
    messages.add(UpdateMessage.newBuilder().setHeader(signed(header, site)).build());
    int chunkBytes = random.nextBoolean() ? ParameterCodec.MAX_CHUNK_BYTES : 4 * (1 + random.nextInt(400));
    ParameterCodec.writeChunks(delta, chunkBytes, chunk -> messages.add(UpdateMessage.newBuilder().setChunk(chunk)
        .build()));
    if (random.nextInt(10) == 0) {
      messages.add(UpdateMessage.newBuilder().setChunk(ModelChunk.newBuilder()
          .setOffset(random.nextBoolean() ? mutator.randomLong() : (long) length * Float.BYTES)
          .setData(ByteString.copyFrom(mutator.randomBytes()))).build());
    }
    return messages;
  }

  private UpdateHeader signed(UpdateHeader.Builder header, Identity site) {
    byte[] signature = Signatures.sign(site.privateKey(), Statements.update(header.getJobId(), header.getRound(),
        site.name(), header.getNumExamples(), header.getBaseSha256(), header.getUpdate().getSha256()));
    return header.setSignature(ByteString.copyFrom(signature)).build();
  }

  /** A well-formed message of a random stage of the secure job's round, from {@code site}. */
  private SecAggMessage secAgg(Identity site) {
    byte[] key1 = new byte[32];
    byte[] key2 = new byte[32];
    byte[] signature = new byte[72];
    random.nextBytes(key1);
    random.nextBytes(key2);
    random.nextBytes(signature);
    SecAggStage stage = List.of(SecAggStage.ADVERTISE_KEYS, SecAggStage.ADVERTISE_KEYS, SecAggStage.SHARE_KEYS,
        SecAggStage.UNMASK).get(random.nextInt(4));
    // Now and then the payload names another job, or a long one: its text ends up in the refusal.
    String job = switch (random.nextInt(6)) {
      case 0 -> mutator.longString();
      case 1 -> mutator.randomString();
      default -> secureJob;
    };
    byte[] payload = switch (stage) {
      case SHARE_KEYS -> new EncryptedShares(job, 1, site.name(), key1,
          List.of(new EncryptedShareFor(site.name(), mutator.pick(sites).name(), key2))).toBytes();
      case UNMASK -> new UnmaskResponse(job, 1, site.name(), 1 + random.nextInt(SITES),
          new TreeMap<>(Map.of(mutator.pick(sites).name(), key1)), new TreeMap<>()).toBytes();
      default -> new AdvertiseKeys(job, 1, site.name(), key1, key2, signature).toBytes();
    };
    return SecAggMessage.newBuilder().setJobId(secureJob).setRound(1).setStage(stage)
        .setPayload(ByteString.copyFrom(payload)).build();
  }

  private String submit(String yaml) {
    return AdminGrpc.newBlockingStub(coordinator.channelFor(pki.admin("alice")))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setJobSpecYaml(yaml).build()).getJobId();
  }

  /** True when the secure round's key stage ran out (long runs): then the job's record may move on by itself. */
  private static boolean secureRoundTimedOut(RoundDriver secure) {
    return !secure.snapshot().activity().contains("ADVERTISE_KEYS");
  }

  private Set<String> newEvents(JobFiles before, String job, Set<String> allowed) throws IOException {
    List<String> lines = Files.readAllLines(coordinator.server().jobs().jobDir(job).resolve("audit.log"));
    ObjectMapper json = new ObjectMapper();
    Set<String> unexpected = new TreeSet<>();
    for (String line : lines.subList(before.auditLines(), lines.size())) {
      if (line.length() > MAX_AUDIT_LINE_CHARS) {
        unexpected.add("a record of " + line.length() + " characters");
      }
      String event = json.readTree(line).path("event").asText();
      if (!allowed.contains(event)) {
        unexpected.add(event);
      }
    }
    return unexpected;
  }

  private static String abbreviate(List<byte[]> requests) {
    if (requests.isEmpty()) {
      return "(none)";
    }
    byte[] first = requests.get(0);
    String hex = HexFormat.of().formatHex(first, 0, Math.min(first.length, 48));
    return requests.size() + " message(s), " + first.length + " bytes: " + hex + (first.length > 48 ? "…" : "");
  }

  /** The files of a job that commit its state, and the length of its audit log. */
  private record JobFiles(String record, String checkpoint, List<String> models, int auditLines) {
    static JobFiles read(Path dir) throws IOException {
      List<String> models;
      try (Stream<Path> files = Files.list(dir.resolve("models"))) {
        models = files.map(file -> file.getFileName().toString()).sorted().toList();
      }
      return new JobFiles(Files.readString(dir.resolve("job.json")), Files.readString(dir.resolve("checkpoint.json")),
          models, Files.readAllLines(dir.resolve("audit.log")).size());
    }
  }
}
