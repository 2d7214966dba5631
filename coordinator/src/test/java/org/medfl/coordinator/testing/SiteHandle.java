package org.medfl.coordinator.testing;

import com.google.protobuf.ByteString;
import org.medfl.client.connect.CoordinatorClient;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.common.pki.Identity;
import org.medfl.proto.v1.PushReply;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.VectorHeader;

/** A scripted site: the real site-side client, driven by the test instead of by local training. */
public final class SiteHandle {
  private final CoordinatorClient client;
  private final Identity identity;

  /** A site with {@code identity} that has joined {@code coordinator} over mutual TLS. */
  public SiteHandle(LoopbackCoordinator coordinator, Identity identity) {
    this.identity = identity;
    this.client = new CoordinatorClient(coordinator.channelFor(identity));
    client.join("test", "test");
  }

  /** The next task, waiting up to 20 s. */
  public Task nextTask() {
    return client.poll(20_000);
  }

  /** The client, for direct calls. */
  public CoordinatorClient client() {
    return client;
  }

  /** Reports a confusion matrix (rows: true class) as this site's evaluation of the task's model. */
  public void reportEvaluation(Task task, long[][] confusion, double auc) {
    org.medfl.common.metrics.EvaluationMetrics metrics = org.medfl.common.metrics.EvaluationMetrics.fromConfusion(
        org.medfl.common.metrics.ConfusionMatrix.fromCounts(confusion), auc);
    client.reportEvaluation(org.medfl.proto.v1.EvaluationReport.newBuilder().setJobId(task.getJobId())
        .setRound(task.getRound()).setModelSha256(task.getGlobalModel().getSha256())
        .setMetrics(org.medfl.common.metrics.MetricsProto.toProto(metrics)).build());
  }

  /** Pushes {@code delta} for the task with an honest header. */
  public PushReply push(Task task, float[] delta, long examples) throws InterruptedException {
    return push(task, delta, examples, ParameterCodec.header(delta));
  }

  /** Pushes {@code delta} with the given vector header (which may lie), signed with this site's key. */
  public PushReply push(Task task, float[] delta, long examples, VectorHeader header) throws InterruptedException {
    return push(task, delta, examples, header, identity);
  }

  /** Pushes {@code delta} signed by {@code signer}, who need not be this site. */
  public PushReply push(Task task, float[] delta, long examples, VectorHeader header, Identity signer)
      throws InterruptedException {
    return client.pushUpdate(header(task, examples, header, signer), delta);
  }

  /** The update header for the task, announcing {@code vector}, signed by {@code signer}. */
  public UpdateHeader header(Task task, long examples, VectorHeader vector, Identity signer) {
    byte[] signature = Signatures.sign(signer.privateKey(), Statements.update(task.getJobId(), task.getRound(),
        identity.name(), examples, task.getGlobalModel().getSha256(), vector.getSha256()));
    return UpdateHeader.newBuilder()
        .setJobId(task.getJobId())
        .setRound(task.getRound())
        .setNumExamples(examples)
        .setTrainLoss(0.5)
        .setValAccuracy(0.5)
        .setNumValExamples(10)
        .setTrainSeconds(0.1)
        .setBaseSha256(task.getGlobalModel().getSha256())
        .setUpdate(vector)
        .setSignature(ByteString.copyFrom(signature))
        .build();
  }

  /** This site's honest header for {@code delta}. */
  public UpdateHeader header(Task task, float[] delta, long examples) {
    return header(task, examples, ParameterCodec.header(delta), identity);
  }

  /** This site's name, from its certificate. */
  public String name() {
    return identity.name();
  }
}
