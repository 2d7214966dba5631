package org.medfl.common.transport;

import com.google.protobuf.ByteString;
import io.grpc.stub.CallStreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;
import org.medfl.proto.v1.ModelChunk;

/**
 * Streams a float vector as {@link ModelChunk}s, sending only while the transport is ready.
 *
 * <p>Without flow control a 40 MB model would be copied into gRPC's outbound buffer at once,
 * for every receiver; with it, memory stays at a few chunks per stream.
 */
public final class ChunkSender<T> implements Runnable {
  /** gRPC's default message limit is 4 MiB; chunks stay well below it. */
  public static final int MAX_CHUNK_BYTES = 1 << 20;

  private final float[] values;
  private final int chunkFloats;
  private final CallStreamObserver<T> observer;
  private final Function<ModelChunk, T> wrap;
  private final Runnable onDone;
  private int nextFloat;
  private boolean finished;

  /**
   * @param values the vector to send; must not change while sending
   * @param chunkBytes requested chunk size in bytes, clamped to [4, 1 MiB]
   * @param observer the call's outbound side
   * @param wrap turns a chunk into the call's message type
   * @param onDone run once after the last chunk (e.g. {@code observer::onCompleted})
   */
  public ChunkSender(float[] values, int chunkBytes, CallStreamObserver<T> observer,
      Function<ModelChunk, T> wrap, Runnable onDone) {
    this.values = values;
    int bytes = Math.max(Float.BYTES, Math.min(MAX_CHUNK_BYTES, chunkBytes <= 0 ? MAX_CHUNK_BYTES : chunkBytes));
    this.chunkFloats = bytes / Float.BYTES;
    this.observer = observer;
    this.wrap = wrap;
    this.onDone = onDone;
  }

  /** Sends as many chunks as the transport accepts now; registered as the observer's on-ready handler. */
  @Override
  public synchronized void run() {
    while (!finished && observer.isReady()) {
      if (nextFloat >= values.length) {
        finished = true;
        onDone.run();
        return;
      }
      int count = Math.min(chunkFloats, values.length - nextFloat);
      ByteBuffer buffer = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buffer.asFloatBuffer().put(values, nextFloat, count);
      ModelChunk chunk = ModelChunk.newBuilder()
          .setOffset((long) nextFloat * Float.BYTES)
          .setData(ByteString.copyFrom(buffer.array()))
          .build();
      nextFloat += count;
      observer.onNext(wrap.apply(chunk));
    }
  }

  /** True once every chunk was handed to the transport. */
  public synchronized boolean finished() {
    return finished;
  }
}
