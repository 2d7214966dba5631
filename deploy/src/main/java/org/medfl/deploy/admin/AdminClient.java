package org.medfl.deploy.admin;

import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medfl.common.audit.ChainHead;
import org.medfl.common.codec.CodecException;
import org.medfl.common.codec.VectorAssembler;
import org.medfl.proto.v1.AbortJobRequest;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.AuditGrpc;
import org.medfl.proto.v1.AuditLine;
import org.medfl.proto.v1.DownloadModelRequest;
import org.medfl.proto.v1.GetJobRequest;
import org.medfl.proto.v1.JobStatus;
import org.medfl.proto.v1.ListJobsRequest;
import org.medfl.proto.v1.ModelDownload;
import org.medfl.proto.v1.ModelDownloadHeader;
import org.medfl.proto.v1.SubmitJobRequest;

/** Calls of admins and auditors to the coordinator; whoever made the channel closes it. */
public final class AdminClient {
  private final AdminGrpc.AdminBlockingStub admin;
  private final AuditGrpc.AuditBlockingStub audit;

  /** A client over {@code channel} (mutual TLS with an admin or auditor kit). */
  public AdminClient(Channel channel) {
    this.admin = AdminGrpc.newBlockingStub(channel);
    this.audit = AuditGrpc.newBlockingStub(channel);
  }

  /** Submits a job spec; returns the job id. */
  public String submit(String yaml) {
    return admin.withDeadlineAfter(60, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setJobSpecYaml(yaml).build()).getJobId();
  }

  /** Status of a job; an empty id means the newest job. */
  public JobStatus status(String jobId) {
    return admin.withDeadlineAfter(30, TimeUnit.SECONDS)
        .getJob(GetJobRequest.newBuilder().setJobId(jobId == null ? "" : jobId).build());
  }

  /** All jobs, newest first. */
  public List<JobStatus> list() {
    return admin.withDeadlineAfter(30, TimeUnit.SECONDS).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList();
  }

  /** Aborts a job and returns its final status. */
  public JobStatus abort(String jobId, String reason) {
    return admin.withDeadlineAfter(60, TimeUnit.SECONDS)
        .abortJob(AbortJobRequest.newBuilder().setJobId(jobId).setReason(reason == null ? "" : reason).build());
  }

  /** A downloaded global model: the spec that defines its architecture, its round and its verified parameters. */
  public record DownloadedModel(String specYaml, int round, String sha256, float[] parameters) {}

  /** Downloads the latest global model of a job and checks its digest. */
  public DownloadedModel downloadModel(String jobId) throws CodecException {
    Iterator<ModelDownload> stream = admin.withDeadlineAfter(10, TimeUnit.MINUTES)
        .downloadModel(DownloadModelRequest.newBuilder().setJobId(jobId).build());
    ModelDownload first = stream.hasNext() ? stream.next() : null;
    if (first == null || !first.hasHeader()) {
      throw new CodecException("the coordinator's model stream did not start with a header");
    }
    ModelDownloadHeader header = first.getHeader();
    VectorAssembler assembler = new VectorAssembler(header.getModel(), header.getModel().getLength());
    while (stream.hasNext()) {
      assembler.accept(stream.next().getChunk());
    }
    return new DownloadedModel(header.getJobSpecYaml(), header.getRound(), header.getModel().getSha256(),
        assembler.finish());
  }

  /** The audit log of a job as stored, and the chain head the coordinator committed to. */
  public record AuditCopy(List<String> lines, ChainHead committedHead) {}

  /** Reads a job's audit log. */
  public AuditCopy readAuditLog(String jobId) {
    Iterator<AuditLine> stream = audit.withDeadlineAfter(5, TimeUnit.MINUTES)
        .readAuditLog(org.medfl.proto.v1.ReadAuditLogRequest.newBuilder().setJobId(jobId).build());
    List<String> lines = new ArrayList<>();
    ChainHead head = null;
    while (stream.hasNext()) {
      AuditLine line = stream.next();
      if (line.hasCommittedHead()) {
        head = new ChainHead(line.getCommittedHead().getRecords(), line.getCommittedHead().getSha256());
      } else {
        lines.add(line.getLine());
      }
    }
    return new AuditCopy(lines, head);
  }
}
