package org.medfl.coordinator.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls any rpc with raw bytes as its messages, so a test can send what no generated stub would: damaged encodings,
 * bytes that do not parse, several messages where one is expected.
 */
public final class RawCall {
  /** Passes bytes through untouched, both ways. */
  public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RawCall() {}

  /** How a call ended: its status and what the server sent before. */
  public record Outcome(Status status, List<byte[]> responses) {}

  /**
   * Sends {@code requests} on {@code method} (with its type, but bytes for messages), half-closes, and waits for the
   * status.
   *
   * @param deadlineMillis the call's deadline; the wait for the status allows a few seconds more, so that a server
   *     that ignores deadlines is told apart from one that answers DEADLINE_EXCEEDED
   * @throws AssertionError when no status arrives at all
   */
  public static Outcome call(Channel channel, MethodDescriptor<?, ?> method, List<byte[]> requests,
      long deadlineMillis) throws InterruptedException {
    return call(channel, method, requests, deadlineMillis, CallOptions.DEFAULT);
  }

  /** As {@link #call(Channel, MethodDescriptor, List, long)}, with call options (e.g. gzip compression). */
  public static Outcome call(Channel channel, MethodDescriptor<?, ?> method, List<byte[]> requests,
      long deadlineMillis, CallOptions options) throws InterruptedException {
    MethodDescriptor<byte[], byte[]> raw = method.toBuilder(BYTES, BYTES).build();
    ClientCall<byte[], byte[]> call = channel.newCall(raw,
        options.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS));
    List<byte[]> responses = new ArrayList<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        synchronized (responses) {
          responses.add(message);
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(Integer.MAX_VALUE);
    for (byte[] request : requests) {
      call.sendMessage(request);
    }
    call.halfClose();
    try {
      Status status = closed.get(deadlineMillis + 5_000, TimeUnit.MILLISECONDS);
      synchronized (responses) {
        return new Outcome(status, List.copyOf(responses));
      }
    } catch (TimeoutException e) {
      call.cancel("no status", null);
      throw new AssertionError(method.getFullMethodName() + " gave no status within its deadline plus 5 s");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
