package org.medfl.coordinator.admin;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import org.medfl.common.audit.ChainHead;
import org.medfl.coordinator.job.JobRegistry;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.proto.v1.AuditGrpc;
import org.medfl.proto.v1.AuditLine;
import org.medfl.proto.v1.ReadAuditLogRequest;

/** Read-only access to a job's audit log, for auditors and admins. */
public final class AuditService extends AuditGrpc.AuditImplBase {
  private final JobRegistry jobs;

  /** A service over the coordinator's jobs. */
  public AuditService(JobRegistry jobs) {
    this.jobs = jobs;
  }

  /** Streams the log's complete lines, then the chain head the job's latest committed record vouches for. */
  @Override
  public void readAuditLog(ReadAuditLogRequest request, StreamObserver<AuditLine> reply) {
    Optional<RoundDriver> driver = jobs.find(request.getJobId());
    if (driver.isEmpty()) {
      reply.onError(Status.NOT_FOUND.withDescription("no job '" + request.getJobId() + "'").asRuntimeException());
      return;
    }
    // Take the committed head before reading, so the lines read always reach it.
    ChainHead committed = driver.get().snapshot().record().auditHead();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(jobs.jobDir(request.getJobId()).resolve("audit.log"));
    } catch (IOException e) {
      reply.onError(Status.INTERNAL.withDescription("cannot read the audit log: " + e.getMessage()).asRuntimeException());
      return;
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      reply.onNext(AuditLine.newBuilder().setLine(text.substring(start, end)).build());
      start = end + 1;
    }
    if (committed != null) {
      reply.onNext(AuditLine.newBuilder().setCommittedHead(org.medfl.proto.v1.ChainHead.newBuilder()
          .setRecords(committed.records()).setSha256(committed.sha256())).build());
    }
    reply.onCompleted();
  }
}
