package org.medfl.coordinator.fleet;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.medfl.common.codec.CodecException;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.codec.VectorAssembler;
import org.medfl.common.transport.ChunkSender;
import org.medfl.common.privacy.L2Clip;
import org.medfl.coordinator.access.Callers;
import org.medfl.coordinator.boundary.CallEnd;
import org.medfl.coordinator.aggregation.SiteUpdate;
import org.medfl.coordinator.job.JobRegistry;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.coordinator.round.TaskBoard;
import org.medfl.coordinator.round.TrainTask;
import org.medfl.coordinator.round.UpdateOffer;
import org.medfl.coordinator.round.UpdateNormBound;
import org.medfl.coordinator.round.UpdateRejected;
import org.medfl.common.metrics.EvaluationMetrics;
import org.medfl.common.metrics.MetricsProto;
import org.medfl.proto.v1.DeclineAck;
import org.medfl.proto.v1.DeclineRequest;
import org.medfl.proto.v1.EvaluationAck;
import org.medfl.proto.v1.EvaluationReport;
import org.medfl.common.pki.Pem;
import org.medfl.coordinator.aggregation.SiteReport;
import org.medfl.coordinator.round.SecAggTaskData;
import org.medfl.coordinator.round.SecureRound;
import org.medfl.proto.v1.FetchModelRequest;
import org.medfl.proto.v1.SecAggAck;
import org.medfl.proto.v1.SecAggMessage;
import org.medfl.proto.v1.SecAggStage;
import org.medfl.proto.v1.SecAggTask;
import org.medfl.proto.v1.FleetGrpc;
import org.medfl.proto.v1.JoinReply;
import org.medfl.proto.v1.JoinRequest;
import org.medfl.proto.v1.ModelChunk;
import org.medfl.proto.v1.PollRequest;
import org.medfl.proto.v1.PushReply;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.UpdateMessage;
import org.medfl.proto.v1.VectorHeader;

/** The site-facing gRPC service: translates protos to round-driver calls and back, nothing more. */
public final class FleetService extends FleetGrpc.FleetImplBase {
  /** Long polls are held at most this long, so idle connections still show the site is alive. */
  static final long MAX_POLL_MILLIS = 30_000;
  /** Longest reason a site may give for declining a task; a line, not a document. */
  static final int MAX_DECLINE_REASON = 500;

  private final String consortium;
  private final SiteRoster roster;
  private final TaskBoard board;
  private final JobRegistry jobs;
  /**
   * "job/site" of the uploads being received: one at a time per site and job, so that a site cannot make the
   * coordinator hold more than one model-sized buffer for it by opening many streams.
   */
  private final Set<String> receiving = ConcurrentHashMap.newKeySet();

  /** A service over the coordinator's roster, task board and jobs. */
  public FleetService(String consortium, SiteRoster roster, TaskBoard board, JobRegistry jobs) {
    this.consortium = consortium;
    this.roster = roster;
    this.board = board;
    this.jobs = jobs;
  }

  @Override
  public void join(JoinRequest request, StreamObserver<JoinReply> reply) {
    String site = Callers.current().name();
    roster.seen(site, request.getAgentVersion() + "; " + request.getRuntime());
    reply.onNext(JoinReply.newBuilder().setSiteName(site).setConsortium(consortium).build());
    reply.onCompleted();
  }

  /** Holds the call until a task is ready or the wait ends; the site's name comes from its certificate. */
  @Override
  public void pollTask(PollRequest request, StreamObserver<Task> reply) {
    String site = Callers.current().name();
    roster.seen(site, null);
    long wait = Math.max(0, Math.min(MAX_POLL_MILLIS, request.getWaitMillis()));
    try {
      Optional<TrainTask> task = board.next(site, wait);
      roster.seen(site, null);
      reply.onNext(task.map(FleetService::toProto).orElse(Task.newBuilder().setKind(Task.Kind.IDLE).build()));
      reply.onCompleted();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.onError(Status.UNAVAILABLE.withDescription("coordinator is stopping").asRuntimeException());
    }
  }

