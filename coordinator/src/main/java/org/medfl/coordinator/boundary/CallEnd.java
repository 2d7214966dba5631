package org.medfl.coordinator.boundary;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Remembers the status with which the server ended each call early: the transport, for a message above the size
 * limit (RESOURCE_EXHAUSTED), or the {@link HostileInputGuard}, for one that does not parse (INVALID_ARGUMENT). A
 * service is only told "cancelled" in both cases; this lets it tell such a refusal, which the round must record,
 * from a caller that went away.
 */
public final class CallEnd extends ServerStreamTracer.Factory {
  private static final Context.Key<AtomicReference<Status>> ENDED_WITH = Context.key("medfl-call-end");

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    AtomicReference<Status> endedWith = new AtomicReference<>();
    return new ServerStreamTracer() {
      @Override
      public Context filterContext(Context context) {
        return context.withValue(ENDED_WITH, endedWith);
      }

      // gRPC calls this before it tells the service that the call ended, so the service finds it set.
      @Override
      public void streamClosed(Status status) {
        endedWith.compareAndSet(null, status);
      }
    };
  }

  /** Records that the guard ended the current call with {@code status}; the first status recorded stays. */
  static void record(Status status) {
    AtomicReference<Status> endedWith = ENDED_WITH.get();
    if (endedWith != null) {
      endedWith.compareAndSet(null, status);
    }
  }

  /**
   * How the current call ended, once it did; call from the service method itself, where the call's context is
   * current. Always empty on a server without this tracer.
   */
  public static Supplier<Optional<Status>> ofCurrentCall() {
    AtomicReference<Status> endedWith = ENDED_WITH.get();
    return () -> endedWith == null ? Optional.empty() : Optional.ofNullable(endedWith.get());
  }

  /** True for the statuses with which the server refuses a message: too large, or not parseable. */
  public static boolean isRefusal(Status status) {
    return status.getCode() == Status.Code.RESOURCE_EXHAUSTED || status.getCode() == Status.Code.INVALID_ARGUMENT;
  }
}
