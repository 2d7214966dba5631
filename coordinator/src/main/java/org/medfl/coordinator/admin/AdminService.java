package org.medfl.coordinator.admin;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import org.medfl.common.transport.ChunkSender;
import org.medfl.coordinator.access.Callers;
import org.medfl.coordinator.fleet.SiteRoster;
import org.medfl.coordinator.job.JobRegistry;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.proto.v1.AbortJobRequest;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.DownloadModelRequest;
import org.medfl.proto.v1.GetJobRequest;
import org.medfl.proto.v1.JobStatus;
import org.medfl.proto.v1.ListJobsReply;
import org.medfl.proto.v1.ListJobsRequest;
import org.medfl.proto.v1.ModelDownload;
import org.medfl.proto.v1.ModelDownloadHeader;
import org.medfl.proto.v1.SubmitJobReply;
import org.medfl.proto.v1.SubmitJobRequest;
import org.medfl.proto.v1.VectorHeader;

/** Job submission, status, abort and model download for admins (status and download for auditors too). */
public final class AdminService extends AdminGrpc.AdminImplBase {
  private final JobRegistry jobs;
  private final SiteRoster roster;

  /** A service over the coordinator's jobs. */
  public AdminService(JobRegistry jobs, SiteRoster roster) {
    this.jobs = jobs;
    this.roster = roster;
  }

  @Override
  public void submitJob(SubmitJobRequest request, StreamObserver<SubmitJobReply> reply) {
    try {
      String id = jobs.submit(request.getJobSpecYaml(), Callers.current().name());
      reply.onNext(SubmitJobReply.newBuilder().setJobId(id).build());
      reply.onCompleted();
    } catch (IllegalArgumentException e) {
      reply.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<JobStatus> reply) {
    find(request.getJobId(), reply).ifPresent(driver -> {
      reply.onNext(JobStatusMapper.toProto(driver.snapshot(), roster));
      reply.onCompleted();
    });
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsReply> reply) {
    ListJobsReply.Builder list = ListJobsReply.newBuilder();
    jobs.all().forEach(driver -> list.addJobs(JobStatusMapper.toProto(driver.snapshot(), roster)));
    reply.onNext(list.build());
    reply.onCompleted();
  }

  @Override
  public void abortJob(AbortJobRequest request, StreamObserver<JobStatus> reply) {
    // Unlike the read-only rpcs, an empty id must not mean "the newest job": aborting is not undone.
    if (request.getJobId().isEmpty()) {
      reply.onError(Status.INVALID_ARGUMENT.withDescription("job_id is required to abort a job")
          .asRuntimeException());
      return;
    }
    Optional<RoundDriver> driver = find(request.getJobId(), reply);
    if (driver.isEmpty()) {
      return;
    }
    try {
      driver.get().abort(Callers.current().name(), request.getReason());
      driver.get().awaitFinal(30_000);
      reply.onNext(JobStatusMapper.toProto(driver.get().snapshot(), roster));
      reply.onCompleted();
    } catch (IllegalStateException e) {
      reply.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.onError(Status.UNAVAILABLE.withDescription("coordinator is stopping").asRuntimeException());
    }
  }

  /** Streams the latest committed global model: a header with the spec, then chunks. */
  @Override
  public void downloadModel(DownloadModelRequest request, StreamObserver<ModelDownload> reply) {
    Optional<RoundDriver> driver = find(request.getJobId(), reply);
    if (driver.isEmpty()) {
      return;
    }
    RoundDriver.CommittedModel model = driver.get().latestModel();
    if (model.parameters() == null) {
      reply.onError(Status.FAILED_PRECONDITION.withDescription("job " + request.getJobId()
          + " has no model yet").asRuntimeException());
      return;
    }
    ServerCallStreamObserver<ModelDownload> stream = (ServerCallStreamObserver<ModelDownload>) reply;
    stream.onNext(ModelDownload.newBuilder().setHeader(ModelDownloadHeader.newBuilder()
        .setJobSpecYaml(driver.get().specYaml())
        .setRound(model.round())
        .setModel(VectorHeader.newBuilder().setVersion(1).setLength(model.parameters().length)
            .setSha256(model.sha256()))).build());
    ChunkSender<ModelDownload> sender = new ChunkSender<>(model.parameters(), ChunkSender.MAX_CHUNK_BYTES, stream,
        chunk -> ModelDownload.newBuilder().setChunk(chunk).build(), stream::onCompleted);
    stream.setOnReadyHandler(sender);
    sender.run();
  }

  private Optional<RoundDriver> find(String jobId, StreamObserver<?> reply) {
    Optional<RoundDriver> driver = jobId.isEmpty() ? jobs.all().stream().findFirst() : jobs.find(jobId);
    if (driver.isEmpty()) {
      reply.onError(Status.NOT_FOUND.withDescription(jobId.isEmpty() ? "no jobs yet"
          : "no job '" + jobId + "'; 'fl job list' shows the jobs").asRuntimeException());
    }
    return driver;
  }
}