  /** Takes a site's evaluation of a committed global model; refused with FAILED_PRECONDITION when out of place. */
  @Override
  public void reportEvaluation(EvaluationReport report, StreamObserver<EvaluationAck> reply) {
    String site = Callers.current().name();
    Optional<RoundDriver> driver = job(report.getJobId(), reply);
    if (driver.isEmpty()) {
      return;
    }
    try {
      EvaluationMetrics metrics = MetricsProto.fromProto(report.getMetrics(), driver.get().spec().classes().size());
      driver.get().acceptEvaluation(site, report.getRound(), report.getModelSha256(), metrics);
      reply.onNext(EvaluationAck.getDefaultInstance());
      reply.onCompleted();
    } catch (IllegalArgumentException e) {
      reply.onError(Status.INVALID_ARGUMENT.withDescription("malformed evaluation: " + e.getMessage())
          .asRuntimeException());
    } catch (UpdateRejected e) {
      reply.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  /** Takes a small secure-aggregation message; the sender's certificate is kept for its peers to check. */
  @Override
  public void secAgg(SecAggMessage message, StreamObserver<SecAggAck> reply) {
    String site = Callers.current().name();
    Optional<RoundDriver> driver = job(message.getJobId(), reply);
    if (driver.isEmpty()) {
      return;
    }
    SecureRound.Stage stage = switch (message.getStage()) {
      case ADVERTISE_KEYS -> SecureRound.Stage.ADVERTISE_KEYS;
      case SHARE_KEYS -> SecureRound.Stage.SHARE_KEYS;
      case UNMASK -> SecureRound.Stage.UNMASK;
      default -> null;
    };
    if (stage == null) {
      reply.onError(Status.INVALID_ARGUMENT.withDescription("stage " + message.getStage()
          + " has no small message").asRuntimeException());
      return;
    }
    try {
      driver.get().acceptSecAgg(site, message.getRound(), stage, message.getPayload().toByteArray(),
          Pem.certificatesToPem(Callers.certificate()));
      reply.onNext(SecAggAck.getDefaultInstance());
      reply.onCompleted();
    } catch (UpdateRejected e) {
      reply.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  /** A site will not do its task: the round stops waiting for it. */
  @Override
  public void declineTask(DeclineRequest request, StreamObserver<DeclineAck> reply) {
    String site = Callers.current().name();
    Optional<RoundDriver> driver = job(request.getJobId(), reply);
    if (driver.isEmpty()) {
      return;
    }
    String reason = request.getReason().strip();
    if (reason.isEmpty() || reason.length() > MAX_DECLINE_REASON) {
      reply.onError(Status.INVALID_ARGUMENT.withDescription("a decline needs a one-line reason of at most "
          + MAX_DECLINE_REASON + " characters").asRuntimeException());
      return;
    }
    try {
      driver.get().decline(site, request.getRound(), reason);
      reply.onNext(DeclineAck.getDefaultInstance());
      reply.onCompleted();
    } catch (UpdateRejected e) {
      reply.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  /** The job, or empty after answering NOT_FOUND. */
  private Optional<RoundDriver> job(String jobId, StreamObserver<?> reply) {
    Optional<RoundDriver> driver = jobs.find(jobId);
    if (driver.isEmpty()) {
      reply.onError(Status.NOT_FOUND.withDescription("no job '" + jobId + "'").asRuntimeException());
    }
    return driver;
  }

  private static Task toProto(TrainTask task) {
    Task.Builder proto = Task.newBuilder();
    if (task.secureAggregation() != null) {
      SecAggTaskData data = task.secureAggregation();
      SecAggTask.Builder secagg = SecAggTask.newBuilder()
          .setStage(SecAggStage.valueOf(data.stage().name()))
          .setSites(data.sites())
          .setThreshold(data.threshold())
          .setClip(data.clip())
          .setMaxWeight(data.maxWeight())
          .addAllSiteCertificatesPem(data.certificates());
      data.items().forEach(item -> secagg.addItems(ByteString.copyFrom(item)));
      proto.setSecureAggregation(secagg);
    }
    return proto
        .setKind(task.secureAggregation() != null ? Task.Kind.SECURE_AGGREGATION
            : task.evaluateOnly() ? Task.Kind.EVALUATE : Task.Kind.TRAIN)
        .setJobId(task.jobId())
        .setRound(task.round())
        .setJobSpecYaml(task.specYaml())
        .setGlobalModel(VectorHeader.newBuilder().setVersion(1).setLength(task.globalLength())
            .setSha256(task.globalSha256()))
        .setDeadlineEpochMillis(task.deadlineEpochMillis())
        .setGlobalModelSignature(ByteString.copyFrom(task.globalSignature()))
        .setCoordinatorCertificatePem(task.coordinatorCertificatePem())
        .setAuditHead(org.medfl.proto.v1.ChainHead.newBuilder().setRecords(task.auditHead().records())
            .setSha256(task.auditHead().sha256()))
        .build();
  }

  /** Streams the round's global model with flow control, so memory stays at a few chunks per receiver. */
  @Override
  public void fetchModel(FetchModelRequest request, StreamObserver<ModelChunk> reply) {
    String site = Callers.current().name();
    Optional<RoundDriver> driver = job(request.getJobId(), reply);
    if (driver.isEmpty()) {
      return;
    }
    float[] model;
    try {
      model = driver.get().modelFor(site, request.getRound());
    } catch (UpdateRejected e) {
      reply.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    ServerCallStreamObserver<ModelChunk> stream = (ServerCallStreamObserver<ModelChunk>) reply;
    ChunkSender<ModelChunk> sender = new ChunkSender<>(model, request.getChunkBytes(), stream, c -> c,
        stream::onCompleted);
    stream.setOnReadyHandler(sender);
    sender.run();
  }

  /** Receives one update: a header first, then chunks; verified in full before it touches the aggregate. */
  @Override
  public StreamObserver<UpdateMessage> pushUpdate(StreamObserver<PushReply> reply) {
    return new UpdateReceiver(Callers.current().name(), Callers.certificate(), reply, CallEnd.ofCurrentCall());
  }

  /** State of one incoming update stream. */
  private final class UpdateReceiver implements StreamObserver<UpdateMessage> {
    private final String site;
    private final X509Certificate siteCertificate;
    private final StreamObserver<PushReply> reply;
    private final Supplier<Optional<Status>> callEnd;
    private RoundDriver driver;
    private UpdateHeader header;
    private VectorAssembler assembler;
    private String receivingKey;
    private boolean done;

    UpdateReceiver(String site, X509Certificate siteCertificate, StreamObserver<PushReply> reply,
        Supplier<Optional<Status>> callEnd) {
      this.site = site;
      this.siteCertificate = siteCertificate;
      this.reply = reply;
      this.callEnd = callEnd;
    }

    @Override
    public void onNext(UpdateMessage message) {
      if (done) {
        return;
      }
      if (message.hasHeader()) {
        startWith(message.getHeader());
      } else if (assembler == null) {
        fail(Status.INVALID_ARGUMENT, "update chunk arrived before its header");
      } else {
        try {
          assembler.accept(message.getChunk());
        } catch (CodecException e) {
          refuse(e.getMessage());
        }
      }
    }

    private void startWith(UpdateHeader first) {
      if (assembler != null) {
        fail(Status.INVALID_ARGUMENT, "update stream carried a second header");
        return;
      }
      header = first;
      Optional<RoundDriver> found = jobs.find(first.getJobId());
      if (found.isEmpty()) {
        fail(Status.NOT_FOUND, "no job '" + first.getJobId() + "'");
        return;
      }
      driver = found.get();
      VectorHeader vector = first.getUpdate();
      UpdateOffer offer = new UpdateOffer(first.getJobId(), first.getRound(), first.getNumExamples(),
          first.getTrainLoss(), first.getValAccuracy(), first.getNumValExamples(), first.getTrainSeconds(),
          first.getBaseSha256(), vector.getLength(), vector.getSha256(), first.getSignature().toByteArray(),
          siteCertificate, first.getMasked());
      if (driver.alreadyCounted(site, offer)) {
        // A retry after a lost acknowledgement: answer as before, without reading the bytes again.
        done = true;
        reply.onNext(PushReply.newBuilder().setAccepted(true).setReason("already counted").build());
        reply.onCompleted();
        return;
      }
      try {
        long length = driver.admit(site, offer);
        if (!receiving.add(driver.jobId() + "/" + site)) {
          fail(Status.RESOURCE_EXHAUSTED, "site " + site + " is already uploading an update for job "
              + driver.jobId() + "; send again once that upload has ended");
          return;
        }
        receivingKey = driver.jobId() + "/" + site;
        assembler = new VectorAssembler(vector, length);
      } catch (UpdateRejected e) {
        fail(Status.FAILED_PRECONDITION, e.getMessage());
      } catch (CodecException e) {
        refuse(e.getMessage());
      }
    }

    @Override
    public void onError(Throwable t) {
      // A message too large or not parseable, after an admitted header, is a refusal to record; anything else means
      // the site went away mid-stream, and its task stays outstanding so that it may send again.
      Optional<Status> ended = callEnd.get();
      if (!done && assembler != null && ended.isPresent() && CallEnd.isRefusal(ended.get())) {
        driver.reject(site, header.getRound(), ended.get().getDescription(), header.getUpdate().getSha256());
      }
      done = true;
      stopReceiving();
    }

    private void stopReceiving() {
      assembler = null;
      if (receivingKey != null) {
        receiving.remove(receivingKey);
        receivingKey = null;
      }
    }

    @Override
    public void onCompleted() {
      if (done) {
        return;
      }
      if (assembler == null) {
        fail(Status.INVALID_ARGUMENT, "update stream ended without a header");
        return;
      }
      float[] delta;
      try {
        delta = assembler.finish();
      } catch (CodecException e) {
        refuse(e.getMessage());
        return;
      }
      if (header.getMasked()) {
        acceptMasked(delta);
        return;
      }
      var nonFinite = ParameterCodec.firstNonFinite(delta);
      if (nonFinite.isPresent()) {
        refuse("update value " + nonFinite.getAsInt() + " is " + delta[nonFinite.getAsInt()]
            + "; non-finite updates are refused");
        return;
      }
      double norm = L2Clip.norm(delta);
      double bound = UpdateNormBound.of(driver.spec(), delta.length);
      if (norm > bound) {
        refuse(String.format("update has L2 norm %.6g, above the job's bound of %.6g (max_update_norm)", norm, bound));
        return;
      }
      try {
        driver.accept(site, header.getRound(), new SiteUpdate(site, delta, header.getNumExamples(),
            header.getTrainLoss(), header.getValAccuracy(), header.getNumValExamples(), header.getTrainSeconds(),
            header.getUpdate().getSha256()), header.getSignature().toByteArray());
      } catch (UpdateRejected e) {
        fail(Status.FAILED_PRECONDITION, e.getMessage());
        return;
      }
      done = true;
      stopReceiving();
      reply.onNext(PushReply.newBuilder().setAccepted(true).build());
      reply.onCompleted();
    }

    /** A masked vector's words are uint32 values carried in float framing: their bits, not their values, count. */
    private void acceptMasked(float[] framed) {
      int[] words = new int[framed.length];
      for (int i = 0; i < words.length; i++) {
        words[i] = Float.floatToRawIntBits(framed[i]);
      }
      try {
        driver.acceptMasked(site, header.getRound(), new SiteReport(site, header.getNumExamples(),
            header.getTrainLoss(), header.getValAccuracy(), header.getNumValExamples(), header.getTrainSeconds(),
            header.getUpdate().getSha256()), words, header.getSignature().toByteArray());
      } catch (UpdateRejected e) {
        fail(Status.FAILED_PRECONDITION, e.getMessage());
        return;
      }
      done = true;
      stopReceiving();
      reply.onNext(PushReply.newBuilder().setAccepted(true).build());
      reply.onCompleted();
    }

    /** Refuses the content of an admitted update: audited by the driver, and the round goes on without it. */
    private void refuse(String reason) {
      driver.reject(site, header.getRound(), reason, header.getUpdate().getSha256());
      fail(Status.INVALID_ARGUMENT, reason);
    }

    private void fail(Status status, String description) {
      done = true;
      stopReceiving();
      reply.onError(status.withDescription(description).asRuntimeException());
    }
  }
}
