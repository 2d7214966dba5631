package org.medfl.client.connect;

import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.medfl.common.codec.CodecException;
import org.medfl.common.codec.VectorAssembler;
import org.medfl.common.transport.ChunkSender;
import org.medfl.proto.v1.EvaluationReport;
import org.medfl.proto.v1.DeclineRequest;
import org.medfl.proto.v1.FetchModelRequest;
import org.medfl.proto.v1.SecAggMessage;
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

/** The site's calls to the coordinator's Fleet service; whoever made the channel closes it. */
public final class CoordinatorClient {
  private final FleetGrpc.FleetBlockingStub blocking;
  private final FleetGrpc.FleetStub async;

  /** A client over {@code channel} (mutual TLS in production). */
  public CoordinatorClient(Channel channel) {
    this.blocking = FleetGrpc.newBlockingStub(channel);
    this.async = FleetGrpc.newStub(channel);
  }

  /** Announces this site; its name comes from its certificate. */
  public JoinReply join(String agentVersion, String runtime) {
    return blocking.withDeadlineAfter(30, TimeUnit.SECONDS)
        .join(JoinRequest.newBuilder().setAgentVersion(agentVersion).setRuntime(runtime).build());
  }

  /** Sends one small secure-aggregation message. */
  public void secAgg(SecAggMessage message) {
    blocking.withDeadlineAfter(60, TimeUnit.SECONDS).secAgg(message);
  }

  /** Reports a site's evaluation of a committed global model. */
  public void reportEvaluation(EvaluationReport report) {
    blocking.withDeadlineAfter(60, TimeUnit.SECONDS).reportEvaluation(report);
  }

  /** Tells the coordinator this site will not do its task of the round, so the round need not wait for it. */
  public void decline(String jobId, int round, String reason) {
    blocking.withDeadlineAfter(30, TimeUnit.SECONDS).declineTask(DeclineRequest.newBuilder().setJobId(jobId)
        .setRound(round).setReason(reason).build());
  }

  /** Long-polls for the next task; returns an IDLE task after about {@code waitMillis}. */
  public Task poll(long waitMillis) {
    return blocking.withDeadlineAfter(waitMillis + 15_000, TimeUnit.MILLISECONDS)
        .pollTask(PollRequest.newBuilder().setWaitMillis(waitMillis).build());
  }

  /** Downloads the round's global model and checks it against the task's header (length and SHA-256). */
  public float[] fetchModel(String jobId, int round, VectorHeader expected) throws CodecException {
    VectorAssembler assembler = new VectorAssembler(expected, expected.getLength());
    Iterator<ModelChunk> chunks = blocking.withDeadlineAfter(10, TimeUnit.MINUTES).fetchModel(
        FetchModelRequest.newBuilder().setJobId(jobId).setRound(round).setChunkBytes(ChunkSender.MAX_CHUNK_BYTES)
            .build());
    while (chunks.hasNext()) {
      assembler.accept(chunks.next());
    }
    return assembler.finish();
  }

  /**
   * Streams an update (header, then chunks sent only as fast as the transport takes them) and waits for the verdict.
   *
   * @throws io.grpc.StatusRuntimeException when the coordinator refuses it or the connection fails
   */
  public PushReply pushUpdate(UpdateHeader header, float[] delta) throws InterruptedException {
    CompletableFuture<PushReply> verdict = new CompletableFuture<>();
    async.withDeadlineAfter(10, TimeUnit.MINUTES).pushUpdate(new ClientResponseObserver<UpdateMessage, PushReply>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<UpdateMessage> stream) {
        ChunkSender<UpdateMessage> sender = new ChunkSender<>(delta, ChunkSender.MAX_CHUNK_BYTES, stream,
            chunk -> UpdateMessage.newBuilder().setChunk(chunk).build(), stream::onCompleted);
        // The header goes first, on the first ready signal, then the sender takes over.
        boolean[] headerSent = {false};
        stream.setOnReadyHandler(() -> {
          synchronized (headerSent) {
            if (!headerSent[0]) {
              headerSent[0] = true;
              stream.onNext(UpdateMessage.newBuilder().setHeader(header).build());
            }
          }
          sender.run();
        });
      }

      @Override
      public void onNext(PushReply reply) {
        verdict.complete(reply);
      }

      @Override
      public void onError(Throwable t) {
        verdict.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        verdict.complete(PushReply.newBuilder().setAccepted(false).setReason("no reply").build());
      }
    });
    try {
      return verdict.get(11, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no verdict on the update after 11 minutes", e);
    }
  }
}
