package org.medfl.coordinator.testing;

import io.grpc.Channel;
import org.medfl.client.connect.CoordinatorClient;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.proto.v1.PushReply;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.VectorHeader;

/** A scripted site: the real site-side client, driven by the test instead of by local training. */
public final class SiteHandle {
  private final CoordinatorClient client;

  /** A site speaking over {@code channel}, which already presents its certificate. */
  public SiteHandle(Channel channel) {
    this.client = new CoordinatorClient(channel);
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

  /** Pushes {@code delta} for the task with an honest header. */
  public PushReply push(Task task, float[] delta, long examples) throws InterruptedException {
    return push(task, delta, examples, ParameterCodec.header(delta));
  }

  /** Pushes {@code delta} with the given vector header (which may lie). */
  public PushReply push(Task task, float[] delta, long examples, VectorHeader header) throws InterruptedException {
    return client.pushUpdate(UpdateHeader.newBuilder()
        .setJobId(task.getJobId())
        .setRound(task.getRound())
        .setNumExamples(examples)
        .setTrainLoss(0.5)
        .setValAccuracy(0.5)
        .setNumValExamples(10)
        .setTrainSeconds(0.1)
        .setBaseSha256(task.getGlobalModel().getSha256())
        .setUpdate(header)
        .build(), delta);
  }
}
