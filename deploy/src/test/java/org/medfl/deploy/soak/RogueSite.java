package org.medfl.deploy.soak;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.medfl.client.connect.CoordinatorClient;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.transport.Channels;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.VectorHeader;

/**
 * A compromised member of the consortium: it holds a valid site certificate and answers every training task with
 * garbage of a kind drawn from the seed (NaN, infinity, the wrong length, a digest that lies, a stale base model,
 * an absurd norm).
 */
final class RogueSite implements Runnable {
  /** The kinds of garbage, in the order the seed picks them. */
  enum Kind { NAN, INFINITY, WRONG_LENGTH, LYING_DIGEST, STALE_BASE, ABSURD_NORM }

  private final StartupKit kit;
  private final Random random;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final ManagedChannel channel;
  private volatile boolean running = true;

  RogueSite(Path kitDir, long seed) {
    this.kit = StartupKit.load(kitDir);
    this.random = new Random(seed);
    this.channel = Channels.mutualTls(kit.coordinatorHost(), kit.coordinatorPort(), kit.identity(),
        kit.caCertificate());
  }

  int sent() {
    return sent.get();
  }

  int refused() {
    return refused.get();
  }

  @Override
  public void run() {
    CoordinatorClient client = new CoordinatorClient(channel);
    while (running) {
      try {
        client.join("rogue/0", "none");
        Task task = client.poll(2_000);
        if (task.getKind() == Task.Kind.TRAIN) {
          sent.incrementAndGet();
          try {
            Garbage garbage = garbageFor(task);
            client.pushUpdate(garbage.header(), garbage.payload());
          } catch (StatusRuntimeException e) {
            refused.incrementAndGet();
          }
        }
      } catch (StatusRuntimeException e) {
        if (!running) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A signed header and the bytes it (mis)describes. */
  private record Garbage(UpdateHeader header, float[] payload) {}

  private Garbage garbageFor(Task task) {
    int length = (int) task.getGlobalModel().getLength();
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    float[] payload = new float[kind == Kind.WRONG_LENGTH ? length + 1 + random.nextInt(10) : length];
    Arrays.fill(payload, kind == Kind.ABSURD_NORM ? 1e30f : 0.01f);
    if (kind == Kind.NAN) {
      payload[random.nextInt(length)] = Float.NaN;
    } else if (kind == Kind.INFINITY) {
      payload[random.nextInt(length)] = Float.NEGATIVE_INFINITY;
    }
    VectorHeader header = ParameterCodec.header(kind == Kind.LYING_DIGEST ? new float[length] : payload);
    String base = kind == Kind.STALE_BASE ? "0".repeat(64) : task.getGlobalModel().getSha256();
    byte[] signature = Signatures.sign(kit.identity().privateKey(), Statements.update(task.getJobId(),
        task.getRound(), kit.identity().name(), 10, base, header.getSha256()));
    return new Garbage(UpdateHeader.newBuilder().setJobId(task.getJobId()).setRound(task.getRound())
        .setNumExamples(10).setBaseSha256(base).setUpdate(header).setSignature(ByteString.copyFrom(signature))
        .build(), payload);
  }

  void stop() throws InterruptedException {
    running = false;
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }
}
