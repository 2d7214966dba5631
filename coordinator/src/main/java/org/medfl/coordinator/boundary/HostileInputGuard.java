package org.medfl.coordinator.boundary;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a service so that what a caller sends can only earn it a clean status: a request that does not parse is
 * answered INVALID_ARGUMENT (gRPC alone answers UNKNOWN, "Application error processing RPC"), and status descriptions,
 * which often quote the caller's own input, are cut short so they fit in the HTTP/2 trailers that carry them (clients
 * drop trailers beyond 8 KiB, and the caller would see INTERNAL instead of the refusal).
 */
public final class HostileInputGuard {
  /** Longest status description sent, in characters; percent-encoded UTF-8 may take twelve bytes for each. */
  public static final int MAX_DESCRIPTION_CHARS = 500;

  private static final MethodDescriptor.Marshaller<InputStream> UNPARSED = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private HostileInputGuard() {}

  /** {@code service} with every request parsed by the guard, and every description bounded. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = guard(method);
      descriptor.addMethod(guarded.getMethodDescriptor());
      methods.add(guarded);
    }
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(builder::addMethod);
    return builder.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> guard(ServerMethodDefinition<Q, R> definition) {
    MethodDescriptor<Q, R> typed = definition.getMethodDescriptor();
    MethodDescriptor<InputStream, R> raw = typed.toBuilder(UNPARSED, typed.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(raw, (call, headers) -> {
      TypedCall<Q, R> view = new TypedCall<>(call, typed);
      return new ParsingListener<>(view, handler.startCall(view, headers));
    });
  }

  /** A description no longer than {@link #MAX_DESCRIPTION_CHARS}, marked where it was cut. */
  static String bounded(String description) {
    if (description == null || description.length() <= MAX_DESCRIPTION_CHARS) {
      return description;
    }
    int end = MAX_DESCRIPTION_CHARS - 1;
    if (Character.isHighSurrogate(description.charAt(end - 1))) {
      end--;
    }
    return description.substring(0, end) + "…";
  }

  /**
   * Why a request could not be read: a compressed one that inflated beyond the size limit keeps gRPC's
   * RESOURCE_EXHAUSTED (the limit is only enforced while the message is read); anything else did not parse.
   */
  private static Status refusal(RuntimeException e, String method) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return s.getStatus();
      }
    }
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return Status.INVALID_ARGUMENT.withDescription("request is not a valid " + method + " message: "
        + cause.getMessage());
  }

  /** Parses each request itself, so that a malformed one is refused here instead of failing inside gRPC. */
  private static final class ParsingListener<Q, R> extends ServerCall.Listener<InputStream> {
    private final TypedCall<Q, R> call;
    private final ServerCall.Listener<Q> delegate;
    private boolean refused;

    ParsingListener(TypedCall<Q, R> call, ServerCall.Listener<Q> delegate) {
      this.call = call;
      this.delegate = delegate;
    }

    @Override
    public void onMessage(InputStream message) {
      if (refused) {
        return;
      }
      Q request;
      try {
        request = call.getMethodDescriptor().parseRequest(message);
      } catch (RuntimeException e) {
        refused = true;
        Status status = refusal(e, call.getMethodDescriptor().getFullMethodName());
        CallEnd.record(status);
        call.closeIfOpen(status);
        // The service learns of the end of its call the way it learns of a cancelled one, exactly once.
        delegate.onCancel();
        return;
      }
      delegate.onMessage(request);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (!refused) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (!refused) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        delegate.onReady();
      }
    }
  }

  /** The call as the service sees it: typed requests, bounded descriptions, closed at most once. */
  private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<InputStream, R> raw;
    private final MethodDescriptor<Q, R> method;
    private boolean closed;

    TypedCall(ServerCall<InputStream, R> raw, MethodDescriptor<Q, R> method) {
      this.raw = raw;
      this.method = method;
    }

    void closeIfOpen(Status status) {
      close(status, new Metadata());
    }

    /** Closes the call; a second close (the service answering a call the guard already refused) is dropped. */
    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) {
        return;
      }
      closed = true;
      raw.close(status.withDescription(bounded(status.getDescription())), trailers);
    }

    @Override
    public void request(int numMessages) {
      raw.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      raw.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      raw.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return raw.isReady();
    }

    @Override
    public boolean isCancelled() {
      return raw.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      raw.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      raw.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      raw.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return raw.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return raw.getAttributes();
    }

    @Override
    public String getAuthority() {
      return raw.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
